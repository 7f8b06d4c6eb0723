"""Writes, change tracking and blobs of the sandbox store."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from sbready.sandbox import writes
from sbready.sandbox.store import ApiRequest, ApiStore, StoreResponse
from sbready.spec.index import OperationIndex
from sbready.spec.resolve import load_index


@pytest.fixture(scope="module")
def index(spec_dir: Path) -> OperationIndex:
    return load_index(spec=str(spec_dir / "6.0.0.json"))


@pytest.fixture
def store(index: OperationIndex) -> ApiStore:
    return ApiStore(index, environments=("demo", "acme"))


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


def main_ids(store: ApiStore) -> dict[str, str]:
    administration = rows(call(store, "GET", "/api/administrations"))[0]["Id"]
    accounts = rows(call(store, "GET", "/api/ledgeraccounts", query={
        "filter": f"AdministrationId eq {administration} and LedgerAccountNumber eq '8000'"}))
    relation = rows(call(store, "GET", "/api/organisations", query={
        "filter": "Name eq 'Bakkerij De Korenschoof B.V.'"}))
    return {"administration": administration, "account": accounts[0]["Id"],
            "relation": relation[0]["Id"]}


def entry(ids: dict[str, str], number: str = "2024-0001", **changes: Any) -> dict[str, Any]:
    body = {
        "AdministrationId": ids["administration"], "InvoiceDate": "2024-01-30",
        "InvoiceNumber": number, "RelationType": "organisation", "RelationId": ids["relation"],
        "Description": "Brood en banket januari",
        "InvoiceLine": [{"LedgerAccountId": ids["account"], "AmountExcludingVat": 19.99,
                         "AmountVat": 4.2, "VatType": "high", "Description": "Brood"}],
    }
    body.update(changes)
    return body


def test_a_valid_sales_journal_entry_succeeds_once_and_shows_up_in_journal_entries(store):
    ids = main_ids(store)
    before = len(rows(call(store, "GET", "/api/journalentries", query={"take": "1000"})))
    response = call(store, "POST", "/api/salesjournalentry", entry(ids))
    assert response.status == 200 and response.body["result"] == "Succeeded", response.body
    # the observed dialect answers as 6.0.0's success example: data, no instances
    created_id = response.facts["created_id"]
    assert response.body["data"] == {"SalesJournalEntryId": created_id}
    assert "instances" not in response.body and uuid.UUID(created_id)
    written = store.written("demo", "/api/salesjournalentry")
    assert [w["InvoiceNumber"] for w in written] == ["2024-0001"]
    lines = rows(call(store, "GET", "/api/journalentries", query={"take": "1000"}))
    mine = [line for line in lines if line["HeaderId"] == created_id]
    assert len(lines) == before + 2 and len(mine) == 2
    assert {line["LedgerAccountId"] for line in mine} >= {ids["account"]}


def test_the_schema_dialect_answers_instances_with_afas_entity_codes(index):
    store = ApiStore(index, dialect="schema", environments=("demo",))
    response = call(store, "POST", "/api/salesjournalentry", entry(main_ids(store)))
    payment, created = response.body["instances"]
    # the troubleshooting guide's POST answer: two codes for the same record, the number last
    assert payment == {"Code": "InkomendeBetaling", "Id": response.facts["created_id"]}
    assert created == {"Code": "VrkpJrnlpst", "Id": response.facts["created_id"],
                       "Nummer": "2024-0001"}
    assert response.body["data"] == {"SalesJournalEntryId": created["Id"]}
    phone = call(store, "POST", "/api/phonenumber", {"PhoneNumber": "020-7654321"})
    assert phone.body["instances"][0]["Code"] == "Telefoonnummer"


def test_duplicate_invoice_number_fails_with_afas_wording(store):
    ids = main_ids(store)
    assert call(store, "POST", "/api/salesjournalentry", entry(ids)).body["result"] == "Succeeded"
    again = call(store, "POST", "/api/salesjournalentry", entry(ids))
    assert again.status == 200 and again.body["result"] == "Failed"
    assert again.body["errors"] == ["SalesJournalEntry with invoicenumber 2024-0001 already exists"]
    assert len(store.written("demo", "/api/salesjournalentry")) == 1


def test_unknown_line_reference_fails_yet_makes_the_entry_as_afas_documents(store):
    ids = main_ids(store)
    ghost = "a18e0f9a-c73d-58c4-ae80-64c2e4228de4"
    body = entry(ids, "2024-0002")
    body["InvoiceLine"][0]["LedgerAccountId"] = ghost
    failed = call(store, "POST", "/api/salesjournalentry", body)
    held = store.written("demo", "/api/salesjournalentry")
    # 6.0.0's "error on line" example: Failed, instances [], and the entry exists
    assert failed.body["result"] == "Failed" and failed.body["instances"] == []
    assert [w["InvoiceNumber"] for w in held] == ["2024-0002"]
    assert failed.body["errors"] == [
        "Entity is made with one or more errors in the lines. Please correct this error in "
        f"application or delete SalesJournalEntry with id: {held[0]['Id']}.",
        f"Field 'Grootboekrekening' contains an invalid reference ({ghost})",
    ]
    assert failed.facts["half_made"] is True and failed.facts["created_id"] == held[0]["Id"]
    # re-posting the same invoice then meets "already exists"
    again = call(store, "POST", "/api/salesjournalentry", body)
    assert again.body["errors"] == ["SalesJournalEntry with invoicenumber 2024-0002 already "
                                    "exists"]
    assert len(store.written("demo", "/api/salesjournalentry")) == 1


def test_a_date_before_the_opening_balance_fails_yet_makes_the_entry(store):
    failed = call(store, "POST", "/api/salesjournalentry",
                  entry(main_ids(store), "2019-0001", InvoiceDate="2019-12-31"))
    [held] = store.written("demo", "/api/salesjournalentry")
    # 6.0.0's "error on date" example, word for word but the id
    assert failed.body["result"] == "Failed" and failed.body["errors"] == [
        "Entity is made with one or more errors. Please correct this error in application or "
        f"delete SalesJournalEntry with id: {held['Id']}",
        "De factuurdatum ligt vóór de beginbalansdatum. Dit is niet toegestaan."]


def test_unknown_administration_fails_and_makes_nothing(store):
    ids = main_ids(store)
    ghost = "a18e0f9a-c73d-58c4-ae80-64c2e4228de4"
    failed = call(store, "POST", "/api/salesjournalentry",
                  entry(ids, "2024-0003", AdministrationId=ghost))
    assert failed.body["result"] == "Failed" and failed.body["instances"] == []
    assert failed.body["errors"] == [f"Field 'Administratie' contains an invalid reference "
                                     f"({ghost})"]
    assert store.written("demo", "/api/salesjournalentry") == []


def test_injected_results_agree_with_what_the_store_made(store):
    ids = main_ids(store)
    operation = store.index.match("POST", "/api/salesjournalentry")
    made = call(store, "POST", "/api/salesjournalentry", entry(ids, "2024-0004"))
    held = store.written("demo", "/api/salesjournalentry")
    processed = (made.status, made.body, made.facts)
    status, failed, facts = writes.injected_result(operation, "Failed", processed)
    assert status == 200 and failed["result"] == "Failed" and failed["instances"] == []
    assert failed["errors"][0].endswith(f"delete SalesJournalEntry with id: {held[0]['Id']}")
    assert facts["half_made"] and facts["created_id"] == held[0]["Id"]
    _, partial, facts = writes.injected_result(operation, "PartiallySucceeded", processed)
    assert [i["Id"] for i in partial["instances"]] == [held[0]["Id"]]
    assert partial["errors"] and all(isinstance(e, dict) for e in partial["errors"])
    refused = call(store, "POST", "/api/salesjournalentry", entry(ids, "2024-0004"))
    kept = writes.injected_result(operation, "Failed",
                                  (refused.status, refused.body, refused.facts))
    assert kept[1] == refused.body and "not applied" in kept[2]["injected"]
    _, unprocessed, _ = writes.injected_unprocessed(operation)
    assert unprocessed["result"] == "Failed" and len(store.written(
        "demo", "/api/salesjournalentry")) == 1


@pytest.mark.parametrize(
    ("mutate", "message", "property_name"),
    [
        (lambda b: b.pop("InvoiceNumber"), "Invalid JSON request Required properties are "
         "missing from object: InvoiceNumber. Path '', line 1, position 1.", "InvoiceNumber"),
        (lambda b: b.update(RelationId=""),
         "String '' does not validate against format 'uuid'. Path 'RelationId'.", "RelationId"),
        (lambda b: b.update(InvoiceDate="30-01-2024"),
         "String '30-01-2024' does not validate against format 'date'. Path 'InvoiceDate'.",
         "InvoiceDate"),
        (lambda b: b.update(RelationType="klant"),
         "Value klant is not defined in enum. Path 'RelationType'.", "RelationType"),
        (lambda b: b["InvoiceLine"][0].update(AmountExcludingVat="12"),
         "Invalid type. Expected Float but got String. Path 'InvoiceLine[0].AmountExcludingVat'.",
         "AmountExcludingVat"),
        (lambda b: b["InvoiceLine"][0].update(AmountExcludingVat=1.001),
         "is not a multiple of 0.01", "AmountExcludingVat"),
    ],
)
def test_invalid_bodies_get_ds3100(store, mutate, message, property_name):
    body = entry(main_ids(store))
    mutate(body)
    response = call(store, "POST", "/api/salesjournalentry", body)
    assert response.status == 400
    assert response.body["ExceptionCode"] == "DS3100"
    assert message in response.body["Message"]
    # SB's shape (troubleshooting page): lower-case DefinitionName, PropertyNames empty
    assert response.body["AdditionalInfo"]["DefinitionName"] == \
        "salesjournalentry.UpdateConnectorHandler"
    assert response.body["AdditionalInfo"]["PropertyNames"] == ""
    assert response.facts["property_name"] == property_name
    assert property_name in response.facts["explanation"]
    assert store.written("demo", "/api/salesjournalentry") == []


def test_amounts_with_cents_are_valid(store):
    ids = main_ids(store)
    for number, cents in enumerate((0.07, 19.99, 10.1, 1234.56)):
        body = entry(ids, f"C-{number}")
        body["InvoiceLine"][0]["AmountExcludingVat"] = cents
        assert call(store, "POST", "/api/salesjournalentry", body).body["result"] == "Succeeded"


@pytest.mark.parametrize("raw", [b"", b"{", b"\xff\xfe\x00", b"[1, 2]", b"NaN", b"null",
                                 b"[" * 5000, b'{"InvoiceLine": ' + b"[" * 3000])
def test_garbage_bodies_are_400_never_an_exception(store, raw):
    response = call(store, "POST", "/api/salesjournalentry", raw=raw)
    assert response.status == 400 and response.body["ExceptionCode"] == "DS3100"


def test_organisation_create_update_and_tracking_delta(store):
    first = rows(call(store, "GET", "/api/organisations"))
    token = call(store, "GET", "/api/organisations").body["TrackingToken"]
    assert rows(call(store, "GET", "/api/organisations", query={"TrackingToken": token})) == []
    created = call(store, "POST", "/api/organisation", {
        "Name": "Groenteboer Het Zuiden B.V.", "EmailAddress": "info@hetzuiden.nl",
        "Addresses": [{"StreetName": "Markt", "HouseNumber": 3, "CityName": "Breda",
                       "CountryCode": "NL"}]})
    assert created.body["result"] == "Succeeded"
    new_id = created.facts["created_id"]
    assert created.body["data"] == {"RelationId": new_id}  # 6.0.0's "minimum" example shape
    delta = call(store, "GET", "/api/organisations", query={"TrackingToken": token})
    assert [r["Name"] for r in rows(delta)] == ["Groenteboer Het Zuiden B.V."]
    later = delta.body["TrackingToken"]
    assert int(later) > int(token) and len(later) == len(token)
    addresses = rows(call(store, "GET", "/api/addresses", query={
        "filter": f"RelationId eq {new_id}"}))
    assert [a["CityName"] for a in addresses] == ["Breda"]
    updated = call(store, "PUT", "/api/organisation", {"RelationId": new_id,
                                                        "Name": "Groenteboer Zuid B.V."})
    assert updated.body["result"] == "Succeeded"
    again = rows(call(store, "GET", "/api/organisations", query={"TrackingToken": later}))
    assert [r["Name"] for r in again] == ["Groenteboer Zuid B.V."]
    missing = call(store, "PUT", "/api/organisation", {"RelationId": str(uuid.uuid4())})
    assert missing.body["result"] == "Failed"
    store.reset()
    assert rows(call(store, "GET", "/api/organisations")) == first
    assert store.written("demo", "/api/organisation") == []


def test_delete_removes_the_entry_and_its_lines(store):
    ids = main_ids(store)
    entry_id = call(store, "POST", "/api/salesjournalentry",
                    entry(ids, "D-1")).facts["created_id"]
    deleted = call(store, "DELETE", "/api/salesjournalentry",
                   {"AdministrationId": ids["administration"], "Id": entry_id})
    assert deleted.body["result"] == "Succeeded"
    lines = rows(call(store, "GET", "/api/journalentries", query={
        "filter": f"HeaderId eq {entry_id}"}))
    assert lines == []
    assert call(store, "POST", "/api/salesjournalentry", entry(ids, "D-1")).body["result"] == \
        "Succeeded"  # the number is free again


def multipart(content: bytes, boundary: str = "sbready-boundary") -> tuple[bytes, str]:
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"bon.pdf\"\r\nContent-Type: application/pdf\r\n\r\n").encode() + \
        content + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def test_blob_reserve_chunked_upload_download_and_attachment(store):
    store.chunk_size = 10
    blob_id = str(uuid.uuid4())
    path = f"/api/blob/{blob_id}"
    content = b"%PDF-1.4 sixteen"  # 16 bytes: two chunks of at most 10
    reserve_headers = {"blob-content-length": str(len(content)),
                       "blob-content-type": "application/pdf",
                       "blob-content-filename": "bon.pdf"}
    reserved = call(store, "PUT", path, raw=b"", headers=reserve_headers, content_type=None)
    assert reserved.body == {"BlobAccepted": True, "ChunkSize": 10}
    for chunk in (content[:10], content[10:]):
        raw, content_type = multipart(chunk)
        uploaded = call(store, "PUT", path, raw=raw, headers={"blob-upload-type": "blob"},
                        content_type=content_type)
        assert uploaded.status == 200, uploaded.body
    assert uploaded.facts["complete"] is True
    readkey = store.readkeys.issue(blob_id)
    download = call(store, "GET", path, query={"readkey": readkey})
    assert download.status == 200 and download.body == content
    assert download.content_type == "application/pdf"
    assert call(store, "GET", path, query={"readkey": "wrong"}).status == 403
    assert call(store, "GET", f"/api/blob/{uuid.uuid4()}", query={"readkey": readkey}).status \
        == 404
    too_big, content_type = multipart(b"x" * 11)
    big_id = str(uuid.uuid4())
    call(store, "PUT", f"/api/blob/{big_id}", raw=b"",
         headers={**reserve_headers, "blob-content-length": "11"}, content_type=None)
    assert call(store, "PUT", f"/api/blob/{big_id}", raw=too_big,
                headers={"blob-upload-type": "blob"}, content_type=content_type).status == 400
    ids = main_ids(store)
    attached = call(store, "POST", "/api/salesjournalentry",
                    entry(ids, "B-1", Attachments=[{"AttachmentId": blob_id}]))
    assert attached.body["result"] == "Succeeded"
    unknown = call(store, "POST", "/api/salesjournalentry",
                   entry(ids, "B-2", Attachments=[{"AttachmentId": str(uuid.uuid4())}]))
    # the troubleshooting guide: an invalid attachment leaves the rest made, errors as objects
    assert unknown.body["result"] == "PartiallySucceeded"
    assert unknown.body["errors"] == [
        {"VrkpJrnlpst": "'Bijlage' bevat een verwijzing naar een ongeldige waarde."}]
    assert {i["Id"] for i in unknown.body["instances"]} == {unknown.facts["created_id"]}


def test_blob_upload_without_a_reservation_is_refused(store):
    raw, content_type = multipart(b"hello")
    headers = {"blob-content-length": "5", "blob-content-type": "text/plain",
               "blob-content-filename": "a.txt", "blob-upload-type": "blob"}
    response = call(store, "PUT", f"/api/blob/{uuid.uuid4()}", raw=raw, headers=headers,
                    content_type=content_type)
    assert response.status == 400 and "is not reserved" in response.facts["explanation"]


@pytest.mark.parametrize(("raw", "content_type", "headers"), [
    (b"garbage", "multipart/form-data; boundary=x", {"blob-upload-type": "blob"}),
    (b"--x\r\n\r\n", "multipart/form-data", {}),
    (b"data", "application/octet-stream", {}),
    (b"", None, {}),
    (b"", None, {"blob-content-length": "-4", "blob-content-filename": "a"}),
    (b"", None, {"blob-content-length": "9" * 40, "blob-content-filename": "a"}),
])
def test_bad_blob_requests_are_4xx(store, raw, content_type, headers):
    response = call(store, "PUT", f"/api/blob/{uuid.uuid4()}", raw=raw, headers=headers,
                    content_type=content_type)
    assert 400 <= response.status < 500 and response.body["StatusCode"] == response.status
    assert call(store, "GET", "/api/blob/not-a-uuid").status == 400
