"""Self-test rows on reference app 1, examples/boekhoudkoppeling (an OAuth customer app on
WSGI with Dutch pages): its flaws (examples/boekhoudkoppeling/flaws.py, BOEKHOUD_FLAWS) and
edits of its own readiness.toml, each failing one check with the phrases of its finding."""

from __future__ import annotations

import secrets

from examples.boekhoudkoppeling.flaws import FLAWS
from tests.selftest_table import (
    REPO,
    App,
    Catch,
    generated_logo,
    listing_value,
    reference_runner,
    replaced,
)

CONFIG = REPO / "examples" / "boekhoudkoppeling" / "readiness.toml"


def _secrets() -> dict[str, str]:
    """Fresh secrets for the variables the app's readiness.toml refers to."""
    return {"BOEKHOUD_CLIENT_SECRET": secrets.token_urlsafe(32),
            "BOEKHOUD_WACHTWOORD": secrets.token_urlsafe(16)}


APP = App(name="boekhoudkoppeling", codebase="boekhoudkoppeling", auth="oauth", level="customer",
          run=reference_runner(CONFIG, flaw_variable="BOEKHOUD_FLAWS", secrets_for=_secrets),
          flaws=frozenset(FLAWS))

_BK = "boekhoudkoppeling"
_PAGINA = "http://127.0.0.1:{port}/afas-sb/"

CATCHES: list[Catch] = [
    # listing data: edits of the app's own [listing] (different keys cannot mask each other)
    Catch("LST-01", _BK, ("64x64 px is smaller than 256x256 px",), what="tiny logo",
          together="listing", edit=generated_logo(64, 64)),
    Catch("LST-02", _BK, ("/bestaat-niet answered 404",), what="404 support URL",
          together="listing",
          edit=listing_value("support_url", '"http://127.0.0.1:{{app_port}}/bestaat-niet"')),
    Catch("LST-03", _BK, ("The listing has no summary",), what="empty summary",
          together="listing", edit=listing_value("summary", '""')),
    Catch("LST-04", _BK, ("placeholder text", "contains 'lorem ipsum'"),
          what="placeholder description", together="listing",
          edit=listing_value("description", '"Lorem ipsum dolor sit amet. ' + "x" * 250 + '"')),
    Catch("LST-05", _BK, ("is not an absolute URL",), what="relative onboarding URL",
          together="listing", edit=listing_value("onboarding_url", '"/afas-sb/"')),
    # onboarding
    Catch("ONB-02", _BK, ("boekhoudkoppeling.afasfocus.nl",
                          "instead of the afasBaseUrl it was given"), flaws=("vaste_omgeving",)),
    Catch("ONB-03", _BK, ("-> 404", "an error page for a prospect"), flaws=("prospect_404",)),
    Catch("ONB-04", _BK, ("afasBaseUrl not a URL",
                          "shows a stack trace ('Traceback (most recent call last)')"),
          flaws=("stacktrace_bij_fout_adres",)),
    Catch("ONB-05", _BK, ("sent the browser to http://127.0.0.",), flaws=("elke_host",)),
    Catch("ONB-06", _BK, ("the state is reused across",), flaws=("vaste_state",)),
    Catch("ONB-06", _BK, ("code_challenge_method is 'plain'; AFAS requires S256",),
          flaws=("pkce_plain",)),
    Catch("ONB-07", _BK, ("AFAS expects application/x-www-form-urlencoded",),
          flaws=("token_als_json",)),
    Catch("ONB-07", _BK, ("missing code_verifier",), flaws=("zonder_verifier",)),
    Catch("ONB-08", _BK, ("wrong state: the app still exchanged the code",
                          "missing state: the app still exchanged the code"),
          flaws=("state_niet_controleren",)),
    Catch("ONB-09", _BK, ("/afas-sb/terugkoppeling?error=access_denied", "-> 500: a server error"),
          flaws=("fout_bij_weigering",)),
    Catch("ONB-10", _BK, ("POST /demo/app/token -> 200: a secret in the request URL",),
          flaws=("secret_in_tokenadres",)),
    Catch("ONB-12", _BK, ("the sync after the new consent failed", "(invalid_grant)",
                          "no API call succeeded after the new consent"),
          flaws=("oude_tokens_houden",)),
    Catch("ONB-13", _BK, ("/afas-sb/terugkoppeling/'", "is not exactly the registered"),
          flaws=("redirect_uri_met_slash",)),
    Catch("ONB-13", _BK, ("the registered redirect_uri http://127.0.0.1:{port}/afas-sb/"
                          "terugkoppeling is not https; AFAS requires https in production",),
          what="http redirect_uri in production",
          edit=replaced('\nmode = "development"\n', '\nmode = "production"\n')),
    # (its callback redirects, so it renders nothing a Referer could leak from: no row for that)
    Catch("ONB-14", _BK, ("cookie bk_sessie (set by POST http://127.0.0.1:{port}/afas-sb/"
                          "inloggen) has no HttpOnly flag", "has no SameSite value"),
          flaws=("sessiecookie_zonder_vlaggen",)),
    Catch("ONB-14", _BK, (f"the onboarding page {_PAGINA} can be framed by any site",),
          flaws=("inlijsten_toegestaan",)),
]
