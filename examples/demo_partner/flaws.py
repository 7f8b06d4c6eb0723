"""Deliberate defects for the harness's self-tests, switched on with DEMO_PARTNER_FLAWS.

Every flaw is a small, honest deviation inside the real code path (the same function
that does the right thing does the wrong thing when the flaw is on), so a check that
catches the flaw catches the same mistake in a real partner app. None is on by default.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping

FLAWS_ENV = "DEMO_PARTNER_FLAWS"

# name -> (check ID it must make fail, what the app then does wrong)
FLAWS: dict[str, tuple[str, str]] = {
    "hardcoded_host": (
        "ONB-02",
        "ignores afasBaseUrl and sends the browser to https://app-center-demo.afasfocus.nl/demo",
    ),
    "plain_pkce": ("ONB-06", "uses code_challenge_method=plain with the verifier as challenge"),
    "constant_state": ("ONB-06", "sends the same state value on every authorization attempt"),
    "no_state": ("ONB-06", "sends no state parameter on the authorize request"),
    "wrong_redirect_uri": ("ONB-06", "sends a redirect_uri with an extra path segment"),
    "json_token_request": ("ONB-07", "sends the token request as JSON instead of a form"),
    "no_verifier": ("ONB-07", "leaves code_verifier out of the token request"),
    "verifier_mismatch": ("ONB-07", "sends a fresh code_verifier that does not match"),
    "no_state_check": ("ONB-08", "exchanges the code whatever state comes back"),
    "unknown_endpoint": ("INT-01", "also calls GET /api/journalentry (removed in SB 3.1.0)"),
    "wrong_accept_version": ("INT-02", "sends Accept-Version 1 for POST /api/salesjournalentry"),
    "no_accept_version": ("INT-02", "sends no Accept-Version header"),
    "invalid_body": ("INT-03", "posts InvoiceDate as 30-01-2024 and omits RelationType"),
    "no_refresh_on_401": ("ERR-01", "treats a 401 as fatal instead of refreshing the token"),
    "first_page_only": ("INT-06", "reads only the first page of every list"),
    "no_sort": ("INT-06", "pages through lists without a sortField"),
    "full_reread": ("INT-07", "re-reads tracked lists in full instead of using TrackingToken"),
    "crash_on_denied": ("ONB-09", "answers 500 when the user declines consent"),
    "secret_in_url": (
        "ONB-10",
        "puts the client secret in the token URL and the access token in a browser redirect",
    ),
    "any_host": ("ONB-05", "trusts any host in afasBaseUrl"),
    "refresh_loop": ("ERR-02", "keeps refreshing after invalid_grant instead of stopping"),
    "hammer_403": ("ERR-03", "retries a 403 many times without a pause"),
    "resend_on_400": ("ERR-04", "resends the identical payload after a 400 DS3100"),
    "ignore_result": ("ERR-05", "treats every 200 on a write as success, whatever `result` says"),
    "no_backoff": ("ERR-06", "retries 5xx and timeouts immediately, without a delay"),
    "ignore_retry_after": ("ERR-07", "retries a 429 after its own short delay, not Retry-After"),
    "new_tracking_id_on_retry": (
        "ERR-08",
        "makes a new Tracking-Identifier for every retry of the same entry",
    ),
    "resend_failed_new_id": (
        "ERR-05",
        "re-sends an entry SB answered Failed (and made anyway) under a new Tracking-Identifier",
    ),
    "no_timeout": ("ERR-10", "uses no client timeout on SB requests"),
    "malformed_filter": ("INT-04", "filters ledger accounts with `==` instead of OData `eq`"),
    "outside_grant": ("INT-05", "also reads GET /api/products, which no granted bundle covers"),
    "double_post": ("INT-08", "forgets what it posted and posts every invoice again each sync"),
    "request_storm": ("INT-10", "re-reads every ledger account singly after the list read"),
    "fragile_parsing": ("ERR-09", "assumes every relation has a Name (crashes on null/absent)"),
    "traceback_on_bad_base_url": (
        "ONB-04",
        "answers a malformed afasBaseUrl with a 500 and a Python traceback",
    ),
    "slow_landing": ("ONB-01", "takes 2 s to answer the onboarding landing page"),
    "prospect_error": (
        "ONB-03",
        "answers 404 to a visitor without an account whose environment it does not know yet",
    ),
    "apptoken_form_body": (
        "ONB-11",
        "posts the app token form-encoded to getaccesstoken instead of as JSON",
    ),
    "shared_admin_token": (
        "ONB-11",
        "admin level: uses the Admin Center token in every environment instead of a token each",
    ),
    "reuse_dead_refresh": (
        "ONB-12",
        "keeps the tokens it already stored when a customer consents again",
    ),
    "no_hsts": ("ONB-14", "sends no Strict-Transport-Security header on its https pages"),
    "insecure_cookie": (
        "ONB-14",
        "sets its session cookie without Secure, HttpOnly and SameSite",
    ),
    "callback_tracker": (
        "ONB-14",
        "loads a third-party tracking pixel on the page its OAuth callback shows",
    ),
    "no_referrer_policy": ("ONB-14", "sends no Referrer-Policy header"),
    "frameable_login": (
        "ONB-14",
        "lets any site frame its pages (no X-Frame-Options, no CSP frame-ancestors)",
    ),
}


class UnknownFlawError(ValueError):
    """DEMO_PARTNER_FLAWS names a flaw that does not exist."""


def parse_flaws(value: str | None) -> frozenset[str]:
    """The flaw names in a comma-separated value; unknown names raise UnknownFlawError."""
    names = frozenset(part.strip() for part in (value or "").split(",") if part.strip())
    unknown = sorted(names - FLAWS.keys())
    if unknown:
        raise UnknownFlawError(
            f"{FLAWS_ENV} names unknown flaw(s) {', '.join(unknown)}; "
            f"known flaws are: {', '.join(sorted(FLAWS))}."
        )
    return names


def active_flaws(environ: Mapping[str, str] | None = None) -> frozenset[str]:
    """The flaws switched on in the environment (os.environ by default)."""
    source = os.environ if environ is None else environ
    return parse_flaws(source.get(FLAWS_ENV))


def is_on(name: str, flaws: Iterable[str] | None = None) -> bool:
    """True when flaw `name` is on, in `flaws` if given, else in DEMO_PARTNER_FLAWS."""
    if name not in FLAWS:
        raise KeyError(f"no flaw named {name!r}")
    return name in (active_flaws() if flaws is None else frozenset(flaws))
