"""The verdict, the terminal summary, verdict.json and the per-check JUnit file."""

from __future__ import annotations

import json
import re
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from checks.catalog import CHECKS
from sbready.report.junit import junit_xml, write_junit
from sbready.report.verdict import (
    decide,
    first_line,
    read_results,
    summary_lines,
    write_verdict_json,
)


def write_result(
    results: Path,
    check_id: str | None,
    status: str,
    *,
    severity: str | None = None,
    message: str | None = None,
) -> None:
    """One Allure result file as allure-pytest writes it (only the fields the verdict reads)."""
    info = CHECKS.get(check_id or "")
    labels = [{"name": "framework", "value": "pytest"}]
    if check_id is not None:
        labels.append({"name": "check_id", "value": check_id})
        labels.append({"name": "severity", "value": severity or (info.severity if info else "")})
        if info:
            labels.append({"name": "epic", "value": info.area})
    raw: dict[str, Any] = {"name": f"{check_id} test", "status": status, "labels": labels}
    if message is not None:
        raw["statusDetails"] = {"message": message}
    results.mkdir(exist_ok=True)
    (results / f"{uuid.uuid4()}-result.json").write_text(json.dumps(raw), encoding="utf-8")


def test_worst_status_wins_per_check(tmp_path: Path) -> None:
    write_result(tmp_path, "ONB-06", "passed")
    write_result(tmp_path, "ONB-06", "failed", message="AssertionError: ONB-06: constant state")
    write_result(tmp_path, "ONB-06", "broken", message="HarnessError: app never ready")
    write_result(tmp_path, "ONB-01", "passed")
    write_result(tmp_path, "ONB-01", "skipped", message="production mode only")
    write_result(tmp_path, "INT-01", "broken", message="HarnessError: sandbox crashed")
    by_id = {r.check_id: r for r in read_results(tmp_path)}
    assert by_id["ONB-06"].status == "failed"  # a definite failure outranks a broken test
    assert by_id["ONB-06"].tests == 3
    assert by_id["ONB-06"].message == "AssertionError: ONB-06: constant state"
    assert by_id["ONB-01"].status == "skipped"
    assert by_id["INT-01"].status == "broken"
    assert [r.check_id for r in read_results(tmp_path)] == ["ONB-01", "ONB-06", "INT-01"]


def test_unlabelled_and_unreadable_results_are_ignored(tmp_path: Path) -> None:
    write_result(tmp_path, None, "failed", message="a harness self-test")
    (tmp_path / "broken-result.json").write_text("{not json", encoding="utf-8")
    (tmp_path / "x-attachment.json").write_text("[]", encoding="utf-8")
    write_result(tmp_path, "LST-03", "passed")
    assert [r.check_id for r in read_results(tmp_path)] == ["LST-03"]


def test_failed_normal_check_keeps_ready(tmp_path: Path) -> None:
    write_result(tmp_path, "ONB-06", "passed")
    write_result(tmp_path, "INT-10", "failed", message="request storm")
    verdict = decide(read_results(tmp_path))
    assert verdict.ready
    assert verdict.headline == "READY"
    assert verdict.blocking == ()


def test_failed_critical_check_makes_not_ready(tmp_path: Path) -> None:
    write_result(tmp_path, "ONB-06", "passed")
    write_result(tmp_path, "INT-02", "failed", message="Accept-Version missing")
    verdict = decide(read_results(tmp_path))
    assert not verdict.ready
    assert verdict.headline == "NOT READY (1 critical failures)"
    assert [r.check_id for r in verdict.blocking] == ["INT-02"]


def test_broken_blockers_count_and_the_headline_adds_up(tmp_path: Path) -> None:
    write_result(tmp_path, "ONB-06", "failed", message="plain PKCE")
    write_result(tmp_path, "ONB-08", "broken", message="HarnessError: callback never came")
    write_result(tmp_path, "ERR-03", "failed", message="hammering")
    write_result(tmp_path, "ERR-07", "failed", message="ignores Retry-After")  # normal
    verdict = decide(read_results(tmp_path))
    assert verdict.headline == "NOT READY (2 blocker, 1 critical failures)"


def test_no_results_is_not_ready(tmp_path: Path) -> None:
    verdict = decide(read_results(tmp_path))
    assert not verdict.ready
    assert verdict.headline == "NOT READY (no checks ran)"


