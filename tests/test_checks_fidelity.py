"""INT-04 and INT-06 over the observed dialect's evidence: the guides' `sort`, lower-case
filter fields, and paging judged by outcome (every record exactly once)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from checks import integration
from sbready.sandbox.journal import Exchange
from sbready.spec.index import OperationIndex
from sbready.spec.resolve import load_index
from tests.test_checks_integration import call

LEDGER = "/api/ledgeraccounts"
ORGANISATIONS = "/api/organisations"


@pytest.fixture(scope="module")
def index(spec_dir: Path) -> OperationIndex:
    return load_index(spec=str(spec_dir / "6.0.0.json"))


def page(seq: int, skip: int, ids: list[str], total: int, **query: str) -> Exchange:
    """One page of a list read, with the records it carried in the journal."""
    exchange = call(seq, LEDGER, query={"skip": str(skip), "take": "2", **query},
                    returned=len(ids), matched=total,
                    sort_parameter=next((k for k in query if k in ("sortField", "sort")), None))
    exchange.response_body = [{"Id": ident} for ident in ids]
    return exchange


def test_int04_warns_when_the_app_sorts_with_the_guides_name(index: OperationIndex) -> None:
    judgement = integration.query_parameters_valid(
        [call(1, LEDGER, query={"sort": "Description+Ascending"})], index)
    assert judgement.passed
    assert "'sort' as AFAS's pagination guide writes it" in judgement.warnings[0]
    assert "declares 'sortField'" in judgement.warnings[0]
    bad = integration.query_parameters_valid([call(1, LEDGER, query={"sort": "Colour"})], index)
    assert not bad.passed and "sort 'Colour' names no field" in bad.findings[0]


def test_int04_accepts_lower_case_filter_fields_as_the_guide_writes_them(
    index: OperationIndex,
) -> None:
    guide = "id eq cff8fd69-609d-5a8e-b343-5482f0847c79 or Id eq 3c92d8d3-3cc6-5fe8-bd67-" \
        "9c810bf80c0c"
    judgement = integration.query_parameters_valid(
        [call(1, ORGANISATIONS, query={"filter": guide, "sortField": "name"})], index)
    assert judgement.passed and not judgement.warnings, judgement.findings


def test_int06_fails_overlapping_unsorted_pages_by_outcome(index: OperationIndex) -> None:
    pages = [page(1, 0, ["a", "b"], 4), page(2, 2, ["b", "c"], 4)]  # "d" never came
    judgement = integration.lists_read_completely(pages, index)
    assert not judgement.passed
    assert "1 records never arrived and 1 arrived more than once" in judgement.findings[0]
    assert "2 of 2 pages without sortField" in judgement.findings[1]


def test_int06_passes_sorted_pages_and_warns_on_the_guides_sort(index: OperationIndex) -> None:
    spec_sorted = [page(1, 0, ["a", "b"], 4, sortField="Id"),
                   page(2, 2, ["c", "d"], 4, sortField="Id")]
    judgement = integration.lists_read_completely(spec_sorted, index)
    assert judgement.passed and not judgement.warnings
    assert "every record arrived exactly once" in judgement.sentence
    guide_sorted = [page(1, 0, ["a", "b"], 4, sort="Id+Ascending"),
                    page(2, 2, ["c", "d"], 4, sort="Id+Ascending")]
    warned = integration.lists_read_completely(guide_sorted, index)
    assert warned.passed and "declares 'sortField'" in warned.warnings[0]


def test_int06_without_recorded_records_judges_by_parameters(index: OperationIndex) -> None:
    pages: list[Any] = [page(1, 0, ["a", "b"], 4), page(2, 2, ["c", "d"], 4)]
    for exchange in pages:
        exchange.response_body = None
    judgement = integration.lists_read_completely(pages, index)
    assert not judgement.passed and "without sortField" in judgement.findings[0]


def test_int02_says_its_version_rule_is_our_assumption(index: OperationIndex) -> None:
    wrong = call(1, LEDGER)
    wrong.request_headers = {"authorization": "Bearer fp:abc", "accept-version": "2"}
    judgement = integration.bearer_and_accept_version([wrong], index, None)
    assert not judgement.passed and "needs Accept-Version: 1" in judgement.findings[0]
    assert "is our assumption" in judgement.sentence
    bare = call(1, LEDGER)
    bare.request_headers = {"accept-version": "1"}
    only_bearer = integration.bearer_and_accept_version([bare], index, None)
    assert not only_bearer.passed and "assumption" not in only_bearer.sentence


def test_int09_does_not_mistake_a_refused_readkey_for_missing_rights() -> None:
    judgement = integration.contract_conforms([], ["getBlob"])
    assert judgement.passed
    assert "getBlob: not exercised (needs the ReadKey of a record's Blob" in judgement.warnings[0]
