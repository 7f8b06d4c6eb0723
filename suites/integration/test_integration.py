"""Working integration: what the app sends to SB during onboarding and a sync."""

from __future__ import annotations

import pytest

from checks import integration
from checks.evidence import api_calls, writes
from sbready.harness import Harness
from sbready.spec.resolve import load_index
from suites.support import record


def _sync_calls(harness: Harness) -> list:  # type: ignore[type-arg]
    return api_calls(harness.connected().exchanges + harness.first_sync().exchanges)


@pytest.mark.check("INT-01")
def test_requests_exist(harness: Harness) -> None:
    calls = _sync_calls(harness)
    record(integration.requests_exist(calls, harness.index), exchanges=calls)


def _latest_index(harness: Harness):  # type: ignore[no-untyped-def]
    """The latest SB spec, if it can be had without failing the run (for a warning only)."""
    try:
        return load_index(sb_version="latest")
    except Exception:  # noqa: BLE001 - the warning is optional; the check stands without it
        return None


@pytest.mark.check("INT-02")
def test_bearer_and_accept_version(harness: Harness) -> None:
    calls = _sync_calls(harness)
    record(integration.bearer_and_accept_version(calls, harness.index, _latest_index(harness)),
           exchanges=calls)


@pytest.mark.check("INT-03")
def test_request_bodies(harness: Harness) -> None:
    posted = writes(harness.first_sync().exchanges)
    record(integration.bodies_match_schema(posted, harness.index), exchanges=posted)
