"""Allure labels and attachments: a real pytest run writes results a reviewer can trust."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from checks.catalog import CHECKS
from checks.judgement import failed, passed
from sbready.report.allure_labels import (
    CheckFailed,
    exchange_summary,
    label_check,
    report_judgement,
)
from sbready.sandbox.journal import Exchange

PLANTED_SECRET = "planted-Secr3t-9f8e7d6c5b4a"

# A miniature suite: one passing check with evidence (and a planted secret), two failures.
_SAMPLE_SUITE = '''
from sbready.report.allure_labels import (
    CheckFailed, attach_exchange_summary, attach_exchanges, attach_json, attach_text, label_check,
)
from sbready.sandbox.journal import Exchange
from sbready.secrets import Redactor

SECRET = {secret!r}
REDACTOR = Redactor([SECRET])


def token_exchange():
    return Exchange(
        seq=1, started=0.0, duration_ms=3.5, environment=None, kind="token",
        client_id="demo-app", method="POST",
        url="https://sandbox.test/app/token?note=" + SECRET, path="/app/token", api_path=None,
        query={{"note": [SECRET]}},
        request_headers={{"content-type": "application/x-www-form-urlencoded"}},
        request_content_type="application/x-www-form-urlencoded",
        request_body={{"grant_type": "authorization_code", "client_secret": SECRET}},
        status=200, response_headers={{}}, response_body={{"token_type": "Bearer"}},
        operation_id=None, facts={{"verifier_matches_challenge": True}},
    )


def test_authorize_request():
    label_check("ONB-06")
    request = {{"state": "s" * 22, "echo": "x " + SECRET}}
    attach_json("Authorize request", request, redactor=REDACTOR)
    attach_exchanges("Exchanges", [token_exchange()], redactor=REDACTOR)
    attach_exchange_summary("Exchange summary", [token_exchange()], redactor=REDACTOR)
    attach_text("Note", "the app sent " + SECRET, redactor=REDACTOR)


def test_request_bodies():
    label_check("INT-03", scenario="missing required field")
    raise CheckFailed("INT-03", "POST /api/journalentries lacks the required field 'Code'.")


def test_request_volume():
    label_check("INT-10")
    raise CheckFailed("INT-10", "412 requests for 3 synced items; at most 20 per item allowed.")
'''


def write_sample_results(workdir: Path, secret: str = PLANTED_SECRET) -> Path:
    """Run the miniature suite under allure-pytest in a subprocess; return the results dir."""
    suite = workdir / "suite"
    suite.mkdir(parents=True)
    (suite / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    (suite / "test_sample.py").write_text(_SAMPLE_SUITE.format(secret=secret), encoding="utf-8")
    results = workdir / "allure-results"
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly",
         f"--alluredir={results}", "test_sample.py"],
        cwd=suite, capture_output=True, text=True, timeout=60, check=False,
    )
    assert completed.returncode == 1, completed.stdout + completed.stderr  # two planned failures
    return results


def load_results(results: Path) -> dict[str, dict[str, Any]]:
    """The written test results keyed by their check_id label."""
    by_check: dict[str, dict[str, Any]] = {}
    for path in results.glob("*-result.json"):
        raw = json.loads(path.read_text(encoding="utf-8"))
        labels = {label["name"]: label["value"] for label in raw["labels"]}
        by_check[labels["check_id"]] = {**raw, "label_map": labels}
    return by_check


@pytest.fixture(scope="module")
def sample_results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_sample_results(tmp_path_factory.mktemp("labels"))


def test_label_check_sets_title_area_check_and_severity(sample_results: Path) -> None:
    results = load_results(sample_results)
    assert set(results) == {"ONB-06", "INT-03", "INT-10"}
    onb = results["ONB-06"]
    assert onb["name"] == "ONB-06 Authorize request is well-formed (PKCE S256, state)"
    assert onb["status"] == "passed"
    labels = onb["label_map"]
    assert labels["epic"] == "Working onboarding"
    assert labels["feature"] == "ONB-06 Authorize request is well-formed (PKCE S256, state)"
    assert labels["severity"] == "blocker"
    assert labels["tag"] == "ONB-06"
    assert labels["check_id"] == "ONB-06"
    assert results["INT-10"]["label_map"]["severity"] == "normal"


def test_description_says_what_passes_and_what_must_fail(sample_results: Path) -> None:
    description = load_results(sample_results)["ONB-06"]["description"]
    info = CHECKS["ONB-06"]
    assert info.passes_when in description
    assert info.must_fail_for in description
    assert "NOT READY" in description
    normal = load_results(sample_results)["INT-10"]["description"]
    assert "does not change the verdict" in normal


def test_scenario_extends_the_title_and_failure_carries_evidence(sample_results: Path) -> None:
    int03 = load_results(sample_results)["INT-03"]
    assert int03["name"] == "INT-03 Request bodies match the schema — missing required field"
    assert int03["status"] == "failed"
    assert "lacks the required field 'Code'" in int03["statusDetails"]["message"]


def test_attachments_are_written_and_readable(sample_results: Path) -> None:
    onb = load_results(sample_results)["ONB-06"]
    names = {a["name"]: a for a in onb["attachments"]}
    assert set(names) == {"Authorize request", "Exchanges", "Exchange summary", "Note"}
    assert names["Exchanges"]["type"] == "application/json"
    exchanges = json.loads((sample_results / names["Exchanges"]["source"]).read_text())
    assert exchanges[0]["path"] == "/app/token"
    assert exchanges[0]["request_body"]["client_secret"] == "[redacted]"
    summary = (sample_results / names["Exchange summary"]["source"]).read_text()
    assert summary.splitlines()[0].split() == ["seq", "method", "path", "status", "notes"]
    assert "POST" in summary and "/app/token" in summary and "200" in summary
    assert "verifier_matches_challenge=True" in summary


def test_planted_secret_never_reaches_the_results_dir(sample_results: Path) -> None:
    files = [p for p in sample_results.iterdir() if p.is_file()]
    assert len(files) >= 7  # 3 results + 4 attachments: the evidence is really there
    for path in files:
        assert PLANTED_SECRET.encode() not in path.read_bytes(), path.name
    note = next(p for p in files if p.read_text().startswith("the app sent"))
    assert note.read_text() == "the app sent [redacted]"


def _exchange(seq: int, status: int, **changes: Any) -> Exchange:
    values: dict[str, Any] = dict(
        seq=seq, started=0.0, duration_ms=1.0, environment="demo", kind="api",
        client_id="demo-app", method="GET", url="https://x/demo/api/ledgeraccounts",
        path="/demo/api/ledgeraccounts", api_path="/api/ledgeraccounts", query={},
        request_headers={}, request_content_type=None, request_body=None, status=status,
        response_headers={}, response_body=None, operation_id="GetLedgerAccounts",
    )
    values.update(changes)
    return Exchange(**values)


def test_exchange_summary_reads_like_a_table() -> None:
    text = exchange_summary([
        _exchange(1, 200, facts={"page": 1}),
        _exchange(12, 0, method="POST", path="/demo/api/journalentries",
                  fault="connection dropped before answer", operation_id=None),
    ])
    lines = text.splitlines()
    assert len(lines) == 3
    # Columns line up: "path" starts at the same offset on every line.
    assert len({line.index("/demo") for line in lines[1:]}) == 1
    assert lines[0].index("path") == lines[1].index("/demo")
    assert "GetLedgerAccounts; page=1" in lines[1]
    assert "dropped" in lines[2] and "fault: connection dropped before answer" in lines[2]
    assert exchange_summary([]).endswith("(no exchanges recorded)\n")


def test_unknown_check_id_is_a_programming_error() -> None:
    with pytest.raises(KeyError):
        label_check("ONB-99")


def test_report_judgement_raises_check_failed_with_the_evidence() -> None:
    verdict = failed("ONB-06", "The state parameter is constant across attempts.",
                     ["attempt 1 and 2 both sent state=abc"], state="abc")
    with pytest.raises(CheckFailed) as caught:
        report_judgement(verdict)
    assert isinstance(caught.value, AssertionError)
    assert caught.value.check_id == "ONB-06"
    assert str(caught.value).startswith("ONB-06: The state parameter is constant")
    assert "  - attempt 1 and 2 both sent state=abc" in str(caught.value)
    report_judgement(passed("ONB-06", "Fresh 128-bit state on every attempt."))  # no raise
