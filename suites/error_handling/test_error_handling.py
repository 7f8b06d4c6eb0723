"""Working error handling: faults the sandbox injects and how the app recovers.

Evidence windows: each test judges the exchanges of the sync (or syncs) it runs itself with
its fault in place (`Sync.exchanges`, by arrival number), never the journal since the start,
so the outcome does not depend on which tests ran before.
"""

from __future__ import annotations

from typing import Any

import pytest

from checks import error_handling
from checks.error_handling import JudgedWrite
from checks.evidence import api_calls, writes
from checks.judgement import Judgement
from sbready.harness import CUSTOMER_ENVIRONMENT, Harness, Sync
from sbready.sandbox.faults import FaultRule
from sbready.sandbox.oddities import VARIANTS, unusual_body
from sbready.sandbox.writes import answers_write_result
from sbready.spec.index import Operation
from suites.connection import require_connection
from suites.support import record


@pytest.mark.check("ERR-01")
def test_expired_token(harness: Harness) -> None:
    require_connection(harness)
    harness.first_sync()
    harness.give_work()
    # the 401 comes inside the sync, on the API call after the first, and kills the token it
    # presented: an app that takes a fresh token at the start of each sync meets it too
    sync = _sync_with_fault(harness, FaultRule("status", status=401, skip=1, times=1))
    if not any(e.status == 401 for e in api_calls(sync.exchanges)):
        # a sync of one API call: the 401 comes on that call (it still kills a fresh token)
        harness.give_work()
        sync = _sync_with_fault(harness, FaultRule("status", status=401, times=1))
    record(
        error_handling.expired_token_recovered(
            sync.exchanges, sync_outcome=sync.result.outcome, sync_output=sync.result.output),
        exchanges=sync.exchanges,
        sync_output=sync.result.output,
    )


def _baseline_operation(harness: Harness, *, write: bool) -> str | None:
    """The first read (or write) operation the app's baseline sync used."""
    for e in api_calls(harness.first_sync().exchanges):
        if e.operation_id and (e.method != "GET") == write:
            return e.operation_id
    return None


def _baseline_read(harness: Harness) -> str:
    """The read to fault: the first one of the baseline sync (not run without one)."""
    require_connection(harness)
    operation_id = _baseline_operation(harness, write=False)
    if operation_id is None:
        sync = harness.first_sync()
        pytest.skip("not run: the baseline sync made no API read to fault (sync "
                    f"{sync.result.outcome}: {_last_line(sync.result.output)}); see ONB-02 "
                    "and the INT checks")
    harness.give_work()
    return operation_id


def _last_line(output: str) -> str:
    return (output.strip().splitlines() or ["(no output)"])[-1][:200]


def _sync_with_fault(harness: Harness, *rules: FaultRule) -> Sync:
    """One sync while `rules` are active; they are cleared afterwards."""
    with harness.faults_cleared():
        for rule in rules:
            harness.sandbox.add_fault(rule)
        return harness.sync()


def _on_write(target: JudgedWrite, kind: str, **rule: Any) -> list[FaultRule]:
    """A fault on the judged write operation (none if the app has none: checks say so)."""
    return [FaultRule(kind, operation_id=target.operation_id, **rule)] \
        if target.operation_id else []


def _write_target(harness: Harness, *, needs_identifier: bool = False) -> JudgedWrite:
    """The write a write-fault scenario faults, and why: the app's first write (of the baseline
    sync) whose documented answer carries result/instances/errors, preferring one that
    [scenario] expected_writes names and, for a lost answer, one that declares
    Tracking-Identifier. Not run when the app made no such write."""
    require_connection(harness)
    expected = set(harness.config.scenario.expected_writes or ())
    candidates: list[Operation] = []
    skipped: list[str] = []
    for e in writes(harness.first_sync().exchanges):
        operation = harness.index.by_operation_id(e.operation_id or "")
        if operation is None or operation in candidates:
            continue
        if answers_write_result(operation):
            candidates.append(operation)
        elif f"{operation.method} {operation.path}" not in skipped:
            skipped.append(f"{operation.method} {operation.path}")
    if not candidates:
        sync = harness.first_sync()
        pytest.skip("not run: the baseline sync made no write whose documented answer carries "
                    f"result/instances/errors (sync {sync.result.outcome}: "
                    f"{_last_line(sync.result.output)}); see INT-08")

    def rank(operation: Operation) -> tuple[bool, bool, bool]:
        return (needs_identifier and not operation.takes_tracking_identifier,
                operation.path not in expected, operation.method != "POST")

    chosen = min(candidates, key=rank)  # min is stable: the first of the best
    reasons = ["the app's first write whose documented answer carries result/instances/errors"
               if chosen is candidates[0] else "a write whose documented answer carries "
               "result/instances/errors"]
    if chosen.path in expected:
        reasons.append("named in [scenario] expected_writes")
    if needs_identifier:
        reasons.append(f"declares Tracking-Identifier in SB {harness.index.sb_version}"
                       if chosen.takes_tracking_identifier else
                       "it does not declare Tracking-Identifier, so only what SB holds is judged")
    if skipped:
        reasons.append(f"not {', '.join(skipped)}: its answer carries no write result")
    return JudgedWrite(chosen.operation_id, "; ".join(reasons),
                       declares_tracking_identifier=chosen.takes_tracking_identifier)