def test_summary_lines_table_failures_not_run_and_verdict(tmp_path: Path) -> None:
    write_result(tmp_path, "ONB-06", "failed",
                 message="sbready.report.allure_labels.CheckFailed: ONB-06: state is constant\n"
                         "  - attempt 1 and 2 sent state=abc")
    write_result(tmp_path, "ONB-01", "passed")
    write_result(tmp_path, "INT-09", "skipped", message="no live SB target configured")
    results = read_results(tmp_path)
    lines = summary_lines(results)
    onboarding = next(line for line in lines if line.startswith("Working onboarding"))
    # passed failed broken skipped not-run warnings; of the ONB checks, 2 ran.
    onb = sum(1 for check_id in CHECKS if check_id.startswith("ONB-"))
    assert onboarding.split()[-6:] == ["1", "1", "0", "0", str(onb - 2), "0"]
    integration = next(line for line in lines if line.startswith("Working integration"))
    assert integration.split()[-6:] == ["0", "0", "0", "1", "9", "0"]
    assert not any(line.startswith("WARN ") for line in lines)
    assert any(re.fullmatch(r"FAIL\s+ONB-06\s+blocker\s+state is constant", line)
               for line in lines)
    assert any(re.fullmatch(r"SKIP\s+INT-09\s+critical\s+no live SB target configured", line)
               for line in lines)
    not_run = next(line for line in lines if line.startswith("Not run"))
    assert not_run.startswith(f"Not run ({len(CHECKS) - 3}): ONB-02, ONB-03")
    assert "ONB-06" not in not_run
    assert lines[-1] == "Verdict: NOT READY (1 blocker failures)"


def test_ready_partial_run_says_what_it_covers(tmp_path: Path) -> None:
    write_result(tmp_path, "ONB-06", "passed")
    lines = summary_lines(read_results(tmp_path))
    assert "Verdict: READY" in lines
    assert lines[-1] == f"(READY covers the 1 checks that ran; {len(CHECKS) - 1} did not run.)"


def test_first_line_strips_exception_class_and_repeated_id() -> None:
    message = "sbready.report.allure_labels.CheckFailed: ONB-06: state is constant\nmore"
    assert first_line(message, "ONB-06") == "state is constant"
    assert first_line("AssertionError: assert 1 == 2", "ONB-06") == "assert 1 == 2"
    assert first_line(None) == "(no message)"
    assert first_line("x" * 300).endswith("...")
    assert len(first_line("x" * 300)) == 110


def test_verdict_json_for_ci(tmp_path: Path) -> None:
    results_dir = tmp_path / "allure-results"
    write_result(results_dir, "ONB-06", "failed", message="ONB-06: plain PKCE")
    write_result(results_dir, "LST-03", "passed")
    verdict = decide(read_results(results_dir))
    path = write_verdict_json(verdict, tmp_path)
    data = json.loads(path.read_text())
    assert path == tmp_path / "verdict.json"
    assert data["verdict"] == "NOT READY"
    assert data["ready"] is False
    assert data["complete"] is False
    assert data["blocking"] == ["ONB-06"]
    assert len(data["not_run"]) == len(CHECKS) - 2
    onb06 = next(c for c in data["checks"] if c["id"] == "ONB-06")
    assert onb06 == {"id": "ONB-06", "status": "failed", "severity": "blocker",
                     "area": "Working onboarding", "title": CHECKS["ONB-06"].title,
                     "tests": 1, "message": "plain PKCE"}
    assert data["areas"]["App Center listing"]["passed"] == 1
    assert data["warnings"] == [] and data["areas"]["App Center listing"]["warnings"] == 0


def test_junit_has_one_case_per_check(tmp_path: Path) -> None:
    write_result(tmp_path, "ONB-06", "failed", message="ONB-06: plain PKCE\nfull evidence")
    write_result(tmp_path, "INT-01", "broken", message="HarnessError: sandbox crashed")
    write_result(tmp_path, "LST-03", "passed")
    root = ET.fromstring(junit_xml(decide(read_results(tmp_path))))
    cases = {case.get("name", "").split()[0]: case for case in root.iter("testcase")}
    assert set(cases) == set(CHECKS)
    failure = cases["ONB-06"].find("failure")
    assert failure is not None and failure.get("message") == "[blocker] plain PKCE"
    assert "full evidence" in (failure.text or "")
    assert cases["INT-01"].find("error") is not None
    assert list(cases["LST-03"]) == []  # passed: no child element
    skipped = cases["ERR-10"].find("skipped")
    assert skipped is not None and skipped.get("message") == "not run"
    assert root.get("tests") == str(len(CHECKS))
    assert (root.get("failures"), root.get("errors")) == ("1", "1")
    assert root.get("skipped") == str(len(CHECKS) - 3)
    suites = [suite.get("name") for suite in root.iter("testsuite")]
    assert suites == ["Working onboarding", "App Center listing", "Working integration",
                      "Working error handling"]
    assert write_junit(decide(read_results(tmp_path)), tmp_path / "out").name == \
        "sb-readiness-junit.xml"
