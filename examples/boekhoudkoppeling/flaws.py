"""Deliberate defects for sb-readiness's self-tests, switched on with BOEKHOUD_FLAWS.

Each flaw is a small, honest deviation inside the app's real code path: the function that
does it right does it wrong while the flaw is on. None is on by default; the harness passes
its environment to every process the app starts (server, sync, new invoice).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

FLAWS_ENV = "BOEKHOUD_FLAWS"

# only the vaste_omgeving flaw: the environment a developer once tested with
VASTE_OMGEVING = "https://boekhoudkoppeling.afasfocus.nl/testomgeving"

# name -> (check ID it must make fail, what the app then does wrong)
FLAWS: dict[str, tuple[str, str]] = {
    "vaste_omgeving": ("ONB-02", "ignores afasBaseUrl and always asks consent at "
                                 f"{VASTE_OMGEVING}"),
    "prospect_404": ("ONB-03", "answers 404 to a visitor without a session from an "
                               "environment it has no connection with"),
    "stacktrace_bij_fout_adres": ("ONB-04", "answers a malformed afasBaseUrl with a 500 page "
                                            "showing the Python traceback"),
    "elke_host": ("ONB-05", "trusts afasBaseUrl on any host"),
    "vaste_state": ("ONB-06", "sends the same state on every authorize request"),
    "pkce_plain": ("ONB-06", "sends code_challenge_method=plain with the verifier as challenge"),
    "token_als_json": ("ONB-07", "posts the code exchange as JSON instead of a form"),
    "zonder_verifier": ("ONB-07", "leaves code_verifier out of the code exchange"),
    "state_niet_controleren": ("ONB-08", "trades the code with the session's latest attempt "
                                         "whatever state comes back"),
    "fout_bij_weigering": ("ONB-09", "reads the code from a declined-consent callback and "
                                     "crashes with a 500"),
    "secret_in_tokenadres": ("ONB-10", "puts the client secret in the token URL's query"),
    "oude_tokens_houden": ("ONB-12", "keeps the tokens it already stored when a customer "
                                     "consents again"),
    "redirect_uri_met_slash": ("ONB-13", "sends the redirect_uri with a trailing slash"),
    "sessiecookie_zonder_vlaggen": ("ONB-14", "sets its session cookie without HttpOnly and "
                                              "SameSite"),
    "inlijsten_toegestaan": ("ONB-14", "lets any site frame its pages (no X-Frame-Options, no "
                                       "CSP frame-ancestors)"),
}


class OnbekendeFlaw(ValueError):
    """BOEKHOUD_FLAWS names a flaw this app does not have."""


def actief(env: Mapping[str, str] | None = None) -> frozenset[str]:
    """The flaws switched on (os.environ by default); an unknown name raises OnbekendeFlaw."""
    waarde = (os.environ if env is None else env).get(FLAWS_ENV, "")
    namen = frozenset(deel.strip() for deel in waarde.split(",") if deel.strip())
    onbekend = sorted(namen - FLAWS.keys())
    if onbekend:
        raise OnbekendeFlaw(f"{FLAWS_ENV} noemt onbekende flaw(s) {', '.join(onbekend)}; "
                            f"bekend zijn: {', '.join(sorted(FLAWS))}.")
    return namen


def aan(naam: str) -> bool:
    """True when flaw `naam` is switched on in BOEKHOUD_FLAWS."""
    if naam not in FLAWS:
        raise KeyError(f"geen flaw met de naam {naam!r}")
    return naam in actief()
