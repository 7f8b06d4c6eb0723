"""ERR: working error handling, judged from faults the sandbox injected and what followed."""

from __future__ import annotations

from collections.abc import Sequence

from checks.evidence import api_calls, of_kind, where
from checks.judgement import Judgement, failed, judge
from sbready.sandbox.journal import Exchange


def expired_token_recovered(
    exchanges: Sequence[Exchange], *, sync_outcome: str, sync_output: str
) -> Judgement:
    """ERR-01: after a 401 for an expired token the app refreshes, retries, and syncs."""
    calls = api_calls(exchanges)
    rejected = [e for e in calls if e.status == 401]
    if not rejected:
        return failed("ERR-01", "The app made no API call with its expired token, so the "
                      "refresh could not be observed.",
                      [f"sync outcome: {sync_outcome}; API calls: {len(calls)}"])
    first = rejected[0]
    refreshes = [
        e for e in of_kind(exchanges, "token", "getaccesstoken")
        if e.seq > first.seq and 200 <= e.status < 300
        and (e.kind == "getaccesstoken" or e.facts.get("grant_type") == "refresh_token")
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
