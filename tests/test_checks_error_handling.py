"""The ERR-02..ERR-10 judgements over synthetic exchanges: branches a demo run cannot reach."""

from __future__ import annotations

from typing import Any

from checks import error_handling
from checks.error_handling import UnusualRun
from sbready.sandbox.journal import Exchange

ENTRY = "/api/salesjournalentry"
READ = "get_administrations_1.0"


def exchange(seq: int, *, kind: str = "api", method: str = "GET", api_path: str | None = None,
             status: int = 200, started: float | None = None, body: Any = None,
             response_body: Any = None, response_headers: dict[str, str] | None = None,
             operation_id: str | None = None, fault: str | None = None,
             **facts: Any) -> Exchange:
    """One journaled exchange; `started` defaults to `seq` seconds."""
    path = f"/demo{api_path}" if api_path else "/demo/app/token"
    return Exchange(
        seq=seq, started=float(seq) if started is None else started, duration_ms=10.0,
        environment="demo", kind=kind, client_id="demo-partner", method=method,
        url=f"http://sb{path}", path=path, api_path=api_path, query={}, request_headers={},
        request_content_type=None, request_body=body, status=status,
        response_headers=response_headers or {}, response_body=response_body,
        operation_id=operation_id, fault=fault, facts=facts,
    )


def refresh(seq: int, status: int = 400) -> Exchange:
    return exchange(seq, kind="token", method="POST", status=status, grant_type="refresh_token")


# --- ERR-02 ---------------------------------------------------------------------------------

def test_success_after_withdrawn_consent_is_silent_success() -> None:
    judgement = error_handling.refresh_rejected_stops(
        [refresh(1)], sync_outcome="synced", sync_output="posted 3 entries")
    assert not judgement.passed and "reported success" in judgement.findings[0]


def test_failure_without_a_reauthorization_hint_is_a_finding() -> None:
    judgement = error_handling.refresh_rejected_stops(
        [refresh(1)], sync_outcome="failed", sync_output="error 42")
    assert not judgement.passed and "without saying re-authorization" in judgement.findings[0]


def test_clear_stop_passes() -> None:
    judgement = error_handling.refresh_rejected_stops(
        [refresh(1)], sync_outcome="failed", sync_output="Please re-authorize the connection")
    assert judgement.passed, judgement.message()


# --- ERR-03 / ERR-04 ------------------------------------------------------------------------

def test_no_forbidden_call_cannot_be_judged() -> None:
    judgement = error_handling.forbidden_reported([], READ, sync_outcome="synced",
                                                  sync_output="")
    assert not judgement.passed and "did not call" in judgement.sentence


def test_silent_success_after_403_is_a_finding() -> None:
    forbidden = exchange(1, api_path="/api/administrations", status=403, operation_id=READ)
    judgement = error_handling.forbidden_reported([forbidden], READ, sync_outcome="synced",
                                                  sync_output="all fine")
    assert not judgement.passed and "without mentioning" in judgement.findings[0]


def test_missing_trace_id_in_the_output_is_a_finding() -> None:
    rejected = exchange(1, method="POST", api_path=ENTRY, status=400, body={"a": 1},
                        response_body={"TraceId": "abc123", "ExceptionCode": "DS3100"})
    judgement = error_handling.rejected_not_resent([rejected], sync_outcome="failed",
                                                   sync_output="the entry failed")
    assert not judgement.passed and "abc123" in judgement.findings[0]


# --- ERR-06 / ERR-07 ------------------------------------------------------------------------

def _attempt(seq: int, status: int, started: float) -> Exchange:
    return exchange(seq, api_path="/api/administrations", status=status, started=started,
                    operation_id=READ, fault="status 503" if status == 503 else None)


def test_constant_delay_is_not_increasing() -> None:
    attempts = [_attempt(1, 503, 0.0), _attempt(2, 503, 1.0), _attempt(3, 200, 2.0)]
    judgement = error_handling.backoff_on_unavailable(attempts, READ, sync_outcome="synced",
                                                      sync_output="")
    assert not judgement.passed and "did not increase" in judgement.findings[0]


def test_giving_up_after_503_is_a_finding() -> None:
    attempts = [_attempt(1, 503, 0.0), _attempt(2, 503, 0.5)]
    judgement = error_handling.backoff_on_unavailable(attempts, READ, sync_outcome="failed",
                                                      sync_output="SB unavailable")
    assert not judgement.passed and "did not retry until" in judgement.findings[0]


def test_no_retry_after_429_is_a_finding() -> None:
    throttled = exchange(1, api_path="/api/administrations", status=429, operation_id=READ,
                         response_headers={"retry-after": "1"})
    judgement = error_handling.retry_after_honoured([throttled], READ)
    assert not judgement.passed and "did not try again" in judgement.findings[0]


def test_waiting_long_enough_passes() -> None:
    throttled = exchange(1, api_path="/api/administrations", status=429, operation_id=READ,
                         started=10.0, response_headers={"retry-after": "1"})
    retry = exchange(2, api_path="/api/administrations", operation_id=READ, started=11.02)
    assert error_handling.retry_after_honoured([throttled, retry], READ).passed


# --- ERR-08 ---------------------------------------------------------------------------------

def test_lost_write_without_identifier_and_duplicated_in_sb() -> None:
    body = {"InvoiceNumber": "X-1"}
    lost = exchange(1, method="POST", api_path=ENTRY, status=0, body=body, fault="timeout",
                    tracking_identifier=None)
    retry = exchange(2, method="POST", api_path=ENTRY, body=body, tracking_identifier=None)
    written = [{**body, "Id": "1"}, {**body, "Id": "2"}]
    judgement = error_handling.retried_with_same_identifier(
        [lost, retry], written, sync_outcome="synced", sync_output="")
    assert not judgement.passed
    assert any("no Tracking-Identifier" in f for f in judgement.findings)
    assert any("2 times" in f for f in judgement.findings)


# --- ERR-09 / ERR-10 ------------------------------------------------------------------------

def test_signal_death_and_silent_failure_are_findings() -> None:
    judgement = error_handling.unusual_responses_survived([
        UnusualRun("nulls", "failed", -11, "segfault?"),
        UnusualRun("empty lists", "failed", 1, ""),
        UnusualRun("sparse records", "synced", 0, "ok"),
    ])
    assert not judgement.passed and len(judgement.findings) == 2


def test_silent_success_when_unreachable_is_a_finding() -> None:
    judgement = error_handling.unreachable_reported(
        sync_outcome="synced", sync_output="", duration_s=1.0, limit_s=10, attempts=3)
    assert not judgement.passed and "reported success" in judgement.findings[0]


def test_too_slow_a_report_is_a_finding() -> None:
    judgement = error_handling.unreachable_reported(
        sync_outcome="failed", sync_output="gave up", duration_s=11.0, limit_s=10, attempts=3)
    assert not judgement.passed and "limit 10 s" in judgement.findings[0]
