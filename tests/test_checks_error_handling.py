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


def test_failure_with_an_unclassified_message_passes_with_a_warning_quoting_it() -> None:
    judgement = error_handling.refresh_rejected_stops(
        [refresh(1)], sync_outcome="failed", sync_output="error 42")
    assert judgement.passed, judgement.message()
    assert "does not clearly say that re-authorization is needed" in judgement.warnings[0]
    assert "'error 42'" in judgement.warnings[0]


def test_failure_without_any_message_is_a_finding() -> None:
    judgement = error_handling.refresh_rejected_stops(
        [refresh(1)], sync_outcome="failed", sync_output="  ")
    assert not judgement.passed and "failed without a message" in judgement.findings[0]


def test_dutch_reauthorization_passes_without_a_warning() -> None:
    for output in ("De koppeling is verlopen; koppel opnieuw via de AFAS App Center.",
                   "App-token geweigerd: activeer de app opnieuw in de App Center.",
                   "Geef opnieuw toestemming in AFAS SB."):
        judgement = error_handling.refresh_rejected_stops(
            [refresh(1)], sync_outcome="failed", sync_output=output)
        assert judgement.passed and not judgement.warnings, (output, judgement.warnings)


def test_json_status_of_an_http_sync_counts_as_the_outcome() -> None:
    failed_json = '{"status": "reauthorization_needed", "bericht": "Koppel opnieuw."}'
    judgement = error_handling.refresh_rejected_stops(
        [refresh(1)], sync_outcome="synced", sync_output=failed_json)
    assert judgement.passed and not judgement.warnings, judgement.message()
    ok_json = '{"status": "ok"}'
    judgement = error_handling.refresh_rejected_stops(
        [refresh(1)], sync_outcome="synced", sync_output=ok_json)
    assert not judgement.passed and "reported success" in judgement.findings[0]


def test_clear_stop_passes() -> None:
    judgement = error_handling.refresh_rejected_stops(
        [refresh(1)], sync_outcome="failed", sync_output="Please re-authorize the connection")
    assert judgement.passed, judgement.message()


# --- ERR-03 / ERR-04 ------------------------------------------------------------------------

def test_no_forbidden_call_cannot_be_judged() -> None:
    judgement = error_handling.forbidden_reported([], READ, sync_outcome="synced",
                                                  sync_output="")
    assert not judgement.passed and "did not call" in judgement.sentence


def _forbidden(seq: int = 1) -> Exchange:
    return exchange(seq, api_path="/api/administrations", status=403, operation_id=READ)


def test_silent_success_after_403_is_a_finding() -> None:
    judgement = error_handling.forbidden_reported([_forbidden()], READ, sync_outcome="synced",
                                                  sync_output="")
    assert not judgement.passed and "said nothing about the refused" in judgement.findings[0]


def test_unclassified_report_after_403_is_a_warning_quoting_it() -> None:
    judgement = error_handling.forbidden_reported([_forbidden()], READ, sync_outcome="synced",
                                                  sync_output="all fine")
    assert judgement.passed and "'all fine'" in judgement.warnings[0]


def test_dutch_403_report_passes_and_hammering_fails() -> None:
    dutch = "Synchronisatie gestopt: geen rechten op de administraties in AFAS SB."
    judgement = error_handling.forbidden_reported([_forbidden()], READ, sync_outcome="failed",
                                                  sync_output=dutch)
    assert judgement.passed and not judgement.warnings, judgement.message()
    hammered = error_handling.forbidden_reported(
        [_forbidden(n) for n in range(1, 6)], READ, sync_outcome="failed", sync_output=dutch)
    assert not hammered.passed and "5 requests got 403 in demo" in hammered.findings[0]


def test_403_retried_once_in_each_environment_of_an_admin_app_passes() -> None:
    """Rights are per environment: one retry each in demo, acme and atlas is not hammering."""
    from dataclasses import replace

    calls = [replace(_forbidden(n), environment=env)
             for n, env in enumerate(("demo", "demo", "acme", "acme", "atlas", "atlas"), 1)]
    judgement = error_handling.forbidden_reported(
        calls, READ, sync_outcome="failed", sync_output="Geen rechten op de administraties.")
    assert judgement.passed, judgement.message()
    three = calls + [replace(_forbidden(7), environment="acme")]
    again = error_handling.forbidden_reported(three, READ, sync_outcome="failed",
                                              sync_output="Geen rechten.")
    assert not again.passed and "3 requests got 403 in acme" in again.findings[0]


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


def test_constant_delay_is_a_cautious_policy_warning() -> None:
    attempts = [_attempt(1, 503, 0.0), _attempt(2, 503, 1.0), _attempt(3, 200, 2.0)]
    judgement = error_handling.backoff_on_unavailable(attempts, READ, sync_outcome="synced",
                                                      sync_output="")
    assert judgement.passed and "did not increase" in judgement.warnings[0]


def test_tight_retry_loop_after_503_is_a_finding() -> None:
    attempts = [_attempt(1, 503, 0.0), _attempt(2, 503, 0.01), _attempt(3, 200, 0.02)]
    judgement = error_handling.backoff_on_unavailable(attempts, READ, sync_outcome="synced",
                                                      sync_output="")
    assert not judgement.passed and "first retry came 0.01 s" in judgement.findings[0]


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


