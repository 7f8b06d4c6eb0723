"""Working error handling: faults the sandbox injects and how the app recovers."""

from __future__ import annotations

from typing import Any

import pytest

from checks import error_handling
from checks.evidence import api_calls
from checks.judgement import Judgement
from sbready.harness import CUSTOMER_ENVIRONMENT, Harness, Sync
from sbready.sandbox.faults import FaultRule
from sbready.sandbox.oddities import VARIANTS, unusual_body
from suites.support import record


@pytest.mark.check("ERR-01")
def test_expired_token(harness: Harness) -> None:
    harness.first_sync()
    expired = harness.sandbox.expire_tokens()
    sync = harness.sync()
    record(
        error_handling.expired_token_recovered(
            sync.exchanges, sync_outcome=sync.result.outcome, sync_output=sync.result.output),
        exchanges=sync.exchanges,
        sync_output=sync.result.output,
        expired_tokens=str(expired),
    )


def _baseline_operation(harness: Harness, *, write: bool) -> str | None:
    """The first read (or write) operation the app's baseline sync used."""
    for e in api_calls(harness.first_sync().exchanges):
        if e.operation_id and (e.method != "GET") == write:
            return e.operation_id
    return None


def _sync_with_fault(harness: Harness, *rules: FaultRule) -> Sync:
    """One sync while `rules` are active; they are cleared afterwards."""
    with harness.faults_cleared():
        for rule in rules:
            harness.sandbox.add_fault(rule)
        return harness.sync()


def _on_write(operation_id: str | None, kind: str, **rule: Any) -> list[FaultRule]:
    """A fault on the app's write operation (none if the app writes nothing: checks say so)."""
    return [FaultRule(kind, operation_id=operation_id, **rule)] if operation_id else []


def _record_sync(judgement: Judgement, sync: Sync) -> None:
    record(judgement, exchanges=sync.exchanges, sync_output=sync.result.output)


@pytest.mark.check("ERR-02")
def test_refresh_rejected(harness: Harness) -> None:
    harness.first_sync()
    app = harness.config.app
    client_id = app.client_id if app.auth == "oauth" and app.client_id else "app"
    harness.sandbox.withdraw_consent(client_id, CUSTOMER_ENVIRONMENT)
    try:
        harness.sandbox.expire_tokens()
        sync = harness.sync()
    finally:
        harness.sandbox.restore_consent(client_id, CUSTOMER_ENVIRONMENT)
        _reconnect(harness)
    _record_sync(error_handling.refresh_rejected_stops(
        sync.exchanges, sync_outcome=sync.result.outcome, sync_output=sync.result.output), sync)


def _reconnect(harness: Harness) -> None:
    """After withdrawn consent: consent again (OAuth) or re-activate the app token."""
    if harness.config.app.auth == "oauth":
        harness.walk()
    elif harness.app_token:
        harness.sandbox.activate(CUSTOMER_ENVIRONMENT, bundles=harness.config.app.bundles or None,
                                 token=harness.app_token)


@pytest.mark.check("ERR-03")
def test_forbidden(harness: Harness) -> None:
    operation_id = _baseline_operation(harness, write=False) or ""
    sync = _sync_with_fault(harness, FaultRule("status", operation_id=operation_id, status=403,
                                               times=None))
    _record_sync(error_handling.forbidden_reported(
        sync.exchanges, operation_id, sync_outcome=sync.result.outcome,
        sync_output=sync.result.output), sync)


@pytest.mark.check("ERR-04")
def test_ds3100_not_resent(harness: Harness) -> None:
    operation_id = _baseline_operation(harness, write=True)
    harness.new_work()
    try:
        sync = _sync_with_fault(harness, *_on_write(operation_id, "ds3100", times=None))
    finally:
        harness.new_work()  # the rejected item is replaced, so later syncs can succeed
    _record_sync(error_handling.rejected_not_resent(
        sync.exchanges, sync_outcome=sync.result.outcome, sync_output=sync.result.output), sync)


