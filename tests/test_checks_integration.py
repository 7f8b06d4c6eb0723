"""The INT-04..INT-10 judgements over synthetic exchanges: branches a demo run cannot reach."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from checks import integration
from sbready.contract_run import ContractCase
from sbready.sandbox.journal import Exchange
from sbready.spec.index import OperationIndex
from sbready.spec.resolve import load_index

LEDGER = "/api/ledgeraccounts"
ENTRY = "/api/salesjournalentry"


@pytest.fixture(scope="module")
def index(spec_dir: Path) -> OperationIndex:
    return load_index(spec=str(spec_dir / "6.0.0.json"))


def call(seq: int, api_path: str, *, method: str = "GET", status: int = 200,
         query: dict[str, str] | None = None, body: Any = None, started: float = 0.0,
         **facts: Any) -> Exchange:
    """An /api/ exchange as the sandbox journals it."""
    return Exchange(
        seq=seq, started=started or float(seq), duration_ms=1.0, environment="demo", kind="api",
        client_id="demo-partner", method=method, url=f"http://sb/demo{api_path}",
        path=f"/demo{api_path}", api_path=api_path,
        query={k: [v] for k, v in (query or {}).items()}, request_headers={},
        request_content_type="application/json" if body is not None else None,
        request_body=body, status=status, response_headers={}, response_body=None,
        operation_id=None, facts=facts,
    )


# --- INT-04 ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("query", "words"), [
    ({"skip": "-1"}, "skip='-1' is not a whole number"),
    ({"take": "ten"}, "take='ten' is not a whole number"),
    ({"sortField": "Id upwards"}, "direction 'upwards'"),
    ({"sortField": "Colour ascending"}, "names no field of the response"),
    ({"filter": "AdministrationId == 'x'"}, "filter \"AdministrationId == 'x'\""),
    ({"filter": "Colour eq 'red'"}, "names Colour, not a field"),
])
def test_bad_query_values_are_findings(index: OperationIndex, query: dict[str, str],
                                       words: str) -> None:
    judgement = integration.query_parameters_valid([call(1, LEDGER, query=query)], index)
    assert not judgement.passed
    assert words in judgement.findings[0] and "#1 GET /demo/api/ledgeraccounts" in \
        judgement.findings[0]


def test_query_on_an_operation_without_paging_is_a_finding(index: OperationIndex) -> None:
    judgement = integration.query_parameters_valid(
        [call(1, ENTRY, method="POST", query={"skip": "0"})], index)
    assert not judgement.passed and "does not page" in judgement.findings[0]


def test_good_queries_pass(index: OperationIndex) -> None:
    query = {"skip": "100", "take": "100", "sortField": "Id descending",
             "filter": "AdministrationId eq 4a670148-0351-5896-927d-1b2340fb9dde"}
    assert integration.query_parameters_valid([call(1, LEDGER, query=query)], index).passed


# --- INT-05 ---------------------------------------------------------------------------------

def test_call_outside_the_grant_names_the_bundles(index: OperationIndex) -> None:
    judgement = integration.within_grant([call(1, "/api/products")], index, ["Relaties"])
    assert not judgement.passed
    assert "get_products_3.0" in judgement.findings[0] and "Relaties" in judgement.findings[0]


def test_no_declared_bundles_passes_with_a_warning(index: OperationIndex) -> None:
    judgement = integration.within_grant([call(1, "/api/products")], index, [])
    assert judgement.passed and judgement.warnings


# --- INT-06 ---------------------------------------------------------------------------------

def _page(seq: int, skip: int, returned: int, *, sort: bool = True) -> Exchange:
    query = {"skip": str(skip), "take": "100"}
    if sort:
        query["sortField"] = "Id ascending"
    return call(seq, LEDGER, query=query, returned=returned, matched=250)


def test_complete_sorted_paging_passes(index: OperationIndex) -> None:
    pages = [_page(1, 0, 100), _page(2, 100, 100), _page(3, 200, 50)]
    assert integration.lists_read_completely(pages, index).passed


def test_missing_window_is_reported_with_the_count(index: OperationIndex) -> None:
    pages = [_page(1, 0, 100), _page(2, 200, 50)]
    judgement = integration.lists_read_completely(pages, index)
    assert not judgement.passed and "read 150 of 250" in judgement.findings[0]


def test_short_lists_need_no_paging(index: OperationIndex) -> None:
    single = call(1, LEDGER, query={"skip": "0", "take": "500"}, returned=250, matched=250)
    judgement = integration.lists_read_completely([single], index)
    assert judgement.passed and judgement.warnings


# --- INT-07 ---------------------------------------------------------------------------------

def test_tracked_list_without_token_is_a_finding(index: OperationIndex) -> None:
    later = [call(1, "/api/organisations", query={"skip": "0"}),
             call(2, "/api/persons", query={"TrackingToken": "202601010000001"})]
    judgement = integration.incremental_sync(later, index)
    assert not judgement.passed and len(judgement.findings) == 1
    assert "/api/organisations" in judgement.findings[0]


def test_an_app_whose_lists_have_no_change_tracking_passes_without_a_warning(
        index: OperationIndex) -> None:
    first = [call(1, "/api/administrations"), call(2, LEDGER, query={"skip": "0"})]
    judgement = integration.incremental_sync([call(3, "/api/administrations")], index,
                                             first_calls=first)
    assert judgement.passed and not judgement.warnings, judgement.message()
    assert "nothing to read incrementally" in judgement.sentence
    # a tracked list read in the first sync but not later is still "nothing seen": a warning
    tracked = integration.incremental_sync([], index, first_calls=[
        call(1, "/api/organisations", query={"skip": "0"})])
    assert tracked.passed and tracked.warnings


# --- INT-08 ---------------------------------------------------------------------------------

ENTRY_BODY = {"InvoiceNumber": "X-1", "AdministrationId": "a"}


def test_undeclared_scenario_fails_with_the_fix() -> None:
    judgement = integration.expected_writes_landed([], [], {}, None, sync_outcome="synced",
                                                   sync_output="")
    assert not judgement.passed and "expected_writes" in judgement.sentence


def test_created_count_and_storage_are_checked() -> None:
    created = call(5, ENTRY, method="POST", body=ENTRY_BODY, created_id="id-1",
                   result="Succeeded")
    judgement = integration.expected_writes_landed(
        [created], [], {ENTRY: []}, {ENTRY: 2}, sync_outcome="synced", sync_output="")
    assert not judgement.passed
    assert any("2 records expected, the baseline sync created 1" in f
               for f in judgement.findings)
    assert any("not in SB" in f for f in judgement.findings)


def test_duplicates_in_the_store_are_reported() -> None:
    created = call(5, ENTRY, method="POST", body=ENTRY_BODY, created_id="id-1",
                   result="Succeeded")
    stored = [{**ENTRY_BODY, "Id": "id-1"}, {**ENTRY_BODY, "Id": "id-2"}]
    judgement = integration.expected_writes_landed(
        [created], [], {ENTRY: stored}, {ENTRY: 1}, sync_outcome="synced", sync_output="")
    assert not judgement.passed and any("SB holds invoice X-1 2 times (id-1, id-2)" in f
                                        for f in judgement.findings)


def test_a_replayed_retry_is_not_a_duplicate() -> None:
    created = call(5, ENTRY, method="POST", body=ENTRY_BODY, created_id="id-1",
                   result="Succeeded")
    replay = call(6, ENTRY, method="POST", body=ENTRY_BODY, replayed=True)
    judgement = integration.expected_writes_landed(
        [created, replay], [], {ENTRY: [{**ENTRY_BODY, "Id": "id-1"}]}, {ENTRY: 1},
        sync_outcome="synced", sync_output="")
    assert judgement.passed, judgement.message()


# --- INT-09 ---------------------------------------------------------------------------------

def _case(status: int, content_type: str | None = "application/json",
          problems: tuple[str, ...] = ()) -> ContractCase:
    return ContractCase("get_ledgeraccounts_1.0", "GET", LEDGER, {}, status, content_type,
                        problems)


def test_server_errors_and_non_json_fail_the_contract_run() -> None:
    judgement = integration.contract_conforms(
        [_case(500), _case(200, "text/html")], ["get_ledgeraccounts_1.0"])
    assert not judgement.passed and len(judgement.findings) == 2
    assert "missing rights" not in judgement.sentence.lower()


def test_schema_deviation_is_a_warning() -> None:
    judgement = integration.contract_conforms(
        [_case(200, problems=("0/Id: 1 is not of type 'string'",))], ["get_ledgeraccounts_1.0"])
    assert judgement.passed and "deviates from its published schema" in judgement.warnings[0]


def test_no_operations_fails() -> None:
    assert not integration.contract_conforms([], []).passed


# --- INT-10 ---------------------------------------------------------------------------------

def test_new_connection_per_request_is_a_warning_not_a_failure() -> None:
    # slower, not wrong (e.g. urllib without keep-alive): AFAS would not reject it
    calls = [call(n, LEDGER, returned=1, client_port=50000 + n) for n in range(1, 6)]
    calls.append(call(9, ENTRY, method="POST", client_port=50009, result="Succeeded"))
    judgement = integration.request_volume(calls, requests_per_item=10)
    assert judgement.passed and "opened a new connection" in judgement.warnings[0]


def test_read_only_sync_counts_records() -> None:
    calls = [call(1, LEDGER, returned=3, client_port=1), call(2, LEDGER, returned=0,
                                                              client_port=1)]
    judgement = integration.request_volume(calls, requests_per_item=1)
    assert judgement.passed and "records read" in judgement.sentence