def test_stopping_with_a_report_after_429_is_a_cautious_warning() -> None:
    throttled = exchange(1, api_path="/api/administrations", status=429, operation_id=READ,
                         response_headers={"retry-after": "1"})
    judgement = error_handling.retry_after_honoured(
        [throttled], READ, sync_outcome="failed", sync_output="AFAS SB is druk; later opnieuw.")
    assert judgement.passed and "stopped and reported" in judgement.warnings[0]


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


def test_a_server_that_logs_a_stack_trace_on_a_valid_answer_crashed() -> None:
    """An HTTP sync's own server catches its crash and answers a clean 500: still a crash."""
    log = ("ERROR relatiesync.worker sync failed\nTraceback (most recent call last):\n"
           '  File "sync.py", line 88, in mirror\nKeyError: \'Name\'\n')
    runs = [UnusualRun("sparse records", "failed", None, '{"status": "error"}', app_log=log),
            UnusualRun("nulls", "synced", None, '{"status": "ok"}', app_log="INFO ok\n")]
    judgement = error_handling.unusual_responses_survived(runs)
    assert not judgement.passed
    assert "sparse records: the app logged a stack trace" in judgement.findings[0]
    assert "KeyError: 'Name'" in judgement.findings[0]


def test_a_sync_that_fails_cleanly_with_every_unusual_answer_passes() -> None:
    """An app that needs the data to book may stop with a report each time (no warning)."""
    runs = [UnusualRun(variant, "failed", 1, "Synchronisatie mislukt: geen administratie")
            for variant in ("nulls", "empty lists", "sparse records")]
    judgement = error_handling.unusual_responses_survived(runs)
    assert judgement.passed and not judgement.warnings, judgement.message()


def test_silent_success_when_unreachable_is_a_finding() -> None:
    judgement = error_handling.unreachable_reported(
        sync_outcome="synced", sync_output="", duration_s=1.0, limit_s=10, attempts=3)
    assert not judgement.passed and "reported success" in judgement.findings[0]


def test_slower_than_recommended_but_bounded_is_a_warning() -> None:
    # a cautious policy: 4 attempts with a 10 s client timeout each, plus backoff
    judgement = error_handling.unreachable_reported(
        sync_outcome="failed", sync_output="AFAS SB is niet bereikbaar", duration_s=43.6,
        limit_s=15, attempts=4, window_s=60, longest_request_s=10.0, request_cap_s=30)
    assert judgement.passed, judgement.message()
    assert "later than the recommended 15 s" in judgement.warnings[0]


def test_no_client_timeout_is_a_finding_even_when_the_sync_ends() -> None:
    judgement = error_handling.unreachable_reported(
        sync_outcome="failed", sync_output="connection closed", duration_s=35.0, limit_s=15,
        attempts=1, window_s=60, longest_request_s=35.0, request_cap_s=30)
    assert not judgement.passed and "stayed open 35.0 s" in judgement.findings[0]


def test_a_hang_past_the_window_is_a_finding() -> None:
    judgement = error_handling.unreachable_reported(
        sync_outcome="timeout", sync_output="", duration_s=60.0, limit_s=15, attempts=1,
        window_s=60, longest_request_s=60.0, request_cap_s=30)
    assert not judgement.passed
    assert any("had not reported after 60.0 s" in f for f in judgement.findings)


# --- ERR-01 ---------------------------------------------------------------------------------

def test_err01_recovery_inside_the_sync_passes() -> None:
    calls = [
        exchange(1, api_path="/api/administrations", operation_id=READ),
        exchange(2, api_path="/api/organisations", status=401, fault="status 401"),
        exchange(3, kind="getaccesstoken", method="POST"),
        exchange(4, api_path="/api/organisations"),
    ]
    judgement = error_handling.expired_token_recovered(calls, sync_outcome="synced",
                                                       sync_output="ok")
    assert judgement.passed, judgement.message()


def test_err01_without_a_401_says_where_the_harness_put_it() -> None:
    calls = [exchange(1, api_path="/api/administrations", operation_id=READ)]
    judgement = error_handling.expired_token_recovered(calls, sync_outcome="synced",
                                                       sync_output="ok")
    assert not judgement.passed
    assert "answers 401 to the second one, or to the only one" in judgement.findings[0]


def test_err01_retry_without_refresh_is_a_finding() -> None:
    calls = [
        exchange(1, api_path="/api/administrations", operation_id=READ),
        exchange(2, api_path="/api/organisations", status=401, fault="status 401"),
        exchange(3, api_path="/api/organisations", status=401),
    ]
    judgement = error_handling.expired_token_recovered(calls, sync_outcome="failed",
                                                       sync_output="401")
    assert not judgement.passed and "did not refresh" in judgement.findings[0]


def test_backoff_is_judged_in_the_environment_the_fault_hit() -> None:
    """An Admin Center app reads each environment: acme's calls are not retries of demo's."""
    from dataclasses import replace

    demo = [exchange(1, api_path="/api/administrations", status=503, operation_id=READ,
                     started=0.0, fault="status 503"),
            exchange(3, api_path="/api/administrations", status=503, operation_id=READ,
                     started=0.5, fault="status 503"),
            exchange(5, api_path="/api/administrations", status=200, operation_id=READ,
                     started=1.5)]
    acme = [replace(exchange(n, api_path="/api/administrations", operation_id=READ,
                             started=start), environment="acme")
            for n, start in ((2, 0.01), (4, 0.52))]
    judgement = error_handling.backoff_on_unavailable(
        sorted(demo + acme, key=lambda e: e.seq), READ, sync_outcome="synced", sync_output="ok")
    assert judgement.passed, judgement.message()
    assert judgement.evidence["gaps_s"] == [0.5, 1.0]
