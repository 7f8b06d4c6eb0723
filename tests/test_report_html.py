"""The single-file HTML report built by the pinned Allure 3, and `sb-readiness report`."""

from __future__ import annotations

import json
import re
import shutil
import time
from pathlib import Path

import pytest

from sbready.errors import HarnessError, UsageError
from sbready.report import html
from sbready.report.html import (
    ALLURE_FILE,
    ENVIRONMENT_FILE,
    REPORT_FILE,
    build_html,
    embedded_files,
    read_environment_properties,
    report_command,
    strip_network_tags,
)
from tests.test_report_labels import PLANTED_SECRET, write_sample_results

ENV_INFO = {
    "SB version": "6.0.0",
    "Dialect": "observed",
    "App": "Demo Partner",
    "Harness version": "0.1.0",
    "Date": "2025-11-25",
}


class Built:
    """One real Allure build shared by the tests of this module."""

    def __init__(self, results: Path, report: Path, seconds: float) -> None:
        self.results = results
        self.report = report
        self.seconds = seconds
        self.text = report.read_text(encoding="utf-8")
        self.files = embedded_files(self.text)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    workdir = tmp_path_factory.mktemp("html")
    results = write_sample_results(workdir)
    started = time.monotonic()
    report = build_html(results, workdir / "report", title="sb-readiness report: Demo Partner",
                        env_info=ENV_INFO)
    return Built(results, report, time.monotonic() - started)


def test_one_self_contained_file(built: Built) -> None:
    assert built.report.name == ALLURE_FILE
    assert [p.name for p in built.report.parent.iterdir()] == [ALLURE_FILE]
    assert built.text.lstrip().startswith("<!DOCTYPE html>")
    assert "<title> sb-readiness report: Demo Partner </title>" in built.text
    # Strip embedded data, then every src/href left must be inline: nothing to fetch.
    outside_data = re.sub(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=]+", "data:", built.text)
    references = re.findall(r"\b(?:src|href)=[\"']?([^\"' >]+)", outside_data)
    assert references and all(ref.startswith("data:") for ref in references), references
    assert "googletagmanager" not in built.text and "gtag(" not in built.text
    print(f"\nbuild_html took {built.seconds:.2f} s for {len(built.files)} embedded files")
    assert built.seconds < 60


def test_report_embeds_checks_attachments_and_environment(built: Built) -> None:
    results = [json.loads(content) for name, content in built.files.items()
               if name.startswith("data/test-results/")]
    names = {result["name"] for result in results}
    assert names == {
        "ONB-06 Authorize request is well-formed (PKCE S256, state)",
        "INT-03 Request bodies match the schema — missing required field",
        "INT-10 Request volume is sane",
    }
    attachments = [name for name in built.files if name.startswith("data/attachments/")]
    assert len(attachments) == 4
    assert json.loads(built.files["widgets/variables.json"]) == ENV_INFO
    tree = built.files["widgets/tree.json"].decode()
    assert "Working onboarding" in tree and "Working integration" in tree


def test_blocker_failures_get_their_own_category(built: Built) -> None:
    nodes = json.loads(built.files["widgets/categories.json"])["nodes"]
    checks_by_category = {
        node["name"]: [nodes[child]["value"] for child in node["childrenIds"]]
        for node in nodes.values() if node["type"] == "category"
    }
    # INT-03 is a blocker; INT-10 is normal, so it fails without deciding the verdict.
    assert checks_by_category == {
        "Blocker failures (verdict NOT READY)": ["INT-03"],
        "Other failures (reported, verdict unaffected)": ["INT-10"],
    }


def test_planted_secret_is_nowhere_in_results_or_report(built: Built) -> None:
    secret = PLANTED_SECRET.encode()
    for path in built.results.iterdir():
        assert secret not in path.read_bytes(), path.name
    assert secret not in built.text.encode()
    for name, content in built.files.items():
        assert secret not in content, name
    assert any(b"[redacted]" in content for content in built.files.values())


def test_strip_network_tags_keeps_local_scripts() -> None:
    page = ('<script src="data:text/javascript;base64,QQ=="></script>\n'
            '<script async src="https://www.googletagmanager.com/gtag/js?id=G-1"></script>\n'
            "<script>\nwindow.dataLayer = []; function gtag(){dataLayer.push(arguments);}\n"
            "gtag('js', new Date());\n</script>\n<script>window.allure = {};</script>")
    stripped = strip_network_tags(page)
    assert "googletagmanager" not in stripped and "gtag" not in stripped
    assert 'src="data:text/javascript;base64,QQ=="' in stripped
    assert "window.allure = {};" in stripped


