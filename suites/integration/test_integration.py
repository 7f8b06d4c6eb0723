"""Working integration: what the app sends to SB during onboarding and a sync.

Evidence windows: the shared baseline, i.e. the onboarding (`harness.onboarded()`) plus the
first sync (`harness.first_sync()`), each run once per session and cached, so every test
judges the same exchanges whatever the test order; tests that run their own sync add only
that sync's exchanges.
"""

from __future__ import annotations

from dataclasses import asdict

import pytest

from checks import integration
from checks.evidence import api_calls, writes
from sbready.contract_run import contract_run, mint_access_token
from sbready.harness import CUSTOMER_ENVIRONMENT, Harness, Sync
from sbready.live import LiveHarness
from sbready.spec.resolve import load_index, load_spec
from suites.connection import require_connection
from suites.support import record


def _sync_calls(harness: Harness) -> list:  # type: ignore[type-arg]
    require_connection(harness)  # without one, ONB-02 is the one failure to report
    return api_calls(harness.onboarded() + harness.first_sync().exchanges)


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
    require_connection(harness)
    posted = writes(harness.first_sync().exchanges)
    record(integration.bodies_match_schema(posted, harness.index), exchanges=posted)


def _baseline_calls(harness: Harness) -> list:  # type: ignore[type-arg]
    require_connection(harness)
    return api_calls(harness.first_sync().exchanges)


def _second_sync(harness: Harness) -> Sync:
    """A later sync of the same connection (shared by INT-07 and INT-08)."""
    require_connection(harness)
    harness.first_sync()
    return harness.once("second_sync", lambda: _sync_with_work(harness))  # type: ignore[no-any-return]


def _sync_with_work(harness: Harness) -> Sync:
    """A later sync with new work: an app that calls SB only when it has work reads too (and
    the new item is another entry, so INT-08's "not posted again" still holds)."""
    harness.give_work()
    return harness.sync()


@pytest.mark.check("INT-04")
def test_query_parameters(harness: Harness) -> None:
    calls = _sync_calls(harness)
    record(integration.query_parameters_valid(calls, harness.index), exchanges=calls)


@pytest.mark.check("INT-05")
def test_within_grant(harness: Harness) -> None:
    calls = _sync_calls(harness)
    record(integration.within_grant(calls, harness.index, harness.config.app.bundles),
           exchanges=calls, granted_bundles=list(harness.config.app.bundles))


@pytest.mark.check("INT-06")
def test_lists_read_completely(harness: Harness) -> None:
    calls = _baseline_calls(harness)
    record(integration.lists_read_completely(calls, harness.index), exchanges=calls)


@pytest.mark.check("INT-07")
def test_incremental_sync(harness: Harness) -> None:
    later = api_calls(_second_sync(harness).exchanges)
    first = api_calls(harness.first_sync().exchanges)
    record(integration.incremental_sync(later, harness.index, first_calls=first),
           exchanges=later)


@pytest.mark.check("INT-08")
def test_expected_writes(harness: Harness) -> None:
    require_connection(harness)
    baseline = harness.first_sync()
    later = _second_sync(harness)
    expected = harness.config.scenario.expected_writes
    # expected_writes counts across the office's environments (an Admin Center app writes
    # in each), so what SB holds is gathered from all of them
    written = {path: [record for environment in harness.sandbox.environments
                      for record in harness.sandbox.store.written(environment, path)]
               for path in (expected or {})}
    posted = writes(baseline.exchanges + later.exchanges)
    baseline_writes, later_writes = writes(baseline.exchanges), writes(later.exchanges)
    record(
        integration.expected_writes_landed(
            baseline_writes, later_writes, written, expected,
            sync_outcome=baseline.result.outcome, sync_output=baseline.result.output),
        exchanges=posted, sync_output=baseline.result.output,
        written_records={path: len(records) for path, records in written.items()},
    )


@pytest.mark.check("INT-09")
def test_contract_run(harness: Harness) -> None:
    calls = _sync_calls(harness)
    needed = sorted({e.operation_id for e in calls if e.operation_id})
    app = harness.config.app
    document = load_spec(spec=app.spec, sb_version=app.sb_version).document
    if isinstance(harness, LiveHarness):
        # live: the app's own token, and only GETs unless [live] allows writes
        live_token, allow_writes = harness.contract_access()
        if live_token is None:
            pytest.skip("not run live: the app made no successful API call whose token the "
                        "contract run could use; see ONB-02 and the INT checks")
        access_token = live_token
    else:
        app_token = harness.sandbox.activate(CUSTOMER_ENVIRONMENT, bundles=app.bundles or None,
                                             name="sb-readiness contract run")
        harness.redactor.add(app_token)
        access_token = mint_access_token(harness.afas_base_url(CUSTOMER_ENVIRONMENT), app_token)
        allow_writes = True  # the sandbox's writes land nowhere that matters
    harness.redactor.add(access_token)
    cases = contract_run(document, harness.index, needed,
                         base_url=harness.afas_base_url(CUSTOMER_ENVIRONMENT),
                         access_token=access_token, allow_writes=allow_writes)
    record(integration.contract_conforms(cases, needed),
           contract_cases=[asdict(case) for case in cases], needed_operations=needed)


@pytest.mark.check("INT-10")
def test_request_volume(harness: Harness) -> None:
    calls = _baseline_calls(harness)
    limit = harness.config.thresholds.requests_per_item
    record(integration.request_volume(calls, requests_per_item=limit), exchanges=calls)
