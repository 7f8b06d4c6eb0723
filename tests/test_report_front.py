"""The reviewer's page (sbready/report/front.py): verdict first, evidence as prose, reproduce."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import Image

from checks.catalog import AREAS, AREAS_NL, CHECKS, CHECKS_NL
from sbready.report.evidence import (
    JudgementEvidence,
    inline_exchanges,
    read_evidence,
    referenced_seqs,
    write_evidence,
    write_journal_report,
)
from sbready.report.front import FrontPage, embedded_data, logo_data_uri, render
from sbready.report.reproduce import fault_curl, fault_rule
from sbready.report.verdict import CheckResult, decide
from sbready.sandbox.journal import Exchange

SECRET = "s3cr3t-TOKEN-value-1234"


class _Redactor:
    def redact(self, text: str) -> str:
        return text.replace(SECRET, "[redacted]")


def write_exchange(seq: int, status: int, fault: str | None = None) -> Exchange:
    """A journaled salesjournalentry POST, with a secret in a header that must not show."""
    return Exchange(
        seq=seq, started=1_764_870_000.25 + seq, duration_ms=1.2, environment="demo",
        kind="api", client_id="demo", method="POST",
        url="http://127.0.0.1:1/demo/api/salesjournalentry",
        path="/demo/api/salesjournalentry", api_path="/api/salesjournalentry", query={},
        request_headers={"authorization": "Bearer fp:abc123", "accept-version": "2",
                         "user-agent": "python-httpx", "x-debug": SECRET},
        request_content_type="application/json",
        request_body={"InvoiceNumber": "DP-1", "Note": SECRET},
        status=status, response_headers={"content-type": "application/json", "date": "x"},
        response_body={"ExceptionCode": "DS3100", "TraceId": "t-1"},
        operation_id="post_salesjournalentry_2.0_create", fault=fault,
    )


def sample_logo(path: Path) -> Path:
    """A 256x256 PNG logo."""
    buffer = io.BytesIO()
    Image.new("RGB", (256, 256), (20, 90, 160)).save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return path


def _result(check_id: str, status: str, message: str | None = None,
            warnings: tuple[str, ...] = ()) -> CheckResult:
    info = CHECKS[check_id]
    return CheckResult(check_id, status, info.severity, info.area, f"{check_id} {info.title}",
                       message, warnings=warnings)


def sample_page(tmp_path: Path, *, failing: bool, lang: str) -> tuple[str, Path]:
    """Render a page for every check: all pass, or ERR-04 fails with a named exchange."""
    evidence_dir = tmp_path / "evidence"
    exchanges = [write_exchange(48, 400, "ds3100 (fault-3)"), write_exchange(49, 400)]
    results = []
    for check_id in CHECKS:
        if check_id == "ONB-11":
            results.append(_result(check_id, "skipped",
                                   "Skipped: OAuth customer app: its tokens come from the code "
                                   "flow"))
        elif check_id == "ERR-04" and failing:
            finding = ("after #48 POST /demo/api/salesjournalentry -> 400 the identical payload "
                       "was sent again 1 time(s) (#49 POST /demo/api/salesjournalentry -> 400)")
            write_evidence(JudgementEvidence(
                "ERR-04", False, "The app does not handle a 400 DS3100 as AFAS expects.",
                (finding,), exchanges=inline_exchanges([finding], exchanges, _Redactor()),
            ), exchanges, redactor=_Redactor(), directory=evidence_dir)
            results.append(_result(check_id, "failed", "AssertionError: ERR-04: The app ..."))
        else:
            results.append(_result(check_id, "passed",
                                   warnings=("GET /api/persons: SB's answer deviates",)
                                   if check_id == "INT-09" else ()))
    verdict = decide(results)
    page = FrontPage(
        lang=lang, app_name="Demo Partner",
        listing={"name": "Demo Partner", "logo_data_uri": logo_data_uri(
            sample_logo(tmp_path / "logo.png")), "summary": "Books invoices.",
            "description": "Line one.\n\nLine two.", "support_url": "https://example.test/s",
            "onboarding_url": "https://example.test/o"},
        provenance={"tool_version": "0.1.0", "sb_version": "6.0.0", "spec_sha256": "ab" * 32,
                    "config_sha256": "cd" * 32, "command": "sb-readiness demo",
                    "complete": True},
        history=[{"started": "2026-12-01 10:00:00", "ready": False,
                  "checks": {"ERR-04": "failed"}},
                 {"started": "2026-12-02 10:00:00", "ready": True, "checks": {}}],
        history_dir="/tmp/history", allure_file="sb-readiness-allure.html",
        journal_file="sb-readiness-journal.json",
    )
    html = render(verdict, read_evidence(evidence_dir), page)
    output = tmp_path / f"report-{lang}-{'bad' if failing else 'good'}.html"
    output.write_text(html, encoding="utf-8")
    return html, output


def test_passing_page_states_ready_first_with_every_check(tmp_path: Path) -> None:
    html, _ = sample_page(tmp_path, failing=False, lang="en")
    body = html[html.index("<body>"):]
    assert body.index('<div class="word">READY</div>') < body.index("<main>")
    assert f"{len(CHECKS)} of {len(CHECKS)} checks ran" in html
    for check_id in CHECKS:
        assert f'id="{check_id}"' in html
    assert "not applicable: OAuth customer app: its tokens come from the code flow" in html
    assert "Error" not in html and "AssertionError" not in html


def test_areas_follow_afas_review_order_with_their_introductions(tmp_path: Path) -> None:
    html, _ = sample_page(tmp_path, failing=False, lang="en")
    positions = [html.index(f'<h2>{AREAS[prefix]}</h2>') for prefix in ("ONB", "INT", "ERR", "LST")]
    assert positions == sorted(positions)
    assert "AFAS opens your onboarding URL with afasBaseUrl" in html
    assert html.index('id="INT-01"') < html.index('id="INT-02"') < html.index('id="INT-10"')


def test_failing_page_lists_blocking_checks_with_links_and_the_named_exchanges(
    tmp_path: Path,
) -> None:
    html, _ = sample_page(tmp_path, failing=True, lang="en")
    assert '<div class="word">NOT READY</div>' in html
    assert '<li><a href="#ERR-04">ERR-04</a> 400 DS3100 is not resent blindly (critical)' in html
    assert "the identical payload was sent again 1 time(s)" in html
    assert '<a href="#ERR-04-x48">#48</a>' in html and 'id="ERR-04-x49"' in html
    assert "accept-version: 2" in html and "user-agent" not in html and "date: x" not in html
    assert SECRET not in html
    assert "sb-readiness run --config readiness.toml --only ERR-04" in html
    assert '\'{"kind":"ds3100","method":"POST","path":"/api/salesjournalentry",' \
           '"environment":"demo"}\'' in html.replace("&#x27;", "'").replace("&quot;", '"')


def test_dutch_page_uses_afas_words_and_translates_findings(tmp_path: Path) -> None:
    html, _ = sample_page(tmp_path, failing=True, lang="nl")
    assert '<div class="word">NIET GEREED</div>' in html and 'lang="nl"' in html
    for name in AREAS_NL.values():
        assert f"<h2>{name}</h2>" in html
    assert CHECKS_NL["ERR-04"][0] in html
    assert "De app handelt een 400 DS3100 niet af zoals AFAS verwacht." in html
    assert "werd dezelfde payload nog 1 keer verstuurd" in html
    assert "niet van toepassing: OAuth customer app" in html
    good, _ = sample_page(tmp_path, failing=False, lang="nl")
    assert '<div class="word">GEREED</div>' in good
    assert f"{len(CHECKS)} van {len(CHECKS)} checks uitgevoerd" in good


def test_listing_card_provenance_and_history(tmp_path: Path) -> None:
    html, _ = sample_page(tmp_path, failing=False, lang="en")
    assert '<img class="logo" alt="Demo Partner" src="data:image/png;base64,' in html
    assert "Line one.\n\nLine two." in html and "https://example.test/s" in html
    assert '<a class="badge ok" href="#LST-01">LST-01 passed</a>' in html
    assert "ab" * 32 in html and "cd" * 32 in html and "sb-readiness demo" in html
    assert '<i class="t bad" title="2026-12-01 10:00:00: failed">' in html  # ERR-04's trend
    data = json.loads(embedded_data(html) or b"{}")
    assert data["verdict"] == "READY" and data["areas"]["ERR"] == "Working error handling"


def test_evidence_keeps_the_journal_once_and_only_named_exchanges(tmp_path: Path) -> None:
    exchanges = [write_exchange(seq, 200) for seq in range(1, 6)]
    assert referenced_seqs(["after #3 POST x -> 400 (#5 POST x -> 400)", "#3 again"]) == [3, 5]
    for _ in range(2):  # two checks given the same exchanges
        write_evidence(JudgementEvidence("INT-10", True, "ok"), exchanges,
                       directory=tmp_path, redactor=_Redactor())
    journal = write_journal_report(tmp_path, tmp_path / "journal.json")
    assert journal is not None
    assert [entry["seq"] for entry in json.loads(journal.read_text())] == [1, 2, 3, 4, 5]
    assert SECRET not in journal.read_text()
    shown = inline_exchanges(["after #2 POST x -> 200"], exchanges, None)
    assert [x.seq for x in shown] == [2]


@pytest.mark.parametrize(("fault", "rule"), [
    ("status 503, Retry-After 2 (fault-1)", {"kind": "status", "status": 503, "retry_after": 2.0}),
    ("write_result Failed (entry made) (fault-4)",
     {"kind": "write_result", "result": "Failed", "made": True}),
    ("timeout: held 10 s, then dropped without an answer (fault-2)",
     {"kind": "timeout", "hold": 10.0}),
    ("response_lost: processed, then dropped without an answer (f)", {"kind": "response_lost"}),
    ("ds3100 (fault-3)", {"kind": "ds3100"}),
])
def test_journaled_faults_become_control_api_calls(fault: str, rule: dict[str, object]) -> None:
    made = fault_rule({"fault": fault, "method": "POST", "path": "/api/salesjournalentry",
                       "environment": "demo"})
    assert made == {**rule, "method": "POST", "path": "/api/salesjournalentry",
                    "environment": "demo"}
    curl = fault_curl(made)
    assert curl.startswith('curl -s -X POST -H "X-Sbready-Key: $SBREADY_KEY"')
    assert curl.endswith("http://127.0.0.1:8600/_sbready/faults")
    assert fault_rule({"fault": "status 503 (f); not applied: replayed from the cache"}) is None


def test_listing_card_shows_what_placeholders_became_in_this_run(tmp_path: Path) -> None:
    write_evidence(JudgementEvidence(
        "LST-02", True, "The support URL answers 200 over https.",
        extra={"attachments": {"support_url": {"url": "https://127.0.0.1:4443/support"}}},
    ), directory=tmp_path)
    results = [_result(check_id, "passed") for check_id in CHECKS]
    page = FrontPage(listing={"support_url": "https://127.0.0.1:{app_port}/support"})
    html = render(decide(results), read_evidence(tmp_path), page)
    assert ("<code>https://127.0.0.1:{app_port}/support</code><br>"
            '<code class="muted">https://127.0.0.1:4443/support</code>') in html
