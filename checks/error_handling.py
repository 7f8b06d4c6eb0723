"""ERR: working error handling, judged from faults the sandbox injected and what followed."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from checks import landed, wording
from checks.evidence import api_calls, of_kind, where
from checks.judgement import Judgement, failed, judge, passed
from checks.onboarding import traceback_in
from sbready.evidence import Exchange, api_facts, token_facts


def expired_token_recovered(
    exchanges: Sequence[Exchange], *, sync_outcome: str, sync_output: str
) -> Judgement:
    """ERR-01: after a 401 inside the sync the app refreshes (or re-exchanges), retries, syncs.

    The harness answers 401 to an API call after the sync's first one and makes the token it
    presented invalid, so every app meets it however it caches or renews its tokens.
    """
    calls = api_calls(exchanges)
    rejected = [e for e in calls if e.status == 401]
    if not rejected:
        return failed("ERR-01", "No API call of the sync was answered 401, so the app's "
                      "recovery from an expired token could not be observed.",
                      [f"sync outcome: {sync_outcome}; API calls: {len(calls)} (the harness "
                       "answers 401 to the second one, or to the only one)"])
    first = rejected[0]
    refreshes = [
        e for e in of_kind(exchanges, "token", "getaccesstoken")
        if e.seq > first.seq and 200 <= e.status < 300
        and (e.kind == "getaccesstoken" or token_facts(e).grant_type == "refresh_token")
    ]
    findings = []
    if not refreshes:
        findings.append(f"after {where(first)} the app did not refresh its access token")
    else:
        retried = [
            e for e in calls
            if e.seq > refreshes[0].seq and e.method == first.method
            and e.api_path == first.api_path and 200 <= e.status < 300
        ]
        if not retried:
            findings.append(f"after refreshing (#{refreshes[0].seq}) the app did not retry "
                            f"{first.method} {first.api_path} successfully")
    if sync_outcome != "synced":
        last_line = (sync_output.strip().splitlines() or ["(no output)"])[-1]
        findings.append(f"the sync ended '{sync_outcome}': {last_line}")
    return judge("ERR-01", findings,
                 f"The app got 401 at {where(first)}, refreshed its token, retried, and the "
                 "sync succeeded.",
                 "The app does not recover from an expired access token on its own.")


def _last_line(output: str) -> str:
    return (output.strip().splitlines() or ["(no output)"])[-1][:300]


def _outcome(sync_outcome: str, sync_output: str) -> str:
    """The sync's outcome, with a JSON answer's status field heard: 200 {"status": "failed"}
    is a failed sync."""
    if sync_outcome == "synced" and wording.status_signal(sync_output) in (
            "failed", "reauthorize", "forbidden", "partial"):
        return "failed"
    return sync_outcome


def _body_key(body: Any) -> str:
    return json.dumps(body, sort_keys=True, default=str)


def refresh_rejected_stops(
    exchanges: Sequence[Exchange], *, sync_outcome: str, sync_output: str,
    max_refresh_attempts: int = 2,
) -> Judgement:
    """ERR-02: a rejected refresh (invalid_grant) stops the sync with a re-authorization note.

    The outcome decides (the sync must not report success, must end, must not loop); the
    words only add a warning when the message does not say, in Dutch or English, that the
    customer has to connect (or activate the app) again.
    """
    refreshes = [e for e in of_kind(exchanges, "token", "getaccesstoken")
                 if e.kind == "getaccesstoken" or token_facts(e).grant_type == "refresh_token"]
    rejected = [e for e in refreshes if e.status >= 400]
    findings: list[str] = []
    warnings: list[str] = []
    outcome = _outcome(sync_outcome, sync_output)
    if outcome == "synced":
        findings.append("the sync reported success although the app's consent is withdrawn")
    elif outcome != "failed":
        findings.append(f"the sync did not end by itself ({sync_outcome})")
    elif not sync_output.strip():
        findings.append("the sync failed without a message; say that the customer must "
                        "connect again")
    elif wording.status_signal(sync_output) != "reauthorize" and not wording.mentions(
            "reauthorize", sync_output):
        warnings.append("the sync failed, but its message does not clearly say that "
                        "re-authorization is needed (e.g. 'koppel opnieuw' / 'connect again'): "
                        + wording.quoted(sync_output))
    if len(refreshes) > max_refresh_attempts:
        findings.append(f"{len(refreshes)} refresh attempts ({len(rejected)} rejected, first "
                        f"{where(refreshes[0])}); stop after invalid_grant")
    if findings:
        return failed("ERR-02", "The app does not stop cleanly when its refresh token is "
                      "rejected.", findings, warnings=warnings, refresh_attempts=len(refreshes))
    return passed("ERR-02", f"After the refresh was rejected ({len(rejected)} rejection(s)) the "
                  f"sync stopped and said so: {_last_line(sync_output)}", warnings=warnings,
                  refresh_attempts=len(refreshes))


def forbidden_reported(
    exchanges: Sequence[Exchange], operation_id: str, *, sync_outcome: str, sync_output: str
) -> Judgement:
    """ERR-03: a 403 is reported clearly and retried at most once.

    A failed sync reports the refusal by its outcome; a sync that still reports success must
    at least mention it (Dutch or English). A message the harness cannot classify is a
    warning that quotes it.
    """
    forbidden = [e for e in api_calls(exchanges)
                 if e.operation_id == operation_id and e.status == 403]
    if not forbidden:
        return failed("ERR-03", f"The app did not call {operation_id} (the read its baseline "
                      "sync made first) while it was forbidden, so its handling of 403 could "
                      "not be seen.",
                      [f"sync outcome: {sync_outcome}: {_last_line(sync_output)}"])
    findings: list[str] = []
    warnings: list[str] = []
    # rights are per environment: an Admin Center app rightly asks each environment once
    by_environment: dict[str | None, list[Exchange]] = {}
    for e in forbidden:
        by_environment.setdefault(e.environment, []).append(e)
    for environment, refused in by_environment.items():
        if len(refused) > 2:
            findings.append(f"{len(refused)} requests got 403 in {environment} "
                            f"({where(refused[0])} ... {where(refused[-1])}); retry a 403 at "
                            "most once")
    outcome = _outcome(sync_outcome, sync_output)
    if outcome not in ("synced", "failed"):
        findings.append(f"the sync did not end by itself ({sync_outcome})")
    elif not sync_output.strip():
        if outcome == "synced":
            findings.append("the sync reported success and said nothing about the refused "
                            "request")
        else:
            findings.append("the sync failed without a message; say which request SB refused")
    elif not wording.mentions("forbidden", sync_output):
        warnings.append(f"the sync {'succeeded' if outcome == 'synced' else 'failed'}, but its "
                        "message does not clearly name the missing rights (e.g. 'geen rechten' "
                        "/ '403'): " + wording.quoted(sync_output))
    if findings:
        return failed("ERR-03", "The app does not handle a 403 as AFAS expects.", findings,
                      warnings=warnings)
    return passed("ERR-03", f"SB answered 403 to {operation_id}; the app tried "
                  f"{len(forbidden)} time(s) and reported: {_last_line(sync_output)}",
                  warnings=warnings)


@dataclass(frozen=True)
class JudgedWrite:
    """The write operation a write-fault scenario faulted, and why the suite chose it."""

    operation_id: str | None
    why: str
    declares_tracking_identifier: bool = True


def _judged(target: JudgedWrite | None) -> str:
    if target is None or target.operation_id is None:
        return ""
    return f" (judged: {target.operation_id}, {target.why})"


def rejected_not_resent(
    exchanges: Sequence[Exchange], *, sync_outcome: str, sync_output: str,
    target: JudgedWrite | None = None,
) -> Judgement:
    """ERR-04: after 400 DS3100 the identical payload is not resent; error and TraceId shown."""
    calls = [e for e in api_calls(exchanges) if e.method in ("POST", "PUT", "DELETE")]
    rejected = [e for e in calls if e.status == 400]
    if not rejected:
        return failed("ERR-04", "The app made no write that SB could reject, so its handling "
                      f"of DS3100 could not be seen{_judged(target)}.", [f"writes: {len(calls)}"])
    findings: list[str] = []
    warnings: list[str] = []
    for first in rejected[:1]:
        # DS3100 makes nothing, so the same payload can only meet the same 400 again
        resent = [e for e in calls if e.seq > first.seq and e.method == first.method
                  and e.api_path == first.api_path
                  and _body_key(e.request_body) == _body_key(first.request_body)]
        if resent:
            findings.append(f"after {where(first)} the identical payload was sent again "
                            f"{len(resent)} time(s) ({where(resent[0])})")
        body = first.response_body if isinstance(first.response_body, dict) else {}
        trace = str(body.get("TraceId") or "")
        if trace and trace not in sync_output:
            findings.append(f"the sync output does not show SB's TraceId {trace}: "
                            f"{_last_line(sync_output)}")
    outcome = _outcome(sync_outcome, sync_output)
    if outcome == "synced" and not wording.mentions("failed", sync_output):
        findings.append("the sync reported success although SB rejected the entry: "
                        f"{_last_line(sync_output)}")
    elif outcome not in ("synced", "failed"):
        findings.append(f"the sync did not end by itself ({sync_outcome})")
    sentence = (f"SB rejected {where(rejected[0])} with DS3100{_judged(target)}; the app did "
                f"not resend it and reported it: {_last_line(sync_output)}")
    if findings:
        return failed("ERR-04", "The app does not handle a 400 DS3100 as AFAS expects.",
                      findings, warnings=warnings)
    return passed("ERR-04", sentence, warnings=warnings)


@dataclass(frozen=True)
class WriteResultRun:
    """One sync whose write SB answered `result` (injected), then the next sync, same work.

    `held` is what SB holds for the judged operation afterwards (all environments).
    """

    result: str  # "Failed" | "PartiallySucceeded"
    exchanges: Sequence[Exchange]
    outcome: str
    output: str
    next_exchanges: Sequence[Exchange] = ()
    held: Sequence[dict[str, Any]] = ()


def _injected(exchanges: Sequence[Exchange], result: str) -> list[Exchange]:
    return [e for e in api_calls(exchanges) if e.fault and "write_result" in e.fault
            and "not applied" not in e.fault and api_facts(e).result == result]


def _reported(result: str, outcome: str, output: str) -> bool:
    """The app said it did not (fully) succeed: by its outcome first, else by its words."""
    if outcome == "failed":
        return True
    return wording.mentions("failed", output) or (
        result == "PartiallySucceeded" and wording.mentions("partial", output))


def write_result_honoured(
    runs: Sequence[WriteResultRun], *, target: JudgedWrite | None = None
) -> Judgement:
    """ERR-05: 200 Failed/PartiallySucceeded is reported; what SB made is not sent again.

    Judged on SB's state: an entry a Failed made anyway (AFAS's "Entity is made with one or
    more errors ...") or a PartiallySucceeded made must not be sent again as a new request
    (another or no Tracking-Identifier), and SB must not hold it twice. A re-send with the
    same Tracking-Identifier is answered from SB's cache and is fine.
    """
    findings: list[str] = []
    notes: list[str] = []
    for run in runs:
        answered = _injected(run.exchanges, run.result)
        if not answered:
            findings.append(f"the app made no write that SB could answer {run.result}"
                            f"{_judged(target)}")
            continue
        outcome = _outcome(run.outcome, run.output)
        if outcome not in ("synced", "failed"):
            findings.append(f"after {run.result} the sync did not end by itself ({run.outcome})")
        elif not _reported(run.result, outcome, run.output):
            findings.append(f"{where(answered[0])} answered result {run.result}, but the sync "
                            f"reported success: {_last_line(run.output)}")
        everything = list(run.exchanges) + list(run.next_exchanges)
        for resend in landed.resends_of_made(everything):
            findings.append(f"after {run.result}: {resend.sentence()}")
        for label, ids in landed.held_twice(run.held).items():
            findings.append(f"after {run.result}: SB now holds {label} {len(ids)} times "
                            f"({', '.join(ids)})")
        replayed = landed.same_identifier_resends(everything)
        if replayed:
            notes.append(f"after {run.result} the app re-sent {len(replayed)} time(s) with the "
                         f"same Tracking-Identifier ({where(replayed[0])}), which SB answered "
                         "from its cache")
    results = " and ".join(run.result for run in runs)
    extra = f"; {'; '.join(notes)}" if notes else ""
    return judge("ERR-05", findings,
                 f"SB answered {results}{_judged(target)}; the app reported each and did not "
                 f"send what SB had made again as a new request{extra}.",
                 "The app does not honour SB's write result.")


def _attempts(exchanges: Sequence[Exchange], operation_id: str) -> list[Exchange]:
    """The calls of `operation_id` in time order, in the environment the first injected fault
    hit (an Admin Center app calls it in every environment, each with its own retries)."""
    calls = [e for e in api_calls(exchanges) if e.operation_id == operation_id]
    faulted = [e for e in calls if e.fault]
    if faulted:
        calls = [e for e in calls if e.environment == faulted[0].environment]
    return sorted(calls, key=lambda e: e.started)


def backoff_on_unavailable(
    exchanges: Sequence[Exchange], operation_id: str, *, sync_outcome: str, sync_output: str,
    min_first_delay: float = 0.1, max_attempts: int = 10,
) -> Judgement:
    """ERR-06: 503s are retried a bounded number of times with a pause, then succeed.

    AFAS rejects no retry, a tight loop (no pause) and unbounded retries; delays that do not
    grow, or are longer than needed, are a cautious policy: a warning.
    """
    attempts = _attempts(exchanges, operation_id)
    unavailable = [e for e in attempts if e.status >= 500]
    if not unavailable:
        return failed("ERR-06", f"The app did not call {operation_id} (the read its baseline "
                      "sync made first) while SB answered 503.",
                      [f"sync outcome: {sync_outcome}: {_last_line(sync_output)}"])
    findings: list[str] = []
    warnings: list[str] = []
    start = attempts.index(unavailable[0])
    streak = attempts[start:start + len(unavailable) + 1]
    gaps = [later.started - earlier.started
            for earlier, later in zip(streak, streak[1:], strict=False)]
    if len(streak) <= len(unavailable) or not 200 <= streak[-1].status < 300:
        findings.append(f"after {len(unavailable)} answers 503 the app did not retry until "
                        f"{operation_id} succeeded")
    if len(attempts) > max_attempts:
        findings.append(f"{len(attempts)} attempts; keep retries bounded")
    if gaps and gaps[0] < min_first_delay:
        findings.append(f"the first retry came {gaps[0]:.2f} s after the 503 (at least "
                        f"{min_first_delay:g} s expected: back off)")
    if len(gaps) >= 2 and gaps[1] <= gaps[0] and gaps[0] >= min_first_delay:
        warnings.append(f"the delays did not increase ({gaps[0]:.2f} s, then {gaps[1]:.2f} s); "
                        "an exponential backoff spreads the load when SB recovers")
    if _outcome(sync_outcome, sync_output) != "synced":
        findings.append(f"the sync did not succeed after the fault cleared: "
                        f"{_last_line(sync_output)}")
    shown = ", ".join(f"{gap:.2f} s" for gap in gaps)
    if findings:
        return failed("ERR-06", "The app does not back off and recover from 5xx answers (AFAS "
                      "documents no 5xx behaviour for SB: the 503 answers follow our "
                      "assumption).",
                      findings, warnings=warnings, gaps_s=gaps)
    return passed("ERR-06", f"SB answered 503 {len(unavailable)} times; the app retried after "
                  f"{shown} and the sync succeeded.", warnings=warnings, gaps_s=gaps)


def retry_after_honoured(
    exchanges: Sequence[Exchange], operation_id: str, *, tolerance: float = 0.05,
    sync_outcome: str | None = None, sync_output: str = "",
) -> Judgement:
    """ERR-07: after 429 with Retry-After the next attempt waits at least that long.

    Waiting longer is fine; stopping the sync with a report instead of retrying is cautious,
    not wrong (a warning); a sync that reports success without the throttled data fails.
    """
    attempts = _attempts(exchanges, operation_id)
    throttled = [e for e in attempts if e.status == 429]
    if not throttled:
        return failed("ERR-07", f"The app did not call {operation_id} (the read its baseline "
                      "sync made first) while SB answered 429.")
    findings: list[str] = []
    warnings: list[str] = []
    waits: list[float] = []
    outcome = _outcome(sync_outcome, sync_output) if sync_outcome is not None else None
    for e in throttled:
        try:
            wanted = float(e.response_headers.get("retry-after", "0"))
        except ValueError:
            wanted = 0.0
        answered_at = e.started + e.duration_ms / 1000
        following = [later for later in attempts if later.started > e.started]
        if not following:
            if outcome == "failed" and sync_output.strip():
                warnings.append(f"after {where(e)} the app stopped and reported instead of "
                                f"retrying after {wanted:g} s: {wording.quoted(sync_output)}")
            else:
                findings.append(f"after {where(e)} the app did not try again")
            continue
        waited = following[0].started - answered_at
        waits.append(waited)
        if waited + tolerance < wanted:
            findings.append(f"after {where(e)} (Retry-After: {wanted:g}) the app tried again "
                            f"{waited:.2f} s later ({where(following[0])})")
    if findings:
        return failed("ERR-07", "The app does not honour Retry-After (AFAS documents no rate "
                      "limits for SB: the 429 with Retry-After follows our assumption).", findings,
                      warnings=warnings, waits_s=waits)
    shown = ", ".join(f"{w:.2f} s" for w in waits) or "(no retry)"
    return passed("ERR-07", f"After 429 the app waited {shown}, at least the Retry-After SB "
                  "asked for.", warnings=warnings, waits_s=waits)


@dataclass(frozen=True)
class FollowUp:
    """The next sync on the same work, run when the faulted sync did not succeed."""

    exchanges: Sequence[Exchange]
    outcome: str
    output: str


def retried_with_same_identifier(
    exchanges: Sequence[Exchange], held: Sequence[dict[str, Any]], *, sync_outcome: str,
    sync_output: str, target: JudgedWrite | None = None, follow_up: FollowUp | None = None,
) -> Judgement:
    """ERR-08: after a lost answer SB holds the entry exactly once; retries reuse the identifier.

    Judged on SB's state (`held`: after the scenario, the follow-up sync included): the entry
    the lost write made is held once, and no retry reached SB as a new request (another or no
    Tracking-Identifier). An app that reports the lost answer and completes the entry on its
    next sync passes with a warning. Where the operation does not declare
    Tracking-Identifier, only what SB holds is judged.
    """
    faulted = [e for e in api_calls(exchanges) if e.method in ("POST", "PUT", "DELETE")]
    later = list(follow_up.exchanges) if follow_up is not None else []
    calls = faulted + [e for e in api_calls(later) if e.method in ("POST", "PUT", "DELETE")]
    dropped = [e for e in faulted if e.status == 0 and e.fault]
    if not dropped:
        return failed("ERR-08", "The app made no write whose answer could be lost, so its "
                      f"retry could not be seen{_judged(target)}.", [f"writes: {len(calls)}"])
    declared = target is None or target.declares_tracking_identifier
    findings: list[str] = []
    warnings: list[str] = []
    outcome = _outcome(sync_outcome, sync_output)
    entries: dict[str, list[Exchange]] = {}
    for lost in dropped:
        entries.setdefault(landed.entry_key(lost.request_body), []).append(lost)
    for attempts in entries.values():
        lost = attempts[0]
        ids = landed.held_ids(held, lost.request_body)
        made = any(landed.made_by(e) for e in attempts)
        if len(ids) > 1 or (not ids and (made or outcome == "synced")):
            findings.append(f"SB holds the entry of {where(lost)} "
                            f"({landed.entry_label(lost.request_body)}) {len(ids)} times"
                            + (f" ({', '.join(ids)})" if ids else ""))
    for resend in landed.resends_of_made(calls):
        if declared or resend.duplicated:
            findings.append(f"{where(resend.again)} retried {where(resend.made)} with "
                            f"{resend.identifier_phrase}: {resend.what_sb_did}")
    first = dropped[0]
    if declared and not api_facts(first).tracking_identifier:
        note = (f"{where(first)} carried no Tracking-Identifier, so SB cannot tell a retry from "
                "a new entry")
        (findings if any(e.seq > first.seq for e in calls) else warnings).append(note)
    if outcome != "synced":
        if follow_up is not None and _outcome(follow_up.outcome, follow_up.output) == "synced":
            warnings.append(f"the sync reported the lost answer ({_last_line(sync_output)}); "
                            "the next sync completed the entry")
        else:
            last = follow_up.output if follow_up is not None else sync_output
            findings.append(f"the sync did not succeed: {_last_line(last)}")
    replayed = landed.same_identifier_resends(calls)
    how = (f"the retry carried the same Tracking-Identifier and SB answered it from its cache "
           f"({where(replayed[0])})" if replayed else "no retry reached SB as a new request")
    if findings:
        return failed("ERR-08", "Retries of a write with a lost answer can make duplicates.",
                      findings, warnings=warnings)
    return passed("ERR-08", f"{len(dropped)} write(s) lost their answer{_judged(target)}; {how}, "
                  "and SB holds each entry exactly once.", warnings=warnings)


@dataclass(frozen=True)
class UnusualRun:
    """One sync while SB answered with spec-valid but unusual bodies."""

    variant: str  # e.g. "empty lists"
    outcome: str
    exit_code: int | None
    output: str
    app_log: str = ""  # what the app's own server printed meanwhile (an HTTP sync's crash)


def _exception_line(log: str, marker: str) -> str:
    """The line naming the exception after a stack trace's frames (Python: the first line
    after 'Traceback ...' that is not indented), else the marker's own line."""
    lines = log.splitlines()
    for at, line in enumerate(lines):
        if marker in line:
            for later in lines[at + 1:]:
                if later.strip() and not later[:1].isspace():
                    return later.strip()
            return line.strip()
    return marker


