"""The report's and console's own words in English and Dutch (`--lang en|nl`).

Check titles and descriptions live in checks/catalog.py; the checks' sentences, findings and
warnings are written in English and translated at render time by sbready/report/nl.py.
"""

from __future__ import annotations

from typing import Literal

Lang = Literal["en", "nl"]
LANGS: tuple[Lang, ...] = ("en", "nl")
DEFAULT_LANG: Lang = "en"

_TEXT: dict[str, tuple[str, str]] = {
    "ready": ("READY", "GEREED"),
    "not_ready": ("NOT READY", "NIET GEREED"),
    "title": ("AFAS SB App Center readiness", "AFAS SB App Center-gereedheid"),
    "ran": ("{ran} of {total} checks ran", "{ran} van {total} checks uitgevoerd"),
    "not_run": ("Not run ({count}): {ids}", "Niet uitgevoerd ({count}): {ids}"),
    "ready_partial": ("READY covers the {ran} checks that ran; {count} did not run.",
                      "GEREED geldt voor de {ran} uitgevoerde checks; {count} niet uitgevoerd."),
    "blocking": ("Blocking checks (blocker or critical failures):",
                 "Blokkerende checks (blocker- of critical-fouten):"),
    "no_checks": ("No checks ran.", "Er zijn geen checks uitgevoerd."),
    "warnings_count": ("{count} warning(s): worth knowing, never part of the verdict.",
                       "{count} waarschuwing(en): goed om te weten, nooit deel van het oordeel."),
    "passed": ("passed", "geslaagd"),
    "failed": ("FAILED", "MISLUKT"),
    "broken": ("could not be judged", "kon niet worden beoordeeld"),
    "skipped": ("not applicable", "niet van toepassing"),
    "unknown": ("unknown", "onbekend"),
    "not_run_status": ("not run", "niet uitgevoerd"),
    "not_applicable": ("not applicable: {reason}", "niet van toepassing: {reason}"),
    "severity": ("severity", "ernst"),
    "decides": ("A failure makes the verdict NOT READY.",
                "Een fout maakt het oordeel NIET GEREED."),
    "reported": ("A failure is reported but does not change the verdict.",
                 "Een fout wordt gemeld maar verandert het oordeel niet."),
    "passes_when": ("Passes when", "Slaagt als"),
    "fails_for": ("Must fail for", "Moet falen bij"),
    "findings": ("Findings", "Bevindingen"),
    "warnings": ("Warnings", "Waarschuwingen"),
    "warning": ("Warning", "Waarschuwing"),
    "exchanges": ("Exchanges the findings name", "Uitwisselingen uit de bevindingen"),
    "request": ("request", "verzoek"),
    "response": ("response", "antwoord"),
    "no_answer": ("no answer (connection dropped)", "geen antwoord (verbinding verbroken)"),
    "fault": ("injected fault", "geïnjecteerde fout"),
    "reproduce": ("Reproduce", "Reproduceren"),
    "rerun": ("Rerun this check:", "Deze check opnieuw uitvoeren:"),
    "same_fault": ("The same fault against `sb-readiness sandbox` (its control key in "
                   "$SBREADY_KEY):",
                   "Dezelfde fout tegen `sb-readiness sandbox` (de control key in "
                   "$SBREADY_KEY):"),
    "listing": ("App Center listing card", "App Center-vermeldingskaart"),
    "logo": ("Logo", "Logo"),
    "no_logo": ("no logo file was handed in or it could not be read",
                "er is geen logobestand aangeleverd of het kon niet worden gelezen"),
    "summary": ("Summary", "Samenvatting"),
    "description": ("Description", "Omschrijving"),
    "support_url": ("Support URL", "Support-URL"),
    "onboarding_url": ("Onboarding URL", "Onboarding-URL"),
    "not_given": ("(not given)", "(niet opgegeven)"),
    "provenance": ("Provenance", "Herkomst"),
    "tool_version": ("sb-readiness version", "sb-readiness-versie"),
    "sb_version": ("SB version", "SB-versie"),
    "spec_sha": ("Spec file SHA-256", "SHA-256 van het specbestand"),
    "config_hash": ("Config SHA-256 (secrets excluded)", "Config-SHA-256 (zonder secrets)"),
    "app": ("App", "App"),
    "app_version": ("App version", "App-versie"),
    "command": ("Command line", "Opdrachtregel"),
    "started": ("Started", "Gestart"),
    "ended": ("Ended", "Geëindigd"),
    "complete": ("Complete", "Volledig"),
    "target": ("Target", "Doel"),
    "writes": ("Writes", "Schrijfacties"),
    "yes": ("yes", "ja"),
    "no": ("no", "nee"),
    "history": ("History", "Geschiedenis"),
    "history_intro": ("Each check's outcome over the runs that share the history folder {dir}, "
                      "oldest first, this run last.",
                      "De uitkomst per check over de runs die de geschiedenismap {dir} delen, "
                      "oudste eerst, deze run als laatste."),
    "history_none": ("This is the first run recorded in {dir}.",
                     "Dit is de eerste run die in {dir} is vastgelegd."),
    "trend": ("Trend", "Verloop"),
    "details": ("Details for developers", "Details voor ontwikkelaars"),
    "allure_link": ("Allure report (every test and step)",
                    "Allure-rapport (alle tests en stappen)"),
    "journal_link": ("Full SB journal of this run (JSON)",
                     "Volledig SB-journaal van deze run (JSON)"),
    "verdict_link": ("verdict.json (for CI)", "verdict.json (voor CI)"),
    "contents": ("Contents", "Inhoud"),
    "check": ("Check", "Check"),
    "status": ("Status", "Status"),
    "area": ("Area", "Gebied"),
    "no_findings": ("No findings.", "Geen bevindingen."),
    # console
    "c_area": ("Area", "Gebied"),
    "c_passed": ("passed", "geslaagd"),
    "c_failed": ("failed", "mislukt"),
    "c_broken": ("broken", "kapot"),
    "c_skipped": ("skipped", "n.v.t."),
    "c_not_run": ("not run", "niet uitgev."),
    "c_warnings": ("warnings", "waarsch."),
    "c_verdict": ("Verdict", "Oordeel"),
    "c_report": ("Report", "Rapport"),
    "c_verdict_file": ("Verdict file", "Oordeelbestand"),
    "c_took": ("Took {seconds:.1f} s", "Duurde {seconds:.1f} s"),
    "c_more_warnings": ("... and {count} more warning(s) (all in verdict.json)",
                        "... en nog {count} waarschuwing(en) (alle in verdict.json)"),
    "c_history": ("History", "Geschiedenis"),
}


def text(key: str, lang: str = DEFAULT_LANG, **values: object) -> str:
    """The report's phrase `key` in `lang`, with `{name}` filled from `values`."""
    english, dutch = _TEXT[key]
    phrase = dutch if lang == "nl" else english
    return phrase.format(**values) if values else phrase


def check_lang(value: str, where: str) -> Lang:
    """`value` as a report language, or a UsageError message naming the fix (raised by caller)."""
    lowered = value.strip().lower()
    if lowered == "nl":
        return "nl"
    if lowered == "en":
        return "en"
    from sbready.errors import UsageError

    raise UsageError(f"{where} must be \"en\" or \"nl\", not {value!r}; write lang = \"nl\" "
                     "for a Dutch report.")
