"""RelatieSync's rows of the self-test table (tests/selftest_table.py): reference app 3, a
customer-level app-token CRM mirror, run from its own readiness.toml with flaws switched on
through RELATIESYNC_FLAWS (examples/relatiesync/flaws.py).

Each row runs only its own check. Listing rows edit the app's readiness.toml instead of
switching a flaw: the listing is the partner's config, not app behaviour.
"""

from __future__ import annotations

import secrets

from examples.relatiesync.flaws import FLAWS, FLAWS_VARIABLE
from tests.selftest_table import (
    REPO,
    App,
    Catch,
    generated_logo,
    listing_value,
    reference_runner,
    replaced,
    threshold,
)

CONFIG = REPO / "examples" / "relatiesync" / "readiness.toml"
NAME = "relatiesync"


def fresh_secrets() -> dict[str, str]:
    """The administrator password readiness.toml reads from the environment, new every run."""
    return {"RELATIESYNC_ADMIN_PASSWORD": secrets.token_urlsafe(18)}


APP = App(name=NAME, codebase="relatiesync", auth="apptoken", level="customer",
          run=reference_runner(CONFIG, flaw_variable=FLAWS_VARIABLE, secrets_for=fresh_secrets),
          flaws=frozenset(FLAWS))

_PAGE = "https://127.0.0.1:{port}/afas-sb/"

