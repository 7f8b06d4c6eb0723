"""Dutch for the checks' English sentences, findings and warnings, applied at render time.

The checks (checks/*.py) write English. With `--lang nl` every sentence goes through
`translate`: the first pattern that matches the whole sentence gives its Dutch template;
named groups are kept verbatim (values, paths, the app's own output), and groups whose name
ends in `_t` are translated in turn (a clause inside a sentence). A sentence no pattern
matches stays English; tests/test_report_nl.py lists those.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_X = r"#\d+ [A-Z]+ \S+ -> (?:\d{3}|no answer)"  # "#12 POST /demo/api/x -> 400"

# (English pattern, Dutch template). Order matters: specific before general.
PATTERNS: list[tuple[str, str]] = [
    # ---- shared clauses --------------------------------------------------------------------
    (r"(?P<s_t>.+) \(judged: (?P<j_t>.+)\)", "{s} (beoordeeld: {j})"),
    (r"(?P<op>\S+), the app's first write whose documented answer carries "
     r"result/instances/errors; named in \[scenario\] expected_writes(?P<rest>.*)",
     "{op}, de eerste schrijfactie van de app waarvan het gedocumenteerde antwoord "
     "result/instances/errors bevat; genoemd in [scenario] expected_writes{rest}"),
    (r"Skipped: not run live: (?P<r>.+)", "niet live uitgevoerd: {r}"),
    (r"Skipped: not run: no working connection \((?P<r>.+)", "niet uitgevoerd: geen werkende "
     "verbinding ({r}"),
    (r"Skipped: (?P<r_t>.+)", "{r}"),
    # ---- onboarding ------------------------------------------------------------------------
    (r"The app sent the customer to (?P<host>\S+) instead of the afasBaseUrl it was given "
     r"\((?P<url>\S+)\)\.(?P<rest>.*)",
     "De app stuurde de klant naar {host} in plaats van de opgegeven afasBaseUrl ({url}).{rest}"),
    (r"The onboarding URL answered (?P<st>\d{3}) in (?P<t>[\d.]+) s(?P<rest>.*)",
     "De onboarding-URL antwoordde {st} in {t} s{rest}"),
    # ---- error handling --------------------------------------------------------------------
    (r"The app got 401 at (?P<x>" + _X + r"), refreshed its token, retried, and the sync "
     r"succeeded\.",
     "De app kreeg 401 bij {x}, vernieuwde zijn token, probeerde opnieuw en de sync slaagde."),
    (r"The app does not recover from an expired access token on its own\.",
     "De app herstelt niet zelf van een verlopen access token."),
    (r"after (?P<x>" + _X + r") the app did not refresh its access token",
     "na {x} heeft de app zijn access token niet vernieuwd"),
    (r"the sync ended '(?P<st>\w+)': (?P<out>.*)", "de sync eindigde '{st}': {out}"),
    (r"the sync did not succeed after the fault cleared: (?P<out>.*)",
     "de sync slaagde niet nadat de fout verdwenen was: {out}"),
    (r"the sync did not succeed: (?P<out>.*)", "de sync slaagde niet: {out}"),
    (r"After the refresh was rejected \((?P<n>\d+) rejection\(s\)\) the sync stopped and said "
     r"so: (?P<out>.*)",
     "Nadat de refresh was geweigerd ({n} weigering(en)) stopte de sync en meldde dat: {out}"),
    (r"The app does not stop cleanly when its refresh token is rejected\.",
     "De app stopt niet netjes als zijn refresh token wordt geweigerd."),
    (r"(?P<n>\d+) refresh attempts \((?P<r>\d+) rejected, first (?P<x>" + _X + r")\); stop "
     r"after invalid_grant",
     "{n} refresh-pogingen ({r} geweigerd, eerste {x}); stop na invalid_grant"),
    (r"SB answered 403 to (?P<op>\S+); the app tried (?P<n>\d+) time\(s\) and reported: "
     r"(?P<out>.*)",
     "SB antwoordde 403 op {op}; de app probeerde het {n} keer en meldde: {out}"),
    (r"The app does not handle a 403 as AFAS expects\.",
     "De app handelt een 403 niet af zoals AFAS verwacht."),
    (r"(?P<n>\d+) requests got 403 \((?P<a>" + _X + r") \.\.\. (?P<b>" + _X + r")\); retry a "
     r"403 at most once",
     "{n} verzoeken kregen 403 ({a} ... {b}); probeer een 403 hoogstens één keer opnieuw"),
    (r"The app does not handle a 400 DS3100 as AFAS expects\.",
     "De app handelt een 400 DS3100 niet af zoals AFAS verwacht."),
    (r"after (?P<x>" + _X + r") the identical payload was sent again (?P<n>\d+) time\(s\) "
     r"\((?P<y>" + _X + r")\)",
     "na {x} werd dezelfde payload nog {n} keer verstuurd ({y})"),
    (r"the sync output does not show SB's TraceId (?P<id>\w+): (?P<out>.*)",
     "de uitvoer van de sync toont SB's TraceId {id} niet: {out}"),
    (r"SB rejected (?P<x>" + _X + r") with DS3100 \(judged: (?P<j_t>.+)\); the app did not "
     r"resend it and reported it: (?P<out>.*)",
     "SB weigerde {x} met DS3100 (beoordeeld: {j}); de app verstuurde het niet opnieuw en "
     "meldde het: {out}"),
    (r"SB rejected (?P<x>" + _X + r") with DS3100; the app did not resend it and reported it: "
     r"(?P<out>.*)",
     "SB weigerde {x} met DS3100; de app verstuurde het niet opnieuw en meldde het: {out}"),
    (r"SB answered Failed and PartiallySucceeded \(judged: (?P<j_t>.+)\); the app reported each "
     r"and did not send (?P<rest>.*)",
     "SB antwoordde Failed en PartiallySucceeded (beoordeeld: {j}); de app meldde elk en "
     "verstuurde niet opnieuw {rest}"),
    (r"The app reported SB's Failed and PartiallySucceeded results and did not post the "
     r"\(partly\) accepted entry again\.",
     "De app meldde SB's resultaten Failed en PartiallySucceeded en postte de (deels) "
     "geaccepteerde boeking niet opnieuw."),
    (r"The app does not honour SB's write result\.",
     "De app respecteert het schrijfresultaat van SB niet."),
    (r"the app made no write that SB could answer (?P<r>\w+)(?P<rest>.*)",
     "de app deed geen schrijfactie die SB met {r} kon beantwoorden{rest}"),
    (r"(?P<x>" + _X + r") answered result (?P<r>\w+), but the sync reported success: "
     r"(?P<out>.*)",
     "{x} antwoordde result {r}, maar de sync meldde succes: {out}"),
    (r"after Failed: invoice (?P<inv>\S+), which SB had made at (?P<x>" + _X + r") "
     r"\((?P<info>[^)]*)\), was sent again with another Tracking-Identifier (?P<rest>.*)",
     "na Failed: factuur {inv}, die SB al had gemaakt bij {x} ({info}), werd opnieuw verstuurd "
     "met een andere Tracking-Identifier {rest}"),
    (r"SB answered 503 (?P<n>\d+) times; the app retried after (?P<d>.+) and the sync "
     r"succeeded\.",
     "SB antwoordde {n} keer 503; de app probeerde opnieuw na {d} en de sync slaagde."),
    (r"The app does not back off and recover from 5xx answers\.",
     "De app wacht niet oplopend en herstelt niet van 5xx-antwoorden."),
    (r"the first retry came (?P<t>[\d.]+) s after the 503 \(at least (?P<m>[\d.]+) s "
     r"expected: back off\)",
     "de eerste nieuwe poging kwam {t} s na de 503 (minstens {m} s verwacht: wacht oplopend)"),
    (r"After 429 the app waited (?P<t>[\d.]+) s, at least the Retry-After SB asked for\.",
     "Na 429 wachtte de app {t} s, minstens de Retry-After waar SB om vroeg."),
    (r"The app does not honour Retry-After\.", "De app respecteert Retry-After niet."),
    (r"after (?P<x>" + _X + r") \(Retry-After: (?P<ra>[\d.]+)\) the app tried again "
     r"(?P<t>[\d.]+) s later \((?P<y>" + _X + r")\)",
     "na {x} (Retry-After: {ra}) probeerde de app het {t} s later opnieuw ({y})"),
    (r"(?P<n>\d+) write\(s\) lost their answer \(judged: (?P<j_t>.+)\); the retry(?P<rest>.*)",
     "{n} schrijfactie(s) verloren hun antwoord (beoordeeld: {j}); de nieuwe poging{rest}"),
    (r"(?P<n>\d+) write\(s\) lost their answer; every retry carried the same "
     r"Tracking-Identifier and SB holds each entry exactly once\.",
     "{n} schrijfactie(s) verloren hun antwoord; elke nieuwe poging had dezelfde "
     "Tracking-Identifier en SB heeft elke boeking precies één keer."),
    (r"Retries of a write with a lost answer can make duplicates\.",
     "Nieuwe pogingen van een schrijfactie zonder antwoord kunnen dubbelingen maken."),
    (r"(?P<x>" + _X + r") retried (?P<y>" + _X + r") with another Tracking-Identifier "
     r"(?P<rest>.*)",
     "{x} herhaalde {y} met een andere Tracking-Identifier {rest}"),
    (r"With unusual but spec-valid answers the sync completed or reported cleanly "
     r"\((?P<r>.*)\)\.",
     "Met ongebruikelijke maar spec-geldige antwoorden werd de sync voltooid of netjes "
     "gemeld ({r})."),
    (r"Unusual but spec-valid answers crash the app's sync\.",
     "Ongebruikelijke maar spec-geldige antwoorden laten de sync van de app crashen."),
    (r"(?P<case>[\w ,]+): the sync crashed: (?P<err>.*)", "{case}: de sync crashte: {err}"),
    (r"the sync reported after (?P<t>[\d.]+) s, later than the recommended (?P<r>[\d.]+) s "
     r"\(\[thresholds\] unreachable_timeout\): bounded, but the customer waits long",
     "de sync meldde zich na {t} s, later dan de aanbevolen {r} s ([thresholds] "
     "unreachable_timeout): begrensd, maar de klant wacht lang"),
    (r"With SB unreachable the sync failed after (?P<t>[\d.]+) s \(recommended (?P<r>[\d.]+) "
     r"s\) and said: (?P<out>.*)",
     "Met SB onbereikbaar faalde de sync na {t} s (aanbevolen {r} s) en meldde: {out}"),
]

_COMPILED: list[tuple[re.Pattern[str], str]] = [
    (re.compile(pattern, re.S), template) for pattern, template in PATTERNS
]


def _fill(match: re.Match[str], template: str, again: Callable[[str], str | None]) -> str:
    values: dict[str, str] = {}
    for name, value in match.groupdict().items():
        value = value or ""
        if name.endswith("_t"):
            values[name[:-2]] = again(value) or value
        else:
            values[name] = value
    return template.format(**values)


def translate_or_none(sentence: str) -> str | None:
    """The Dutch for `sentence`, or None when no pattern covers it."""
    text = sentence.strip()
    for pattern, template in _COMPILED:
        match = pattern.fullmatch(text)
        if match is not None:
            return _fill(match, template, translate_or_none)
    return None


def translate(sentence: str, lang: str = "nl") -> str:
    """`sentence` in `lang`: Dutch where a pattern covers it, else the English unchanged."""
    if lang != "nl":
        return sentence
    return translate_or_none(sentence) or sentence