def unusual_responses_survived(runs: Sequence[UnusualRun]) -> Judgement:
    """ERR-09: spec-valid but unusual answers never crash the sync; it completes or reports."""
    findings: list[str] = []
    for run in runs:
        crash = traceback_in(run.app_log)
        if "Traceback (most recent call last)" in run.output:
            lines = [line for line in run.output.strip().splitlines() if line.strip()]
            findings.append(f"{run.variant}: the sync crashed: {lines[-1][:200] if lines else ''}")
        elif crash:
            # a server that catches its own crash still crashed on SB's valid answer
            findings.append(f"{run.variant}: the app logged a stack trace ({crash!r}) while "
                            f"syncing: {_exception_line(run.app_log, crash)[:200]}")
        elif run.outcome not in ("synced", "failed"):
            findings.append(f"{run.variant}: the sync did not end by itself ({run.outcome})")
        elif run.exit_code is not None and not 0 <= run.exit_code < 128:
            findings.append(f"{run.variant}: the sync died with exit code {run.exit_code}")
        elif run.outcome == "failed" and not run.output.strip():
            findings.append(f"{run.variant}: the sync failed without a message")
    summary = "; ".join(f"{run.variant}: {run.outcome}" for run in runs)
    return judge("ERR-09", findings,
                 f"With unusual but spec-valid answers the sync completed or reported cleanly "
                 f"({summary}).",
                 "Unusual but spec-valid answers crash the app's sync.")


