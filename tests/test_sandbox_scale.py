"""Large customers: `--records N` / `[sandbox] scale` seed N organisations, pages stay right."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sbready.cli import main
from sbready.config import load_config
from sbready.errors import UsageError
from sbready.sandbox.query import sort_key
from sbready.sandbox.store import ApiRequest, ApiStore, StoreResponse
from sbready.spec.index import OperationIndex
from tests.test_config import ENV, MINIMAL, error_for, write
from tests.test_sandbox_support import index_600  # noqa: F401 - the shared spec fixture

RECORDS = 20_000


@pytest.fixture(scope="module")
def large(index_600: OperationIndex) -> ApiStore:  # noqa: F811 - the fixture above
    return ApiStore(index_600, records=RECORDS)


def get(store: ApiStore, path: str, **query: str) -> StoreResponse:
    operation = store.index.match("GET", path)
    assert operation is not None, path
    return store.handle("demo", operation, ApiRequest("GET", path, {}, query, {}, b"", None))


def rows(answer: StoreResponse) -> list[dict[str, Any]]:
    assert answer.status == 200, answer.body
    body = answer.body
    return body["Result"] if isinstance(body, dict) else body


def test_records_seed_n_organisations_and_two_fifths_as_many_ledger_accounts(large):
    organisations = get(large, "/api/organisations", take="1")
    ledger_accounts = get(large, "/api/ledgeraccounts", take="1")
    assert organisations.facts["matched"] == RECORDS
    assert ledger_accounts.facts["matched"] == RECORDS * 2 // 5


def test_a_sorted_page_from_the_middle_is_the_slice_of_the_whole_sorted_list(large):
    everything = rows(get(large, "/api/organisations", take=str(RECORDS),
                          sortField="InternalId ascending"))
    assert len(everything) == RECORDS
    assert len({record["Id"] for record in everything}) == RECORDS  # every Id its own
    expected = sorted(everything, key=sort_key("Name"), reverse=True)[10_000:10_100]
    page = rows(get(large, "/api/organisations", skip="10000", take="100",
                    sortField="Name descending"))
    assert [record["Id"] for record in page] == [record["Id"] for record in expected]


def test_a_new_record_shows_up_in_the_cached_sort(index_600: OperationIndex) -> None:  # noqa: F811
    store = ApiStore(index_600, records=2_000)
    before = rows(get(store, "/api/organisations", take="1", sortField="Name ascending"))
    environment = store.environment("demo")
    assert environment is not None
    environment.add("organisation", {"Id": "00000000-0000-4000-8000-000000000001",
                                     "Name": "AAA Eerste Klant B.V."})
    after = rows(get(store, "/api/organisations", take="1", sortField="Name ascending"))
    assert after[0]["Name"] == "AAA Eerste Klant B.V." != before[0]["Name"]
    assert get(store, "/api/organisations", take="1").facts["matched"] == 2_001


def test_unsorted_pages_at_scale_are_seeded_samples_of_the_list(large):
    first = get(large, "/api/organisations", skip="5000", take="100")
    again = get(large, "/api/organisations", skip="5000", take="100")
    other = get(large, "/api/organisations", skip="5100", take="100")
    assert first.facts["order"] == "shuffled"
    ids = [record["Id"] for record in rows(first)]
    assert len(set(ids)) == 100
    assert ids == [record["Id"] for record in rows(again)]  # deterministic per page
    assert ids != [record["Id"] for record in rows(other)]
    last = rows(get(large, "/api/organisations", skip=str(RECORDS - 30), take="100"))
    assert len(last) == 30  # the short last page stays short


def test_records_out_of_range_is_one_sentence(index_600: OperationIndex) -> None:  # noqa: F811
    with pytest.raises(UsageError, match=r"records must be between 1 and 1,000,000, not 0"):
        ApiStore(index_600, records=0)


def test_cli_refuses_records_zero_with_exit_2(spec_dir: Path, capsys) -> None:
    code = main(["sandbox", "--port", "0", "--spec", str(spec_dir / "6.0.0.json"),
                 "--records", "0"])
    assert code == 2
    assert "records must be between 1 and 1,000,000" in capsys.readouterr().err


def test_config_scale_key(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, MINIMAL + "\n[sandbox]\nscale = 50000\n"), environ=ENV)
    assert config.sandbox.scale == 50_000
    message = error_for(tmp_path, MINIMAL + "\n[sandbox]\nscale = \"big\"\n")
    assert "scale in [sandbox] must be a number of records from 1 to 1,000,000" in message


def test_invoice_numbers_are_looked_up_per_administration_and_follow_writes(
        index_600: OperationIndex) -> None:  # noqa: F811
    store = ApiStore(index_600)
    environment = store.environment("demo")
    assert environment is not None
    administration = str(environment.entities("administration")[0]["Id"])
    assert not environment.invoice_number_taken("salesjournalentry", administration.lower(),
                                                "F-2025-001")
    entry = environment.add("salesjournalentry", {"Id": "e1", "InvoiceNumber": "F-2025-001",
                                                  "AdministrationId": administration.upper()})
    assert environment.invoice_number_taken("salesjournalentry", administration.lower(),
                                            "F-2025-001")
    assert not environment.invoice_number_taken("salesjournalentry", "another", "F-2025-001")
    environment.update("salesjournalentry", entry, {"InvoiceNumber": "F-2025-002"})
    assert not environment.invoice_number_taken("salesjournalentry", administration.lower(),
                                                "F-2025-001")
    assert environment.invoice_number_taken("salesjournalentry", administration.lower(),
                                            "F-2025-002")


def test_the_harness_seeds_the_scale_the_config_asks_for(tmp_path: Path, spec_dir: Path) -> None:
    from sbready.harness import start_harness

    config = load_config(write(tmp_path, MINIMAL + "\n[sandbox]\nscale = 3000\n"), environ=ENV)
    assert config.start is None  # the sandbox alone: no app to start
    harness = start_harness(config, tmp_path / "work")
    try:
        environment = harness.sandbox.store.environment("demo")
        assert environment is not None
        assert len(environment.entities("organisation")) >= 3000
    finally:
        harness.stop()
