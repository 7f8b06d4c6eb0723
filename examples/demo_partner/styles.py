"""Good variants of the demo app, switched on with DEMO_PARTNER_STYLE (comma-separated).

A style changes how the app does its job, never whether it does it right: each is a way
correct partner apps are really built, so the harness must pass every one of them. The
self-tests run the checks against each style (unlike flaws.py, which must make checks fail).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

from examples.demo_partner.settings import ConfigurationError

STYLE_ENV = "DEMO_PARTNER_STYLE"

# name -> what the app then does differently (still correctly)
STYLES: dict[str, str] = {
    "store_only": "the OAuth callback and the app-token hand-off only store the credentials; "
                  "the first API call comes with the first sync",
    "fresh_token": "refreshes (or exchanges its app token) at the start of every sync, so a "
                   "token expired before the sync is never presented",
    "work_only": "a sync with nothing new to post renews its token and stops without an API "
                 "call",
    "dutch": "reports failures to the user in Dutch",
    "cautious": "4 attempts per request (with DEMO_PARTNER_HTTP_TIMEOUT=10: 4 x 10 s)",
    "forget_rejected": "drops an app token SB rejected and asks for a new one; only a token "
                       "handed over again (the App Center's new activation) reconnects it",
    "same_id_after_failed": "re-sends an entry SB answered Failed on the next sync with the same "
                            "Tracking-Identifier, so SB answers from its cache (and reports it "
                            "again)",
}


class UnknownStyleError(ConfigurationError):
    """DEMO_PARTNER_STYLE names a style that does not exist."""


def active_styles(environ: Mapping[str, str] | None = None) -> frozenset[str]:
    """The styles switched on in the environment (os.environ by default)."""
    source = os.environ if environ is None else environ
    names = frozenset(part.strip() for part in source.get(STYLE_ENV, "").split(",")
                      if part.strip())
    unknown = sorted(names - STYLES.keys())
    if unknown:
        raise UnknownStyleError(f"{STYLE_ENV} names unknown style(s) {', '.join(unknown)}; "
                                f"known styles are: {', '.join(sorted(STYLES))}.")
    return names


def is_on(name: str, environ: Mapping[str, str] | None = None) -> bool:
    """True when style `name` is on."""
    if name not in STYLES:
        raise KeyError(f"no style named {name!r}")
    return name in active_styles(environ)


# English failure sentences of the app -> how a Dutch partner app words them (no English
# keywords left, so a harness that only understood English would not recognise them)
_DUTCH_FAILURES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"SB only partly accepted entry (\S+):.*?\(traceId ([^)]*)\).*"),
     r"Boeking \1 is maar gedeeltelijk verwerkt door AFAS SB (traceId \2); maak hem af in "
     r"AFAS SB."),
    (re.compile(r"SB rejected entry (\S+): result \w+:.*?\(traceId ([^)]*)\).*"),
     r"Boeking \1 is mislukt: AFAS SB heeft hem niet verwerkt (traceId \2)."),
    (re.compile(r"SB rejected entry (\S+):.*?\(TraceId ([^)]*)\).*"),
     r"Boeking \1 is geweigerd door AFAS SB (TraceId \2); pas de factuur aan."),
    (re.compile(r"entry (\S+) is not sent again:.*"),
     r"Boeking \1 wordt niet opnieuw verstuurd: AFAS SB weigerde precies deze gegevens al."),
)


def dutch_message(kind: str, message: str) -> str:
    """The app's failure message in Dutch; `kind` is the error's class name."""
    if kind == "ReauthorizationNeeded":
        return ("AFAS SB accepteert de opgeslagen sleutels niet meer; koppel opnieuw via de "
                "AFAS App Center (bij een app-token: activeer de app opnieuw).")
    if kind == "SbForbidden":
        return ("AFAS SB geeft geen toegang tot deze gegevens: de koppeling heeft daar geen "
                "rechten voor; vraag de beheerder om de rechten in de AFAS App Center.")
    if kind == "SbUnavailable":
        return "AFAS SB is niet bereikbaar; de synchronisatie is gestopt. Probeer het later."
    parts = []
    for part in message.split(" | "):
        for pattern, dutch in _DUTCH_FAILURES:
            if pattern.fullmatch(part):
                parts.append(pattern.sub(dutch, part))
                break
        else:
            parts.append(f"Synchronisatie mislukt: {part}")
    return " | ".join(parts)
