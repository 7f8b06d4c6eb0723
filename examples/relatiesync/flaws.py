"""Deliberate defects for the harness's self-tests, switched on with RELATIESYNC_FLAWS.

Each flaw is a small, honest deviation inside RelatieSync's real code path: the same function
that does the right thing does the wrong thing when its flaw is on, so a check that catches
the flaw catches the same mistake in a real partner app. None is on by default. The server,
the sync worker and `queue-relation` all read the same environment variable.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

FLAWS_VARIABLE = "RELATIESYNC_FLAWS"

# name -> (check ID it must make fail, what RelatieSync then does wrong)
FLAWS: dict[str, tuple[str, str]] = {
    "slow_onboarding_page": ("ONB-01", "takes 2 s to answer the onboarding URL AFAS opens"),
    "environment_dropped": (
        "ONB-02",
        "keeps only scheme and host of afasBaseUrl, so the token goes to the host's root",
    ),
    "unknown_environment_refused": (
        "ONB-03",
        "answers 404 to a visitor whose environment is not connected yet (a prospect)",
    ),
    "traceback_on_bad_base_url": (
        "ONB-04",
        "answers a malformed afasBaseUrl with a 500 page showing the Python traceback",
    ),
    "any_host_trusted": ("ONB-05", "accepts an afasBaseUrl on any host, not only *.afasfocus.nl"),
    "app_token_in_query": (
        "ONB-10",
        "also puts the app token in the query string of the getaccesstoken request",
    ),
    "form_encoded_token_exchange": (
        "ONB-11",
        "posts the app token form-encoded to getaccesstoken instead of as JSON",
    ),
    "no_hsts": ("ONB-14", "sends no Strict-Transport-Security header on its https pages"),
    "cookie_without_secure": ("ONB-14", "sets its session cookie without the Secure flag"),
    "frameable_pages": (
        "ONB-14",
        "lets any site frame its pages (no X-Frame-Options, no CSP frame-ancestors)",
    ),
    "persons_at_singular_path": (
        "INT-01",
        "reads persons from GET /api/person (only POST/PUT exist there) instead of /api/persons",
    ),
    "organisation_version_2": (
        "INT-02",
        "sends Accept-Version 2.0 for POST /api/organisation, which is version 3.0",
    ),
    "name_as_tradename": (
        "INT-03",
        "sends a new relation's name as Tradename, leaving out the required Name",
    ),
    "short_sort_direction": ("INT-04", "sorts with sortField 'Id asc' instead of 'Id ascending'"),
    "mirror_products": ("INT-05", "also mirrors GET /api/products, which Relaties does not grant"),
    "first_page_only": ("INT-06", "reads only the first page of every list"),
    "unsorted_pages": ("INT-06", "pages through lists without a sortField"),
    "tracking_token_ignored": (
        "INT-07",
        "re-reads both lists in full every sync instead of sending the saved TrackingToken",
    ),
    "forget_created": (
        "INT-08",
        "forgets what it created: created relations stay queued and are posted again every "
        "sync under a new Tracking-Identifier",
    ),
    "organisations_one_by_one": (
        "INT-10",
        "re-reads every organisation singly (filter on Id) after the list read",
    ),
    "no_renewal_on_401": ("ERR-01", "treats a 401 as a dead app token instead of exchanging again"),
    "exchange_until_accepted": (
        "ERR-02",
        "keeps exchanging the app token after SB refused it instead of asking to reconnect",
    ),
    "retry_forbidden": ("ERR-03", "retries a 403 many times without a pause"),
    "resend_rejected": ("ERR-04", "sends a relation SB rejected with 400 again, unchanged"),
    "ignore_write_result": (
        "ERR-05",
        "treats every 2xx on a write as created, whatever `result` says",
    ),
    "no_backoff": ("ERR-06", "retries 5xx and dropped connections at once, without a delay"),
    "ignore_retry_after": ("ERR-07", "retries a 429 after its own short delay, not Retry-After"),
    "new_identifier_per_attempt": (
        "ERR-08",
        "makes a new Tracking-Identifier for every retry of the same write",
    ),
    "names_required": ("ERR-09", "assumes every relation has a Name (crashes on null/absent)"),
    "no_client_timeout": ("ERR-10", "sends SB requests without a client timeout"),
}


class UnknownFlaw(ValueError):
    """RELATIESYNC_FLAWS names a flaw that does not exist."""


def parse_flaws(value: str | None) -> frozenset[str]:
    """The flaw names in a comma-separated value; an unknown name raises UnknownFlaw."""
    names = frozenset(part.strip() for part in (value or "").split(",") if part.strip())
    unknown = sorted(names - FLAWS.keys())
    if unknown:
        raise UnknownFlaw(f"{FLAWS_VARIABLE} names unknown flaw(s) {', '.join(unknown)}; "
                          f"known flaws are: {', '.join(sorted(FLAWS))}.")
    return names


def flaw(name: str, environ: Mapping[str, str] | None = None) -> bool:
    """True when flaw `name` is switched on in RELATIESYNC_FLAWS (os.environ by default)."""
    if name not in FLAWS:
        raise KeyError(f"no flaw named {name!r}")
    source = os.environ if environ is None else environ
    return name in parse_flaws(source.get(FLAWS_VARIABLE))