def _held(harness: Harness, target: JudgedWrite) -> list[dict[str, Any]]:
    """What SB holds for the judged operation, across the office's environments."""
    operation = harness.index.by_operation_id(target.operation_id or "")
    if operation is None:
        return []
    return [record for environment in harness.sandbox.environments
            for record in harness.sandbox.store.written(environment, operation.path)]


def _judged_operation(target: JudgedWrite) -> dict[str, Any]:
    return {"operation": target.operation_id, "why": target.why,
            "declares Tracking-Identifier": target.declares_tracking_identifier}


def _record_sync(judgement: Judgement, sync: Sync) -> None:
    record(judgement, exchanges=sync.exchanges, sync_output=sync.result.output)


@pytest.mark.check("ERR-02")
def test_refresh_rejected(harness: Harness) -> None:
    require_connection(harness)
    harness.first_sync()
    harness.give_work()  # an app that calls SB only when it has work must call it now
    app = harness.config.app
    client_id = app.client_id if app.auth == "oauth" and app.client_id else "app"
    # an app token is deactivated where it was activated (the Admin Center for admin apps)
    where = CUSTOMER_ENVIRONMENT if app.auth == "oauth" else harness.app_token_environment
    harness.sandbox.withdraw_consent(client_id, where)
    try:
        harness.sandbox.expire_tokens()
        sync = harness.sync()
    finally:
        harness.sandbox.restore_consent(client_id, where)
        _reconnect(harness)
    _record_sync(error_handling.refresh_rejected_stops(
        sync.exchanges, sync_outcome=sync.result.outcome, sync_output=sync.result.output), sync)


def _reconnect(harness: Harness) -> None:
    """After withdrawn consent: consent again (OAuth) or re-activate the app token."""
    if harness.config.app.auth == "oauth":
        harness.walk()
    else:
        harness.reactivate_app_token()


@pytest.mark.check("ERR-03")
def test_forbidden(harness: Harness) -> None:
    operation_id = _baseline_read(harness)
    sync = _sync_with_fault(harness, FaultRule("status", operation_id=operation_id, status=403,
                                               times=None))
    _record_sync(error_handling.forbidden_reported(
        sync.exchanges, operation_id, sync_outcome=sync.result.outcome,
        sync_output=sync.result.output), sync)


@pytest.mark.check("ERR-04")
def test_ds3100_not_resent(harness: Harness) -> None:
    target = _write_target(harness)
    harness.new_work()
    try:
        sync = _sync_with_fault(harness, *_on_write(target, "ds3100", times=None))
    finally:
        harness.new_work()  # the rejected item is replaced, so later syncs can succeed
    record(error_handling.rejected_not_resent(
        sync.exchanges, sync_outcome=sync.result.outcome, sync_output=sync.result.output,
        target=target), exchanges=sync.exchanges, sync_output=sync.result.output,
        judged_operation=_judged_operation(target))


@pytest.mark.check("ERR-05")
def test_write_result(harness: Harness) -> None:
    target = _write_target(harness)
    runs: list[error_handling.WriteResultRun] = []
    exchanges = []
    for result in ("Failed", "PartiallySucceeded"):
        harness.new_work()
        faulted = _sync_with_fault(harness, *_on_write(target, "write_result", result=result))
        # the same work once more: does the app send what SB made (half-made) again?
        following = harness.sync()
        runs.append(error_handling.WriteResultRun(
            result, faulted.exchanges, faulted.result.outcome, faulted.result.output,
            following.exchanges, _held(harness, target)))
        exchanges += faulted.exchanges + following.exchanges
    record(
        error_handling.write_result_honoured(runs, target=target),
        exchanges=exchanges,
        judged_operation=_judged_operation(target),
        sync_outputs={run.result: run.output for run in runs},
    )


