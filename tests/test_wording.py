"""The Dutch/English classifier the ERR and ONB checks share (checks/wording.py)."""

from __future__ import annotations

import pytest

from checks import wording

CASES = [
    ("reauthorize", "Koppel opnieuw via de AFAS App Center."),
    ("reauthorize", "De koppeling is verlopen; opnieuw koppelen is nodig."),
    ("reauthorize", "Activeer de app opnieuw in de App Center."),
    ("reauthorize", "Please activate the app again in the App Center."),
    ("reauthorize", "re-authorization needed: connect the environment again"),
    ("forbidden", "Geen rechten op de administraties."),
    ("forbidden", "Geen toegang tot de relaties in AFAS SB."),
    ("forbidden", "SB refused GET /api/x with 403"),
    ("failed", "Boeking 2024-7 is mislukt."),
    ("failed", "De factuur is niet verwerkt door AFAS SB."),
    ("failed", "the entry failed"),
    ("partial", "Boeking 2024-8 is gedeeltelijk verwerkt."),
    ("partial", "SB only partly accepted entry 12"),
]


@pytest.mark.parametrize(("signal", "message"), CASES)
def test_dutch_and_english_messages_are_recognised(signal: wording.Signal, message: str) -> None:
    assert wording.mentions(signal, message)


def test_unrelated_messages_carry_no_signal() -> None:
    assert wording.signals("3 facturen geboekt, 0 overgeslagen.") == set()
    assert not wording.mentions("reauthorize", "Synchronisatie klaar.")


@pytest.mark.parametrize("summary", [
    "posted 3 entries, 0 errors", "done: no failures", "3 facturen geboekt, geen fouten",
    "Synchronisatie foutloos afgerond.", "0 mislukt, 3 geboekt",
])
def test_success_summaries_that_deny_failure_are_not_failure_reports(summary: str) -> None:
    assert not wording.mentions("failed", summary)
    assert wording.mentions("failed", summary + "; 1 boeking mislukt")


def test_json_status_of_an_http_sync() -> None:
    assert wording.json_status('{"Status": "Mislukt", "bericht": "x"}') == "mislukt"
    assert wording.status_signal('{"status": "reauthorization_needed"}') == "reauthorize"
    assert wording.status_signal('{"result": "PartiallySucceeded"}') == "partial"
    assert wording.status_signal('{"status": "ok"}') is None
    assert wording.json_status("not json {") is None and wording.json_status("[1]") is None


def test_quoted_keeps_the_last_line_short() -> None:
    assert wording.quoted("first\nsecond line\n") == "'second line'"
    assert wording.quoted("") == "'(no output)'"
    assert len(wording.quoted("x" * 500)) == 202
