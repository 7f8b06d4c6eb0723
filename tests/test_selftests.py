"""The good demo through the whole checklist: READY, warnings, secrets, the HTML report."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.selftest import VariantRun, run_variant

SLICE = ("LST-01", "LST-02", "LST-03", "LST-04", "LST-05", "ONB-02", "ONB-06", "ONB-07",
         "ONB-08", "INT-01", "INT-02", "INT-03", "ERR-01")

# The flawed variants each check must catch are rows of one table: tests/selftest_table.py.


@pytest.mark.parametrize("check_id", SLICE)
def test_good_demo_passes(good_demo: VariantRun, check_id: str) -> None:
    assert good_demo.statuses.get(check_id) == "passed", good_demo.messages.get(check_id)


def test_good_demo_is_ready(good_demo: VariantRun) -> None:
    assert good_demo.outcome.exit_code == 0
    assert any("READY" in line for line in good_demo.outcome.lines)


def test_good_demo_reports_int09_schema_deviations_as_warnings(good_demo: VariantRun) -> None:
    """The observed dialect answers off-schema (nulls for strings): INT-09 passes, warning."""
    import json
    import xml.etree.ElementTree as ET

    reports = good_demo.outcome.results_dir.parent
    verdict = json.loads((reports / "verdict.json").read_text("utf-8"))
    assert verdict["verdict"] == "READY" and good_demo.statuses["INT-09"] == "passed"
    int09 = [w["message"] for w in verdict["warnings"] if w["id"] == "INT-09"]
    assert any("deviates from its published schema" in m for m in int09), verdict["warnings"]
    assert verdict["areas"]["Working integration"]["warnings"] >= len(int09)
    case = next(c for c in ET.parse(reports / "sb-readiness-junit.xml").iter("testcase")
                if c.get("name", "").startswith("INT-09 "))
    assert case.find("failure") is None and case.find("error") is None
    assert [p.get("value") for p in case.iter("property") if p.get("name") == "warning"] == int09
    assert any(line.startswith("WARN INT-09: ") for line in good_demo.outcome.lines)
    assert good_demo.outcome.lines[-1] == "Verdict: READY"


def _planted_secrets(run: VariantRun) -> list[str]:
    """The client secret, the user's password, and every token and verifier the app held."""
    import sqlite3

    secrets = [run.environ["DEMO_PARTNER_CLIENT_SECRET"], run.environ["DEMO_PARTNER_PASSWORD"]]
    database = run.outcome.results_dir.parent.parent / "work" / "demo.sqlite"
    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT access_token, refresh_token FROM connections").fetchall()
        rows += db.execute("SELECT verifier, NULL FROM auth_attempts").fetchall()
    return secrets + [value for row in rows for value in row if value]


def _report_texts(reports: Path) -> dict[str, str]:
    """Every file of the reports folder as text, the HTML's embedded data files included."""
    from sbready.report.html import embedded_files

    texts = {}
    for path in reports.rglob("*"):
        if path.is_file():
            text = path.read_bytes().decode("utf-8", errors="replace")
            texts[str(path)] = text
            if path.suffix == ".html":
                for name, data in embedded_files(text).items():
                    texts[f"{path}!{name}"] = data.decode("utf-8", errors="replace")
    return texts


def test_no_secret_anywhere_in_the_reports(good_demo: VariantRun) -> None:
    secrets = _planted_secrets(good_demo)
    assert len(secrets) >= 4, "the demo run left no tokens to look for"
    reports = good_demo.outcome.results_dir.parent
    texts = _report_texts(reports)
    assert len(texts) > 20, "the reports folder is unexpectedly empty"
    leaks = [(name, secret[:6]) for name, text in texts.items() for secret in secrets
             if secret in text]
    assert not leaks, f"secrets found in the reports: {leaks}"
    # tokens issued earlier in the run are gone from the app's database: judge their shape
    shapes = [(name, match.group(0)[:40]) for name, text in texts.items()
              for match in _UNREDACTED.finditer(text)]
    assert not shapes, f"unredacted credentials in the reports: {shapes}"


_UNREDACTED = re.compile(
    r"Bearer (?!fp:|\[redacted\])[A-Za-z0-9._~+/-]{8,}"
    r"|[\"']?(?:access_token|refresh_token|client_secret|code_verifier|apptoken|password)"
    r"[\"']?\s*[:=]\s*[\"']?(?!fp:|\[redacted\]|\$\{)[A-Za-z0-9._~+/-]{8,}"
)


def test_html_report_is_one_file_with_every_area_and_check(good_demo: VariantRun) -> None:
    from checks.catalog import AREAS, CHECKS
    from sbready.report.html import embedded_files

    html_path = good_demo.outcome.html_path
    assert html_path is not None and html_path.is_file()
    html = html_path.read_text("utf-8")
    data = "\n".join(d.decode("utf-8", errors="replace") for d in embedded_files(html).values())
    for area in AREAS.values():
        assert area in data, f"the report does not show the area {area}"
    for check_id in CHECKS:  # the shared good run covers the whole checklist
        assert check_id in data, f"the report does not show {check_id}"
    assert not re.search(r"<script[^>]+src=[\"']?https?://", html), "the report loads remote code"


APP_TOKEN_SLICE = ("ONB-02", "INT-01", "INT-02", "INT-03", "ERR-01")


def test_app_token_demo_passes_the_slice(tmp_path: Path) -> None:
    run = run_variant(tmp_path, auth="apptoken", only=APP_TOKEN_SLICE)
    assert {check: run.statuses.get(check) for check in APP_TOKEN_SLICE} == dict.fromkeys(
        APP_TOKEN_SLICE, "passed"), run.messages


def test_failing_checks_leak_no_secret_and_carry_the_check_id_title(tmp_path: Path) -> None:
    import json

    run = run_variant(tmp_path, flaws=["no_state_check", "no_refresh_on_401"],
                      only=["ONB-08", "ERR-01", "LST-03"], html=True)
    assert run.statuses == {"ONB-08": "failed", "ERR-01": "failed", "LST-03": "passed"}
    texts = _report_texts(run.outcome.results_dir.parent)
    secrets = _planted_secrets(run)
    leaks = [(name, secret[:6]) for name, text in texts.items() for secret in secrets
             if secret in text]
    assert not leaks, f"secrets found in a failing run's reports: {leaks}"
    names = sorted(json.loads(path.read_text("utf-8"))["name"]
                   for path in run.outcome.results_dir.glob("*-result.json"))
    assert [name.split()[0] for name in names] == ["ERR-01", "LST-03", "ONB-08"], names
