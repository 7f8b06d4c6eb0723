"""The response headers a walk keeps as evidence for ONB-14, with cookie values masked.

Only the headers that judge a page's security are kept: a hop's evidence stays small, and a
session cookie's value (a credential) never reaches the report.
"""

from __future__ import annotations

from collections.abc import Iterable

KEPT_HEADERS = frozenset({
    "strict-transport-security",
    "x-frame-options",
    "content-security-policy",
    "referrer-policy",
    "set-cookie",
})
MASK = "<value hidden>"


def mask_cookie(set_cookie: str) -> str:
    """A Set-Cookie value with the cookie's value hidden: name and attributes stay."""
    pair, sep, attributes = set_cookie.partition(";")
    name = pair.split("=", 1)[0].strip()
    return f"{name}={MASK}{sep}{attributes}"


def kept_headers(pairs: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """The security headers among (name, value) pairs, names lower-cased, cookies masked."""
    kept = []
    for name, value in pairs:
        key = name.lower()
        if key not in KEPT_HEADERS:
            continue
        kept.append((key, mask_cookie(value) if key == "set-cookie" else value))
    return tuple(kept)
