"""Warnings as an outcome of their own: recorded by the suites, never part of the verdict.

A miniature suite calls suites.support.record / skip_check under allure-pytest, so the
results are the ones a real run writes: a passed, a failed and a skipped check, each with
warnings. From them: verdict.json, JUnit, the console summary and the HTML categories.
"""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from sbready.report.html import ALLURE_FILE, REPORT_FILE, embedded_files, report_command
from sbready.report.junit import junit_xml
from sbready.report.verdict import (
    WARNINGS_SHOWN_PER_CHECK,
    CheckResult,
    decide,
    read_results,
    summary_lines,
    verdict_json,
    warning_lines,
)

PLANTED_SECRET = "planted-Warn-Secr3t-71c2"

_WARNED_SUITE = '''
import pytest

from checks.judgement import failed, passed
from sbready.report.allure_labels import label_check
from sbready.secrets import Redactor
from suites.support import record, skip_check

REDACTOR = Redactor([{secret!r}])


def test_contract_run():
    label_check("INT-09")
    record(passed("INT-09", "The contract run conformed.", warnings=[
        "GET /api/persons: SB's answer deviates from its published schema",
        "GET /api/organisations: token {secret} echoed",
        "GET /api/persons: SB's answer deviates from its published schema",
    ]), redactor=REDACTOR)


def test_contract_run_again():
    label_check("INT-09", scenario="second pass")
    record(passed("INT-09", "The contract run conformed again.", warnings=[
        "GET /api/persons: SB's answer deviates from its published schema",
        "GetBlob: not exercised (writes are not sent to a live SB)",
    ]))


def test_authorize_request():
    label_check("ONB-06")
    record(failed("ONB-06", "The authorize request is plain PKCE.",
                  ["code_challenge_method is 'plain'; AFAS requires S256"],
                  warnings=["only one attempt was seen, so freshness of state was not compared"]))


def test_app_token_flow():
    label_check("ONB-11")
    skip_check("OAuth customer app: ONB-11 covers app-token apps",
               warnings=["the app never asked for an app token"])


def test_plain_pass():
    label_check("LST-03")
    record(passed("LST-03", "The summary is short.", warnings=["", "  "]))
'''


def write_warned_results(workdir: Path) -> Path:
    """Run the miniature suite under allure-pytest in a subprocess; return the results dir."""
    suite = workdir / "suite"
    suite.mkdir(parents=True)
    (suite / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    (suite / "test_warned.py").write_text(_WARNED_SUITE.format(secret=PLANTED_SECRET),
                                          encoding="utf-8")
    results = workdir / "allure-results"
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly",
         f"--alluredir={results}", "test_warned.py"],
        cwd=suite, capture_output=True, text=True, timeout=60, check=False,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 1 and "1 failed, 3 passed, 1 skipped" in output, output
    return results


@pytest.fixture(scope="module")
def warned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_warned_results(tmp_path_factory.mktemp("warned"))


def _by_id(results: list[CheckResult]) -> dict[str, CheckResult]:
    return {result.check_id: result for result in results}


def test_record_writes_each_warning_as_a_label_a_tag_and_a_step(warned: Path) -> None:
    raws = [json.loads(path.read_text("utf-8")) for path in warned.glob("*-result.json")]
    onb11 = next(raw for raw in raws if raw["name"].startswith("ONB-11"))
    assert onb11["status"] == "skipped"
    labels = [(label["name"], label["value"]) for label in onb11["labels"]]
    assert ("warning", "the app never asked for an app token") in labels
    assert ("tag", "warning") in labels
    assert [step["name"] for step in onb11["steps"]] == [
        "Warning: the app never asked for an app token"]
    plain = next(raw for raw in raws if raw["name"].startswith("LST-03"))
    assert ("tag", "warning") not in [(label["name"], label["value"]) for label in plain["labels"]]