@pytest.mark.check("ERR-06")
def test_backoff_on_503(harness: Harness) -> None:
    operation_id = _baseline_read(harness)
    sync = _sync_with_fault(harness, FaultRule("status", operation_id=operation_id, status=503,
                                               times=2))
    _record_sync(error_handling.backoff_on_unavailable(
        sync.exchanges, operation_id, sync_outcome=sync.result.outcome,
        sync_output=sync.result.output), sync)


@pytest.mark.check("ERR-07")
def test_retry_after(harness: Harness) -> None:
    operation_id = _baseline_read(harness)
    sync = _sync_with_fault(harness, FaultRule("status", operation_id=operation_id, status=429,
                                               retry_after=1, times=1))
    _record_sync(error_handling.retry_after_honoured(
        sync.exchanges, operation_id, sync_outcome=sync.result.outcome,
        sync_output=sync.result.output), sync)


@pytest.mark.check("ERR-08")
def test_lost_write_retried_once(harness: Harness) -> None:
    target = _write_target(harness, needs_identifier=True)
    harness.new_work()
    # the first answer is lost after SB stored the entry; the retry times out unseen
    sync = _sync_with_fault(harness, *_on_write(target, "response_lost"),
                            *_on_write(target, "timeout", hold=1.0))
    follow_up = None
    if sync.result.outcome != "synced":  # an app may complete the entry on its next sync
        later = harness.sync()
        follow_up = error_handling.FollowUp(later.exchanges, later.result.outcome,
                                            later.result.output)
    record(error_handling.retried_with_same_identifier(
        sync.exchanges, _held(harness, target), sync_outcome=sync.result.outcome,
        sync_output=sync.result.output, target=target, follow_up=follow_up),
        exchanges=sync.exchanges + (list(follow_up.exchanges) if follow_up else []),
        sync_output=sync.result.output, judged_operation=_judged_operation(target))


@pytest.mark.check("ERR-09")
def test_unusual_responses(harness: Harness) -> None:
    require_connection(harness)
    reads = [e for e in api_calls(harness.first_sync().exchanges)
             if e.method == "GET" and e.operation_id and 200 <= e.status < 300]
    normal = {e.operation_id: e.response_body for e in reads}  # the first page of each
    runs: list[error_handling.UnusualRun] = []
    exchanges = []
    for variant in VARIANTS:
        harness.give_work()  # an app that reads only when it has work must read now
        with harness.faults_cleared():
            for operation_id, body in normal.items():
                operation = harness.index.by_operation_id(operation_id or "")
                odd = unusual_body(operation, body, variant) if operation else None
                if odd is not None:
                    harness.sandbox.add_fault(FaultRule("body", operation_id=operation_id,
                                                        times=None, body=odd))
            log_mark = harness.app.log_size() if harness.app else 0
            sync = harness.sync()
        exchanges += sync.exchanges
        app_log = harness.app.output_since(log_mark) if harness.app else ""
        runs.append(error_handling.UnusualRun(variant, sync.result.outcome,
                                              sync.result.exit_code, sync.result.output,
                                              app_log=app_log))
    record(error_handling.unusual_responses_survived(runs), exchanges=exchanges,
           sync_outputs={run.variant: run.output for run in runs})


@pytest.mark.check("ERR-10")
def test_unreachable(harness: Harness) -> None:
    require_connection(harness)
    harness.first_sync()
    harness.give_work()
    limit = harness.config.thresholds.unreachable_timeout
    # a slower but bounded policy (e.g. 4 attempts x 10 s) still reports within the window;
    # an app without a client timeout keeps a request open past the cap
    window, cap = UNREACHABLE_WINDOW * limit, UNREACHABLE_REQUEST_CAP * limit
    with harness.faults_cleared():
        # every SB endpoint (API, token, getscopes) holds each request, then drops it
        harness.sandbox.add_fault(FaultRule("timeout", path="*", times=None, hold=window + 5))
        sync = harness.sync_within(window)
    held = [e.duration_ms / 1000 for e in sync.exchanges if e.fault]
    _record_sync(error_handling.unreachable_reported(
        sync_outcome=sync.result.outcome, sync_output=sync.result.output,
        duration_s=sync.result.duration_s, limit_s=limit, attempts=len(sync.exchanges),
        window_s=window, longest_request_s=max(held, default=0.0), request_cap_s=cap), sync)


UNREACHABLE_WINDOW = 4  # x unreachable_timeout: how long the harness waits for the report
UNREACHABLE_REQUEST_CAP = 2  # x unreachable_timeout: one request open this long = no timeout
