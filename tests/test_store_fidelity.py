"""The observed dialect's behaviour as AFAS's guides describe it (store level).

Pages cited: blobs, howto-purchasejournal, change-tracking, pagination, filtering,
troubleshooting (AFASSoftware/OASContent, markdownpages/sb/en/).
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from sbready.sandbox.store import ApiRequest, ApiStore, StoreResponse
from sbready.spec.index import OperationIndex
from sbready.spec.resolve import load_index
from tests.test_store_writes import entry, main_ids, multipart


class Clock:
    """A store clock tests move by hand."""

    def __init__(self) -> None:
        self.now = 1_760_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def index(spec_dir: Path) -> OperationIndex:
    return load_index(spec=str(spec_dir / "6.0.0.json"))


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(index: OperationIndex, clock: Clock) -> ApiStore:
    return ApiStore(index, environments=("demo",), redelivery_window=120, readkey_lifetime=3600,
                    now=clock)


def call(store: ApiStore, method: str, path: str, body: Any = None, *, raw: bytes | None = None,
         query: dict[str, str] | None = None, headers: dict[str, str] | None = None,
         content_type: str | None = "application/json") -> StoreResponse:
    operation = store.index.match(method, path)
    assert operation is not None, (method, path)
    payload = raw if raw is not None else (b"" if body is None else json.dumps(body).encode())
    params = {"uuid": path.rsplit("/", 1)[-1]} if path.startswith("/api/blob/") else {}
    return store.handle("demo", operation, ApiRequest(method, path, params, query or {},
                                                      headers or {}, payload, content_type))


def rows(response: StoreResponse) -> list[dict[str, Any]]:
    assert response.status == 200, response.body
    return response.body["Result"] if isinstance(response.body, dict) else response.body


def reserve(store: ApiStore, blob_id: str, length: int) -> StoreResponse:
    return call(store, "PUT", f"/api/blob/{blob_id}", raw=b"", content_type=None, headers={
        "blob-content-length": str(length), "blob-content-type": "application/pdf",
        "blob-content-filename": "bon.pdf"})


def upload(store: ApiStore, blob_id: str, content: bytes, **headers: str) -> StoreResponse:
    raw, content_type = multipart(content)
    return call(store, "PUT", f"/api/blob/{blob_id}", raw=raw, content_type=content_type,
                headers={"blob-upload-type": "blob", **headers})


# --- blobs (blobs, howto-purchasejournal) -----------------------------------------------------

def test_upload_answers_200_without_a_body_and_the_reservation_answers_chunksize(store):
    blob_id = str(uuid.uuid4())
    assert reserve(store, blob_id, 5).body == {"BlobAccepted": True, "ChunkSize": 5242880}
    uploaded = upload(store, blob_id, b"hello", **{"blob-content-length": "5"})
    assert uploaded.status == 200 and uploaded.body == b"" and uploaded.content_type == ""
    assert uploaded.facts["complete"] is True


def test_schema_dialect_keeps_the_schemas_upload_answer(index):
    schema_store = ApiStore(index, dialect="schema")
    blob_id = str(uuid.uuid4())
    reserve(schema_store, blob_id, 5)
    assert upload(schema_store, blob_id, b"hello").body == {"BlobAccepted": True,
                                                            "ChunkSize": 5242880}


def test_uploads_without_reservation_or_with_another_size_are_refused(store):
    unreserved = upload(store, str(uuid.uuid4()), b"hello", **{"blob-content-length": "5"})
    assert unreserved.status == 400 and "is not reserved" in unreserved.facts["explanation"]
    blob_id = str(uuid.uuid4())
    reserve(store, blob_id, 5)
    declared = upload(store, blob_id, b"hello!", **{"blob-content-length": "6"})
    assert declared.status == 400
    assert "Blob-Content-Length 6 differs from the reserved 5" in declared.facts["explanation"]
    longer = upload(store, blob_id, b"hello!")
    assert longer.status == 400 and "differs from the reserved" in longer.facts["explanation"]
    shorter = upload(store, blob_id, b"hell")
    assert shorter.status == 400 and "but 5 were reserved" in shorter.facts["explanation"]
    assert upload(store, blob_id, b"hello").status == 200
    again = upload(store, blob_id, b"hello")
    assert again.status == 400 and "already complete" in again.facts["explanation"]


def test_blobs_above_chunksize_need_chunks(store):
    store.chunk_size = 4
    blob_id = str(uuid.uuid4())
    reserve(store, blob_id, 10)
    whole = upload(store, blob_id, b"0123456789")
    assert whole.status == 400 and "exceeds ChunkSize 4" in whole.facts["explanation"]
    for chunk in (b"0123", b"4567", b"89"):
        answer = upload(store, blob_id, chunk)
        assert answer.status == 200, answer.facts
    assert answer.facts["complete"] is True


def test_an_attachment_to_a_blob_never_uploaded_does_not_book_cleanly(store):
    ids = main_ids(store)
    reserved_only = str(uuid.uuid4())
    reserve(store, reserved_only, 5)
    answer = call(store, "POST", "/api/salesjournalentry",
                  entry(ids, "BLOB-1", Attachments=[{"AttachmentId": reserved_only}]))
    assert answer.body["result"] == "PartiallySucceeded"
    assert any("Bijlage" in str(error) for error in answer.body["errors"])


def test_readkeys_are_long_signed_and_expire(store, clock):
    products = rows(call(store, "GET", "/api/products", query={"take": "200"}))
    blob = next(record["Blob"] for record in products if record.get("Blob"))
    assert blob["BlobType"] == 2 and len(blob["ReadKey"]) > 700
    assert re.fullmatch(r"[\w-]+\.[\w-]+\.[\w-]+", blob["ReadKey"])  # JWT-shaped, as AFAS's
    path = f"/api/blob/{blob['Id']}"
    assert call(store, "GET", path, query={"readkey": blob["ReadKey"]}).status == 200
    other = next(r["Blob"] for r in products if r.get("Blob") and r["Blob"]["Id"] != blob["Id"])
    foreign = call(store, "GET", path, query={"readkey": other["ReadKey"]})
    assert foreign.status == 403 and "another blob" in foreign.facts["explanation"]
    clock.now += 3601
    expired = call(store, "GET", path, query={"readkey": blob["ReadKey"]})
    assert expired.status == 403 and "has expired" in expired.facts["explanation"]
    assert "Details" in expired.body and "ExceptionCode" not in expired.body
    fresh = next(r["Blob"] for r in rows(call(store, "GET", "/api/products",
                                              query={"take": "200"}))
                 if r.get("Blob") and r["Blob"]["Id"] == blob["Id"])
    assert call(store, "GET", path, query={"readkey": fresh["ReadKey"]}).status == 200


# --- TrackingToken (change-tracking, troubleshooting) ----------------------------------------

def _organisation(name: str) -> dict[str, Any]:
    return {"Name": name, "EmailAddress": "info@example.nl", "Addresses": [
        {"StreetName": "Markt", "HouseNumber": 3, "CityName": "Breda", "CountryCode": "NL",
         "PostalCode": "4811 AA", "AddressType": "Bezoekadres"}]}


def test_trackingtoken_has_afas_format(store, clock):
    token = call(store, "GET", "/api/organisations").body["TrackingToken"]
    issued = datetime.fromtimestamp(clock.now, UTC)
    assert re.fullmatch(r"\d{15,}", token)
    assert token.startswith(f"{issued:%Y%m%d%H%M%S}")  # like 2024020508565910


def test_a_reused_token_redelivers_recent_changes_within_the_window(store, clock):
    first = call(store, "GET", "/api/organisations").body["TrackingToken"]
    created = call(store, "POST", "/api/organisation", _organisation("Nieuw B.V."))
    assert created.body["result"] == "Succeeded", created.body
    delta = call(store, "GET", "/api/organisations", query={"TrackingToken": first})
    assert [r["Name"] for r in delta.body["Result"]] == ["Nieuw B.V."]
    second = delta.body["TrackingToken"]
    again = call(store, "GET", "/api/organisations", query={"TrackingToken": second})
    assert [r["Name"] for r in again.body["Result"]] == ["Nieuw B.V."]  # the same item again
    assert again.facts["redelivered"] == 1
    clock.now += 121
    later = call(store, "GET", "/api/organisations", query={"TrackingToken": second})
    assert later.body["Result"] == [] and "redelivered" not in later.facts


def test_redelivery_is_off_with_a_zero_window_and_in_the_schema_dialect(index):
    for store in (ApiStore(index, redelivery_window=0), ApiStore(index, dialect="schema")):
        call(store, "POST", "/api/organisation", _organisation("Nieuw B.V."))
        token = call(store, "GET", "/api/organisations").body
        token = token["TrackingToken"] if isinstance(token, dict) else None
        if token is None:
            continue  # the schema dialect answers a bare array for this version
        assert rows(call(store, "GET", "/api/organisations",
                         query={"TrackingToken": token})) == []


# --- paging and sorting (pagination) ----------------------------------------------------------

def _pages(store: ApiStore, path: str, size: int, **query: str) -> list[list[str]]:
    pages = []
    for page in range(10):
        got = rows(call(store, "GET", path, query={"skip": str(page * size), "take": str(size),
                                                   **query}))
        pages.append([record["Id"] for record in got])
        if len(got) < size:
            return pages
    return pages


def test_unsorted_pages_may_overlap_sorted_ones_never(store):
    total = len(rows(call(store, "GET", "/api/ledgeraccounts", query={"take": "1000"})))
    unsorted = [i for page in _pages(store, "/api/ledgeraccounts", 100) for i in page]
    assert len(unsorted) == total and len(set(unsorted)) < total  # repeats and misses
    assert unsorted == [i for page in _pages(store, "/api/ledgeraccounts", 100) for i in page]
    for query in ({"sortField": "Id ascending"}, {"sort": "Id Ascending"},
                  {"sort": "Id+Ascending"}, {"sortField": "id"}):
        ids = [i for page in _pages(store, "/api/ledgeraccounts", 100, **query) for i in page]
        assert ids == sorted(ids, key=str.lower) and len(set(ids)) == total, query


def test_the_sort_parameter_name_is_recorded(store):
    spec_name = call(store, "GET", "/api/ledgeraccounts", query={"sortField": "Id"})
    guide_name = call(store, "GET", "/api/ledgeraccounts", query={"sort": "Id+Descending"})
    none = call(store, "GET", "/api/ledgeraccounts")
    assert spec_name.facts["sort_parameter"] == "sortField"
    assert guide_name.facts["sort_parameter"] == "sort"
    assert rows(guide_name)[0]["Id"] > rows(guide_name)[-1]["Id"]
    assert none.facts["sort_parameter"] is None and none.facts["order"] == "shuffled"


def test_the_schema_dialect_keeps_the_internal_order(index):
    schema_store = ApiStore(index, dialect="schema")
    ids = [i for page in _pages(schema_store, "/api/ledgeraccounts", 100) for i in page]
    assert len(ids) == len(set(ids))


# --- filters (filtering) ---------------------------------------------------------------------

def test_filters_as_the_guide_writes_them(store):
    organisation = rows(call(store, "GET", "/api/organisations", query={
        "filter": "Name eq 'Van Dijk Advies'"}))[0]
    by_bare_guid = rows(call(store, "GET", "/api/organisations", query={
        "filter": f"id eq {organisation['Id']}"}))
    assert [r["Name"] for r in by_bare_guid] == ["Van Dijk Advies"]
    either = rows(call(store, "GET", "/api/organisations", query={
        "filter": f"id eq {organisation['Id']} or Name eq 'Jansen Installatietechniek B.V.'"}))
    assert sorted(r["Name"] for r in either) == ["Jansen Installatietechniek B.V.",
                                                 "Van Dijk Advies"]
    both = rows(call(store, "GET", "/api/organisations", query={
        "filter": f"ID eq {organisation['Id']} and name eq 'Van Dijk Advies'"}))
    assert len(both) == 1