def test_read_results_collects_warnings_per_check_without_changing_status(warned: Path) -> None:
    by_id = _by_id(read_results(warned))
    assert {cid: r.status for cid, r in by_id.items()} == {
        "ONB-06": "failed", "ONB-11": "skipped", "INT-09": "passed", "LST-03": "passed"}
    # two tests of INT-09: merged in run order, the repeated warning once, the secret redacted
    assert by_id["INT-09"].tests == 2
    assert by_id["INT-09"].warnings == (
        "GET /api/persons: SB's answer deviates from its published schema",
        "GET /api/organisations: token [redacted] echoed",
        "GetBlob: not exercised (writes are not sent to a live SB)",
    )
    assert by_id["ONB-06"].warnings == (
        "only one attempt was seen, so freshness of state was not compared",)
    assert by_id["LST-03"].warnings == ()
    for path in warned.iterdir():
        assert PLANTED_SECRET.encode() not in path.read_bytes(), path.name


def test_verdict_json_lists_warnings_and_the_verdict_ignores_them(warned: Path) -> None:
    results = read_results(warned)
    verdict = decide(results)
    without = decide([replace(result, warnings=()) for result in results])
    assert (verdict.ready, verdict.headline) == (without.ready, without.headline)
    assert verdict.headline == "NOT READY (1 blocker failures)"  # ONB-06 only
    data = verdict_json(verdict)
    assert data["verdict"] == verdict_json(without)["verdict"] == "NOT READY"
    assert data["blocking"] == ["ONB-06"]
    assert data["warnings"] == [
        {"id": "ONB-06",
         "message": "only one attempt was seen, so freshness of state was not compared"},
        {"id": "ONB-11", "message": "the app never asked for an app token"},
        {"id": "INT-09",
         "message": "GET /api/persons: SB's answer deviates from its published schema"},
        {"id": "INT-09", "message": "GET /api/organisations: token [redacted] echoed"},
        {"id": "INT-09", "message": "GetBlob: not exercised (writes are not sent to a live SB)"},
    ]
    assert data["areas"]["Working onboarding"]["warnings"] == 2
    assert data["areas"]["Working integration"]["warnings"] == 3
    assert data["areas"]["App Center listing"]["warnings"] == 0
    assert without.areas["Working integration"].warnings == 0


def test_warnings_alone_keep_a_run_ready(warned: Path) -> None:
    passing = [r for r in read_results(warned) if r.status != "failed"]
    verdict = decide(passing)
    assert verdict.ready and verdict.headline == "READY"
    assert len(verdict_json(verdict)["warnings"]) == 4


def _cases(document: str) -> dict[str, ET.Element]:
    root = ET.fromstring(document)
    return {case.get("name", "").split()[0]: case for case in root.iter("testcase")}


def test_junit_carries_warnings_as_properties_and_system_out(warned: Path) -> None:
    document = junit_xml(decide(read_results(warned)))
    cases = _cases(document)
    int09 = cases["INT-09"]
    assert [child.tag for child in int09] == ["properties", "system-out"]  # still passed
    values = [p.get("value") for p in int09.iter("property") if p.get("name") == "warning"]
    assert values == list(_by_id(read_results(warned))["INT-09"].warnings)
    out = int09.findtext("system-out") or ""
    assert "WARN INT-09: GetBlob: not exercised (writes are not sent to a live SB)" in out
    assert [child.tag for child in cases["ONB-06"]] == ["properties", "failure", "system-out"]
    assert [child.tag for child in cases["ONB-11"]] == ["properties", "skipped", "system-out"]
    assert list(cases["LST-03"]) == []
    root = ET.fromstring(document)
    assert (root.get("failures"), root.get("errors")) == ("1", "0")  # warnings add none


def test_console_has_a_warnings_column_and_one_line_per_warning(warned: Path) -> None:
    lines = summary_lines(read_results(warned))
    assert lines[0].split()[-2:] == ["run", "warnings"]
    integration = next(line for line in lines if line.startswith("Working integration"))
    assert integration.split()[-6:] == ["1", "0", "0", "0", "9", "3"]
    warned_lines = [line for line in lines if line.startswith("WARN ")]
    assert warned_lines == [
        "WARN ONB-06: only one attempt was seen, so freshness of state was not compared",
        "WARN ONB-11: the app never asked for an app token",
        "WARN INT-09: GET /api/persons: SB's answer deviates from its published schema",
        "WARN INT-09: GET /api/organisations: token [redacted] echoed",
        "WARN INT-09: GetBlob: not exercised (writes are not sent to a live SB)",
    ]
    # after the failed lines, before the verdict line
    fail_at = next(i for i, line in enumerate(lines) if line.startswith("FAIL   ONB-06"))
    first_warn = lines.index(warned_lines[0])
    verdict_at = lines.index("Verdict: NOT READY (1 blocker failures)")
    assert fail_at < first_warn < lines.index(warned_lines[-1]) < verdict_at