def unreachable_reported(
    *, sync_outcome: str, sync_output: str, duration_s: float, limit_s: float, attempts: int,
    window_s: float | None = None, longest_request_s: float = 0.0,
    request_cap_s: float | None = None,
) -> Judgement:
    """ERR-10: with SB unreachable the sync ends with a failure report, bounded in time.

    AFAS rejects a hang (no report within the harness's window `window_s`), silent success
    and a request without a client timeout (held open `request_cap_s` or longer). Reporting
    later than the recommended `limit_s` but within the window is a cautious policy: a
    warning.
    """
    window = window_s if window_s is not None else limit_s
    findings: list[str] = []
    warnings: list[str] = []
    outcome = _outcome(sync_outcome, sync_output)
    if request_cap_s is not None and longest_request_s >= request_cap_s:
        findings.append(f"an SB request stayed open {longest_request_s:.1f} s without the app "
                        f"giving up (at most {request_cap_s:g} s expected); set a client timeout")
    if outcome == "synced":
        findings.append(f"the sync reported success although SB answered nothing "
                        f"({attempts} requests went unanswered)")
    elif sync_outcome == "timeout" or duration_s > window:
        findings.append(f"the sync had not reported after {duration_s:.1f} s (the harness "
                        f"waits {window:g} s; [thresholds] unreachable_timeout {limit_s:g} s); "
                        "set a client timeout and bound the retries")
    elif outcome != "failed":
        findings.append(f"the sync could not be judged ({sync_outcome})")
    elif not sync_output.strip():
        findings.append("the sync failed without a message")
    elif duration_s > limit_s:
        warnings.append(f"the sync reported after {duration_s:.1f} s, later than the "
                        f"recommended {limit_s:g} s ([thresholds] unreachable_timeout): "
                        "bounded, but the customer waits long")
    if findings:
        return failed("ERR-10", "The app does not report an unreachable SB in time.", findings,
                      warnings=warnings, duration_s=round(duration_s, 2))
    return passed("ERR-10", f"With SB unreachable the sync failed after {duration_s:.1f} s "
                  f"(recommended {limit_s:g} s) and said: {_last_line(sync_output)}",
                  warnings=warnings, duration_s=round(duration_s, 2))
