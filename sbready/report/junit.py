"""JUnit XML with one test case per check ID, for CI systems that read JUnit.

pytest's own --junitxml lists test functions; this file lists checks, so a CI dashboard
shows "ONB-06 Authorize request is well-formed" with its evidence sentence, and checks
that did not run appear as skipped instead of disappearing. A check's warnings become
`<property name="warning" value="..."/>` entries and lines in its `<system-out>`; they
never turn a passed case into a failure.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from checks.catalog import CHECKS
from sbready.report.verdict import CheckResult, Verdict, first_line

JUNIT_FILE = "sb-readiness-junit.xml"


def _case(suite: ET.Element, check_id: str, result: CheckResult | None) -> None:
    info = CHECKS.get(check_id)
    title = info.title if info else (result.name if result else check_id)
    case = ET.SubElement(suite, "testcase", classname=suite.get("name", ""),
                         name=f"{check_id} {title}")
    if result is None:
        ET.SubElement(case, "skipped", message="not run")
        return
    if result.warnings:  # properties come first in a testcase, as JUnit readers expect
        properties = ET.SubElement(case, "properties")
        for warning in result.warnings:
            ET.SubElement(properties, "property", name="warning", value=warning)
    message = first_line(result.message, check_id)
    severity = f"[{result.severity}] "
    if result.status == "failed":
        element = ET.SubElement(case, "failure", message=severity + message, type="CheckFailed")
        element.text = result.message or ""
    elif result.status in ("broken", "unknown"):
        element = ET.SubElement(case, "error", message=severity + message, type="HarnessError")
        element.text = result.message or ""
    elif result.status == "skipped":
        ET.SubElement(case, "skipped", message=message)
    if result.warnings:
        output = ET.SubElement(case, "system-out")
        output.text = "".join(f"WARN {check_id}: {warning}\n" for warning in result.warnings)


def junit_xml(verdict: Verdict) -> str:
    """The JUnit document: a testsuite per review area, a testcase per check."""
    by_id = {r.check_id: r for r in verdict.results}
    ordered_ids = list(CHECKS) + [cid for cid in by_id if cid not in CHECKS]
    root = ET.Element("testsuites", name="sb-readiness", tests="0", failures="0", errors="0",
                      skipped="0")
    suites: dict[str, ET.Element] = {}
    for check_id in ordered_ids:
        result = by_id.get(check_id)
        if result is None and check_id not in verdict.not_run:
            continue  # outside this run's expected set (e.g. --only)
        area = CHECKS[check_id].area if check_id in CHECKS else (result.area if result else "")
        suite = suites.get(area)
        if suite is None:
            suite = suites[area] = ET.SubElement(root, "testsuite", name=area)
        _case(suite, check_id, result)
    totals = dict.fromkeys(("tests", "failures", "errors", "skipped"), 0)
    for suite in suites.values():
        counts = {
            "tests": len(suite.findall("testcase")),
            "failures": len(suite.findall("testcase/failure")),
            "errors": len(suite.findall("testcase/error")),
            "skipped": len(suite.findall("testcase/skipped")),
        }
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def write_junit(verdict: Verdict, directory: Path) -> Path:
    """Write `sb-readiness-junit.xml` into `directory` and return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / JUNIT_FILE
    path.write_text(junit_xml(verdict), encoding="utf-8")
    return path