def _result(check_id: str, warnings: list[str]) -> CheckResult:
    return CheckResult(check_id, "passed", "critical", "Working integration", check_id, None,
                       warnings=tuple(warnings))


def test_many_warnings_are_capped_per_check_and_counted() -> None:
    many = [f"GET /api/op{n}: SB's answer deviates from its published schema" for n in range(12)]
    lines = warning_lines([_result("INT-09", many), _result("INT-02", ["newer version\nnext"])])
    assert lines[:WARNINGS_SHOWN_PER_CHECK] == [f"WARN INT-09: {w}" for w in many[:3]]
    assert lines[WARNINGS_SHOWN_PER_CHECK] == (
        "WARN INT-09: ... and 9 more warnings (all in verdict.json)")
    assert lines[-1] == "WARN INT-02: newer version next"  # always one line
    long = warning_lines([_result("INT-09", ["x" * 300])])
    assert len(long) == 1 and len(long[0]) == 110 and long[0].endswith("...")
    assert warning_lines([_result("INT-09", [])]) == []


def _categories(html_text: str) -> dict[str, list[str]]:
    nodes: dict[str, Any] = json.loads(embedded_files(html_text)["widgets/categories.json"])[
        "nodes"]
    return {
        node["name"]: sorted(nodes[child]["value"] for child in node["childrenIds"])
        for node in nodes.values() if node["type"] == "category"
    }


def test_report_command_prints_warns_and_the_html_has_a_warnings_category(
    warned: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir = tmp_path / "out"
    assert report_command(str(warned), str(out_dir)) == 1  # ONB-06 failed; warnings add nothing
    printed = capsys.readouterr().out
    assert "WARN ONB-11: the app never asked for an app token\n" in printed
    assert "Verdict: NOT READY (1 blocker failures)" in printed
    on_disk = json.loads((out_dir / "verdict.json").read_text("utf-8"))
    assert [w["id"] for w in on_disk["warnings"]] == ["ONB-06", "ONB-11", "INT-09", "INT-09",
                                                      "INT-09"]
    assert "<property name=\"warning\"" in (out_dir / "sb-readiness-junit.xml").read_text()
    front = (out_dir / REPORT_FILE).read_text("utf-8")
    assert "the app never asked for an app token" in front  # the reviewer's page lists it too
    assert PLANTED_SECRET not in front
    text = (out_dir / ALLURE_FILE).read_text("utf-8")
    assert _categories(text) == {
        "Blocker failures (verdict NOT READY)": ["ONB-06"],
        "Warnings (not failures, verdict unaffected)": ["INT-09", "ONB-11"],
    }
    nodes = json.loads(embedded_files(text)["widgets/categories.json"])["nodes"]
    warnings_node = next(node for node in nodes.values()
                         if node["name"].startswith("Warnings"))
    # the category's tests stay passed and skipped: the report counts no failure for them
    assert warnings_node["statistic"] == {"total": 3, "passed": 2, "skipped": 1}
    assert PLANTED_SECRET not in text


def test_judge_keeps_warnings_on_either_outcome() -> None:
    from checks.judgement import judge

    ok = judge("INT-10", [], "sane", "storm", warnings=["slower than usual"], requests=3)
    bad = judge("INT-10", ["412 requests"], "sane", "storm", warnings=["slower than usual"])
    assert (ok.passed, ok.warnings, ok.evidence) == (True, ("slower than usual",), {"requests": 3})
    assert (bad.passed, bad.findings, bad.warnings) == (False, ("412 requests",),
                                                        ("slower than usual",))