def test_missing_results_are_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="does not exist; pass the Allure results directory"):
        report_command(str(tmp_path / "nowhere"), None)
    (tmp_path / "empty").mkdir()
    with pytest.raises(UsageError, match=r"holds no Allure results .*sb-readiness run"):
        report_command(str(tmp_path / "empty"), None)


def test_missing_allure_is_a_harness_error(built: Built, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(html, "_ALLURE", tmp_path / "node_modules" / ".bin" / "allure")
    with pytest.raises(HarnessError, match=r"Allure 3 is not installed; run bash scripts/install"):
        build_html(built.results, tmp_path / "out", title="t", env_info={})


def _fake_allure(tmp_path: Path, body: str, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "allure"
    fake.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setattr(html, "_ALLURE", fake)


def test_slow_allure_is_stopped_at_the_timeout(built: Built, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_allure(tmp_path, "sleep 30", monkeypatch)
    started = time.monotonic()
    with pytest.raises(HarnessError, match=r"did not finish the report within 0.5 s"):
        build_html(built.results, tmp_path / "out", title="t", env_info={}, timeout_s=0.5)
    assert time.monotonic() - started < 10


def test_failing_allure_reports_its_error(built: Built, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_allure(tmp_path, "echo 'config is broken' >&2; exit 3", monkeypatch)
    with pytest.raises(HarnessError, match=r"exit 3\): config is broken"):
        build_html(built.results, tmp_path / "out", title="t", env_info={})
    assert not (tmp_path / "out" / ALLURE_FILE).exists()


def test_environment_properties_are_read(tmp_path: Path) -> None:
    (tmp_path / ENVIRONMENT_FILE).write_text(
        "# written by the run\nSB version=6.0.0\nApp = Demo Partner\n\nbroken line\n",
        encoding="utf-8")
    assert read_environment_properties(tmp_path) == {"SB version": "6.0.0", "App": "Demo Partner"}
    assert read_environment_properties(tmp_path / "none") == {}


def test_report_command_writes_everything_next_to_the_results(
    built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results = tmp_path / "reports" / "allure-results"
    shutil.copytree(built.results, results)
    (results / ENVIRONMENT_FILE).write_text("App=Demo Partner\n", encoding="utf-8")
    assert report_command(str(results), None) == 1  # INT-03 is a blocker and failed
    out = capsys.readouterr().out
    assert "FAIL   INT-03  blocker  POST /api/journalentries lacks the required field" in out
    assert "Verdict: NOT READY (1 blocker failures)" in out
    reports = tmp_path / "reports"
    assert f"Report:       {reports / REPORT_FILE}" in out
    verdict = json.loads((reports / "verdict.json").read_text())
    assert verdict["blocking"] == ["INT-03"]
    assert (reports / "sb-readiness-junit.xml").is_file()
    text = (reports / ALLURE_FILE).read_text(encoding="utf-8")
    assert "<title> sb-readiness report: Demo Partner </title>" in text
    variables = json.loads(embedded_files(text)["widgets/variables.json"])
    assert variables["App"] == "Demo Partner" and variables["Harness version"] == "0.1.0"
    front = (reports / REPORT_FILE).read_text(encoding="utf-8")
    assert '<div class="word">NOT READY</div>' in front
    assert '<a href="#INT-03">INT-03</a>' in front
    assert f'href="{ALLURE_FILE}"' in front


def test_report_command_in_dutch(
    built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results = tmp_path / "reports" / "allure-results"
    shutil.copytree(built.results, results)
    assert report_command(str(results), None, lang="nl") == 1
    out = capsys.readouterr().out
    assert "Oordeel: NIET GEREED (1 blocker-fouten)" in out
    assert "Werkende integratie" in out
    front = (tmp_path / "reports" / REPORT_FILE).read_text(encoding="utf-8")
    assert '<div class="word">NIET GEREED</div>' in front
    assert "Werkende onboarding" in front and 'lang="nl"' in front


def test_report_command_refuses_an_unknown_language(built: Built, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match='must be "en" or "nl"'):
        report_command(str(built.results), str(tmp_path), lang="de")
