"""Dutch for every message the checks write (sbready/report/nl.py), and the catalog in Dutch.

The coverage test runs the checks' unit tests with a plugin that records every judgement's
sentence, findings and warnings (tests/nl_collector.py) and fails listing each message that
no Dutch pattern covers, so a new English wording in checks/*.py shows up here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from checks.catalog import AREA_INTROS, AREAS, AREAS_NL, CHECKS, CHECKS_NL
from sbready.report.nl import translate, translate_or_none

REPO = Path(__file__).resolve().parents[1]
# the checks' unit tests: test_checks_*.py, and ONB-14's page-security judge
CHECK_TESTS = sorted(str(path.relative_to(REPO)) for pattern in (
    "tests/test_checks_*.py", "tests/test_browser_page_security.py")
    for path in REPO.glob(pattern))


@pytest.fixture(scope="module")
def messages(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, str]]:
    out = tmp_path_factory.mktemp("nl") / "messages.json"
    env = {**os.environ, "SBREADY_NL_MESSAGES": str(out)}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "tests.nl_collector", "-p",
         "no:cacheprovider", *CHECK_TESTS],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert out.is_file(), done.stdout[-2000:] + done.stderr[-2000:]
    recorded: list[dict[str, str]] = json.loads(out.read_text("utf-8"))
    assert len(recorded) > 150, "the checks' unit tests recorded unexpectedly few messages"
    return recorded


def test_every_check_message_has_dutch(messages: list[dict[str, str]]) -> None:
    missing = sorted({f"{m['check']} {m['kind']}: {m['text']}" for m in messages
                      if m["text"].strip() and translate_or_none(m["text"]) is None})
    assert not missing, "no Dutch pattern in sbready/report/nl.py for:\n" + "\n".join(missing)


def test_translation_keeps_values_and_the_apps_own_words() -> None:
    english = ("after #48 POST /demo/api/salesjournalentry -> 400 the identical payload was "
               "sent again 2 time(s) (#49 POST /demo/api/salesjournalentry -> 400)")
    assert translate(english) == ("na #48 POST /demo/api/salesjournalentry -> 400 werd dezelfde "
                                  "payload nog 2 keer verstuurd (#49 POST "
                                  "/demo/api/salesjournalentry -> 400)")
    quoted = "the sync ended 'failed': Synchronisatie mislukt: geen rechten"
    assert translate(quoted) == "de sync eindigde 'failed': Synchronisatie mislukt: geen rechten"
    nested = ("SB answered Failed and PartiallySucceeded (judged: post_x_1.0_create, the app's "
              "first write whose documented answer carries result/instances/errors; named in "
              "[scenario] expected_writes); the app reported each and did not send it again")
    assert "(beoordeeld: post_x_1.0_create, de eerste schrijfactie van de app" in translate(nested)
    assert translate(english, "en") == english
    assert translate("A sentence nobody wrote a pattern for.") == (
        "A sentence nobody wrote a pattern for.")


def test_catalog_has_dutch_for_every_check_area_and_introduction() -> None:
    assert set(CHECKS_NL) == set(CHECKS)
    assert set(AREAS_NL) == set(AREAS) == set(AREA_INTROS)
    assert AREAS_NL == {"ONB": "Werkende onboarding", "INT": "Werkende integratie",
                        "ERR": "Werkende foutafhandeling", "LST": "App Center-vermelding"}
    for check_id, (title, passes_when, fails_for) in CHECKS_NL.items():
        assert title and passes_when and fails_for, check_id
        assert passes_when != CHECKS[check_id].passes_when, check_id
    for english, dutch in AREA_INTROS.values():
        assert english != dutch and len(dutch) > 60


@pytest.mark.parametrize("reason", [
    "not run: no working connection (ONB-02 failed: The known customer's onboarding did not "
    "complete)",
    "not run: the onboarding never reached the consent flow (ONB-02 failed: The known "
    "customer's onboarding did not complete)",
    "not run: the baseline sync made no API read to fault (sync failed: boom); see ONB-02 and "
    "the INT checks",
    "not run: the baseline sync made no write whose documented answer carries "
    "result/instances/errors (sync synced: ok); see INT-08",
    "not run live: only with writes (allow_writes = true in [live])",
    "the app uses app tokens; the OAuth checks do not apply",
    "OAuth customer app: its tokens come from the code flow (ONB-06, ONB-07); ONB-11 covers "
    "app-token and admin-level apps",
])
def test_the_suites_skip_reasons_have_dutch(reason: str) -> None:
    dutch = translate_or_none(reason)
    assert dutch is not None and dutch != reason