@pytest.mark.check("ERR-05")
def test_write_result(harness: Harness) -> None:
    operation_id = _baseline_operation(harness, write=True)
    runs = {}
    for result in ("Failed", "PartiallySucceeded"):
        harness.new_work()
        runs[result] = _sync_with_fault(harness,
                                        *_on_write(operation_id, "write_result", result=result))
    later = harness.sync()
    failed_run, partial = runs["Failed"], runs["PartiallySucceeded"]
    record(
        error_handling.write_result_honoured(
            failed_run.exchanges, partial.exchanges, later.exchanges,
            failed_outcome=failed_run.result.outcome, failed_output=failed_run.result.output,
            partial_outcome=partial.result.outcome, partial_output=partial.result.output),
        exchanges=failed_run.exchanges + partial.exchanges + later.exchanges,
        output_after_failed=failed_run.result.output,
        output_after_partial=partial.result.output,
        output_of_next_sync=later.result.output,
    )


@pytest.mark.check("ERR-06")
def test_backoff_on_503(harness: Harness) -> None:
    operation_id = _baseline_operation(harness, write=False) or ""
    sync = _sync_with_fault(harness, FaultRule("status", operation_id=operation_id, status=503,
                                               times=2))
    _record_sync(error_handling.backoff_on_unavailable(
        sync.exchanges, operation_id, sync_outcome=sync.result.outcome,
        sync_output=sync.result.output), sync)


@pytest.mark.check("ERR-07")
def test_retry_after(harness: Harness) -> None:
    operation_id = _baseline_operation(harness, write=False) or ""
    sync = _sync_with_fault(harness, FaultRule("status", operation_id=operation_id, status=429,
                                               retry_after=1, times=1))
    _record_sync(error_handling.retry_after_honoured(sync.exchanges, operation_id), sync)


@pytest.mark.check("ERR-08")
def test_lost_write_retried_once(harness: Harness) -> None:
    operation_id = _baseline_operation(harness, write=True)
    harness.new_work()
    # the first answer is lost after SB stored the entry; the retry times out unseen
    sync = _sync_with_fault(harness, *_on_write(operation_id, "response_lost"),
                            *_on_write(operation_id, "timeout", hold=1.0))
    operation = harness.index.by_operation_id(operation_id or "")
    written = harness.sandbox.store.written(CUSTOMER_ENVIRONMENT, operation.path) \
        if operation else []
    _record_sync(error_handling.retried_with_same_identifier(
        sync.exchanges, written, sync_outcome=sync.result.outcome,
        sync_output=sync.result.output), sync)


@pytest.mark.check("ERR-09")
def test_unusual_responses(harness: Harness) -> None:
    reads = [e for e in api_calls(harness.first_sync().exchanges)
             if e.method == "GET" and e.operation_id and 200 <= e.status < 300]
    normal = {e.operation_id: e.response_body for e in reads}  # the first page of each
    runs: list[error_handling.UnusualRun] = []
    exchanges = []
    for variant in VARIANTS:
        with harness.faults_cleared():
            for operation_id, body in normal.items():
                operation = harness.index.by_operation_id(operation_id or "")
                odd = unusual_body(operation, body, variant) if operation else None
                if odd is not None:
                    harness.sandbox.add_fault(FaultRule("body", operation_id=operation_id,
                                                        times=None, body=odd))
            sync = harness.sync()
        exchanges += sync.exchanges
        runs.append(error_handling.UnusualRun(variant, sync.result.outcome,
                                              sync.result.exit_code, sync.result.output))
    record(error_handling.unusual_responses_survived(runs), exchanges=exchanges,
           sync_outputs={run.variant: run.output for run in runs})


@pytest.mark.check("ERR-10")
def test_unreachable(harness: Harness) -> None:
    harness.first_sync()
    limit = harness.config.thresholds.unreachable_timeout
    with harness.faults_cleared():
        # every request is held past the limit, then dropped: SB looks unreachable
        harness.sandbox.add_fault(FaultRule("timeout", times=None, hold=limit + 5))
        sync = harness.sync_within(limit + 2)
    _record_sync(error_handling.unreachable_reported(
        sync_outcome=sync.result.outcome, sync_output=sync.result.output,
        duration_s=sync.result.duration_s, limit_s=limit, attempts=len(sync.exchanges)), sync)
