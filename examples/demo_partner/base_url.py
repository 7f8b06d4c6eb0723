"""Checking the afasBaseUrl AFAS hands the app: the app sends its client secret there later."""

from __future__ import annotations

import re
from collections.abc import Collection
from urllib.parse import urlsplit

AFAS_HOST_SUFFIX = ".afasfocus.nl"
EXAMPLE = "https://app-center-demo.afasfocus.nl/enyoi"
_ENVIRONMENT = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class BadBaseUrl(ValueError):
    """afasBaseUrl is missing, malformed or not an AFAS SB host; the message says why."""

    def __init__(self, message: str, *, foreign_host: bool = False) -> None:
        super().__init__(message)
        self.foreign_host = foreign_host


def parse_base_url(raw: str | None) -> tuple[str, str, str]:
    """Split afasBaseUrl into (scheme, host[:port], environment); BadBaseUrl if malformed."""
    if raw is None or not raw.strip():
        raise BadBaseUrl(
            "afasBaseUrl is missing; AFAS appends it to this onboarding URL, "
            f"e.g. /Appcenter/AFASSB/?afasBaseUrl={EXAMPLE}."
        )
    try:
        parts = urlsplit(raw.strip())
        port = parts.port  # raises ValueError on a bad port
    except ValueError:
        raise BadBaseUrl(f"afasBaseUrl is not a valid URL; expected e.g. {EXAMPLE}.") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadBaseUrl(
            f"afasBaseUrl must be an absolute http(s) URL with a host, e.g. {EXAMPLE}."
        )
    if parts.username or parts.password or parts.query or parts.fragment:
        raise BadBaseUrl(
            "afasBaseUrl must not carry credentials, a query or a fragment; "
            f"expected e.g. {EXAMPLE}."
        )
    segments = [segment for segment in parts.path.split("/") if segment]
    if len(segments) != 1 or not _ENVIRONMENT.match(segments[0]):
        raise BadBaseUrl(
            "afasBaseUrl must end in exactly one environment segment (letters, digits, - or _), "
            f"e.g. {EXAMPLE}."
        )
    host = parts.hostname.lower()
    netloc = host if port is None else f"{host}:{port}"
    return parts.scheme, netloc, segments[0]


def validate_base_url(
    raw: str | None, trusted_hosts: Collection[str], *, any_host: bool = False
) -> str:
    """The normalised base URL (scheme://host[:port]/env) when it may be trusted.

    AFAS SB runs on https://*.afasfocus.nl; `trusted_hosts` ("host:port") are extra hosts
    allowed for testing, where plain http is accepted too.
    """
    scheme, netloc, environment = parse_base_url(raw)
    host = netloc.rsplit(":", 1)[0] if ":" in netloc else netloc
    trusted = netloc in trusted_hosts
    if not trusted and not any_host:
        if not host.endswith(AFAS_HOST_SUFFIX):
            raise BadBaseUrl(
                f"{netloc} is not an AFAS SB host; afasBaseUrl must point to "
                f"*{AFAS_HOST_SUFFIX} (start the app with --trust-host {netloc} to test "
                "against another host).",
                foreign_host=True,
            )
        if scheme != "https":
            raise BadBaseUrl(f"afasBaseUrl must use https, e.g. {EXAMPLE}.")
    return f"{scheme}://{netloc}/{environment}"