CATCHES: list[Catch] = [
    # listing data is the partner's config: edits of readiness.toml, two shared runs
    Catch("LST-01", NAME, ("does-not-exist.png", "does not exist"), what="missing logo",
          together="listing-a", edit=listing_value("logo", '"does-not-exist.png"')),
    Catch("LST-01", NAME, ("1200x300 px is not square",), what="wide banner",
          together="listing-b", edit=generated_logo(1200, 300)),
    Catch("LST-02", NAME, ("/support is not https",), what="http support URL",
          together="listing-a",
          edit=listing_value("support_url", '"http://127.0.0.1:{{app_port}}/support"')),
    Catch("LST-02", NAME, ("/relaties-help answered 404",), what="404 support URL",
          together="listing-b",
          edit=listing_value("support_url", '"https://127.0.0.1:{{app_port}}/relaties-help"')),
    Catch("LST-03", NAME, ("The listing has no summary",), what="empty summary",
          together="listing-a", edit=listing_value("summary", '""')),
    Catch("LST-03", NAME, ("at most 200 fit the App Center tile",), what="long summary",
          together="listing-b",
          edit=listing_value("summary", '"' + "Relaties in sync " * 20 + '"')),
    Catch("LST-04", NAME, ("placeholder text", "contains 'lorem ipsum'"),
          what="placeholder description", together="listing-a",
          edit=listing_value("description", '"Lorem ipsum dolor sit amet. ' + "y" * 250 + '"')),
    Catch("LST-04", NAME, ("at least 200",), what="short description", together="listing-b",
          edit=listing_value("description", '"Relaties uit AFAS SB in je CRM."')),
    Catch("LST-05", NAME, ("is not an absolute URL",), what="relative onboarding URL",
          together="listing-a",
          edit=listing_value("onboarding_url", '"/afas-sb/"')),
    # onboarding
    Catch("ONB-01", NAME, ("no answer within 0.5 s",), flaws=("slow_onboarding_page",),
          edit=threshold("onboarding_timeout", "0.5")),
    Catch("ONB-01", NAME, ("is not https",), what="http onboarding URL in production",
          edit=replaced('onboarding_url = "https://', 'onboarding_url = "http://')),
    Catch("ONB-02", NAME, ("did not accept the activation token", "the flow ended with 400"),
          flaws=("environment_dropped",)),
    Catch("ONB-03", NAME, ("/afas-sb/?afasBaseUrl=", "-> 404: an error page for a prospect"),
          flaws=("unknown_environment_refused",)),
    Catch("ONB-04", NAME, ("afasBaseUrl missing: GET", "shows a stack trace ('Traceback"),
          flaws=("traceback_on_bad_base_url",)),
    # the harness pastes a token with the foreign address into the connect form, then syncs
    Catch("ONB-05", NAME, ("received", "POST /demo/authentication/getaccesstoken"),
          flaws=("any_host_trusted",)),
    Catch("ONB-10", NAME, ("POST /demo/authentication/getaccesstoken -> 200: a secret in the "
                           "request URL",), flaws=("app_token_in_query",)),
    Catch("ONB-11", NAME, ("body is application/x-www-form-urlencoded ['apptoken']",
                           'AFAS expects JSON {"apptoken": "..."}'),
          flaws=("form_encoded_token_exchange",)),
    # ONB-14, one flaw per item; each finding names the page and the header or cookie (no
    # Referrer-Policy row: ONB-14 asks for one on the OAuth callback, which this app has not)
    Catch("ONB-14", NAME, (f"the onboarding page {_PAGE} sends no "
                           "Strict-Transport-Security header",), flaws=("no_hsts",)),
    Catch("ONB-14", NAME, ("cookie relatiesync_session (set by POST "
                           "https://127.0.0.1:{port}/login) has no Secure flag",),
          flaws=("cookie_without_secure",), together="headers"),
    Catch("ONB-14", NAME, ("the login page https://127.0.0.1:{port}/afas-sb/connect can be "
                           "framed by any site",), flaws=("frameable_pages",),
          together="headers"),
    # integration
    Catch("INT-01", NAME, ("GET /api/person does not exist in SB 6.0.0",),
          flaws=("persons_at_singular_path",)),
    Catch("INT-02", NAME, ("Accept-Version '2.0', but post_organisation_3.0_create needs "
                           "Accept-Version: 3",),
          flaws=("organisation_version_2",)),
    Catch("INT-03", NAME, ("POST /demo/api/organisation -> 400: (body): 'Name' is a required "
                           "property",), flaws=("name_as_tradename",)),
    Catch("INT-04", NAME, ("GET /demo/api/organisations -> 400: sortField direction 'asc' is "
                           "not supported",), flaws=("short_sort_direction",)),
    Catch("INT-05", NAME, ("GET /demo/api/products -> 403: get_products_3.0 needs one of the "
                           "bundles", "the app is granted Relaties"), flaws=("mirror_products",)),
    Catch("INT-06", NAME, ("/api/organisations: read 100 of", "page on until a page is short"),
          flaws=("first_page_only",)),
    Catch("INT-06", NAME, ("pages without sortField",), flaws=("unsorted_pages",)),
    Catch("INT-07", NAME, ("GET /demo/api/organisations -> 200: no TrackingToken; "
                           "get_organisations_2.0 tracks changes",
                           "GET /demo/api/persons -> 200: no TrackingToken"),
          flaws=("tracking_token_ignored",)),
    Catch("INT-08", NAME, ("/api/organisation: ", "was sent 2 times as a new request",
                           "SB made it a second time"), flaws=("forget_created",)),
    Catch("INT-09", NAME, ("issing rights on a needed endpoint",
                           "POST /api/organisation (post_organisation_3.0_create) -> 403"),
          what="bundles without the needed operations",
          edit=replaced('bundles = ["Relaties"]', 'bundles = ["Verkoopjournaalpost"]')),
    Catch("INT-10", NAME, ("per item (limit 10)", "most: GET /api/organisations x"),
          flaws=("organisations_one_by_one",)),
    # error handling
    Catch("ERR-01", NAME, ("the app did not refresh its access token",),
          flaws=("no_renewal_on_401",)),
    Catch("ERR-02", NAME, ("refresh attempts", "POST /demo/authentication/getaccesstoken -> "
                           "401); stop after invalid_grant"), flaws=("exchange_until_accepted",)),
    Catch("ERR-03", NAME, ("requests got 403 in demo", "retry a 403 at most once"),
          flaws=("retry_forbidden",)),
    Catch("ERR-04", NAME, ("POST /demo/api/organisation -> 400 the identical payload was sent "
                           "again 2 time(s)",), flaws=("resend_rejected",)),
    Catch("ERR-05", NAME, ("answered result Failed, but the sync reported success",
                           "answered result PartiallySucceeded, but the sync reported success"),
          flaws=("ignore_write_result",)),
    Catch("ERR-06", NAME, ("the first retry came", "s after the 503", "back off"),
          flaws=("no_backoff",)),
    Catch("ERR-07", NAME, ("429 (Retry-After: 1) the app tried again",),
          flaws=("ignore_retry_after",)),
    Catch("ERR-08", NAME, ("POST /demo/api/organisation -> no answer with another "
                           "Tracking-Identifier", "SB made it a second time"),
          flaws=("new_identifier_per_attempt",)),
    # the server answers its crashed sync with a clean 500, but its log shows the crash
    Catch("ERR-09", NAME, ("the app logged a stack trace", "KeyError"),
          flaws=("names_required",)),
    # ERR-10 waits 4 x unreachable_timeout for a report: a short threshold keeps it short
    Catch("ERR-10", NAME, ("the sync had not reported after", "set a client timeout"),
          flaws=("no_client_timeout",),
          edit=threshold("unreachable_timeout", "3")),
]
