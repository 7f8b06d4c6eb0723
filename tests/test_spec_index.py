"""The operation index: counts, endpoint versions, matching, resolved schemas, version diffs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sbready.spec.index import OperationIndex, diff_versions, endpoint_version_of
from sbready.spec.resolve import SB_VERSIONS, load_index

UUID = "3b642fed-f4ec-4463-986a-745531ccbbb8"
AUTH_PATHS = {"/app/token", "/authentication/getaccesstoken", "/authentication/getscopes"}


@pytest.fixture(scope="module")
def indexes(spec_dir: Path) -> dict[str, OperationIndex]:
    return {version: load_index(spec=str(spec_dir / f"{version}.json")) for version in SB_VERSIONS}


def test_operation_counts_include_the_auth_operations(indexes: dict[str, OperationIndex]) -> None:
    # "Operations" = every method entry under `paths`, including the three auth operations
    # (/app/token, /authentication/getaccesstoken, /authentication/getscopes).
    assert len(indexes["2.1.0"].operations) == 40
    assert len(indexes["6.0.0"].operations) == 67
    for index in indexes.values():
        non_api = {op.path for op in index.operations if not op.is_api}
        assert non_api == AUTH_PATHS
        assert len(index.api_operations()) == len(index.operations) - 3


@pytest.mark.parametrize("version", SB_VERSIONS)
def test_salesjournalentry_post_moves_to_2_0_in_4_0_0(
    indexes: dict[str, OperationIndex], version: str
) -> None:
    operation = indexes[version].match("POST", "/api/salesjournalentry")
    assert operation is not None
    expected = "1.0" if version in ("2.1.0", "2.2.0", "3.1.0", "3.2.0") else "2.0"
    assert operation.endpoint_version == expected
    assert operation.accept_version == expected[0]


def test_journalentry_disappears_in_3_1_0(indexes: dict[str, OperationIndex]) -> None:
    present = [v for v in SB_VERSIONS if indexes[v].match("GET", "/api/journalentry")]
    assert present == ["2.1.0", "2.2.0"]


def test_endpoint_versions_come_from_the_operation_id(indexes: dict[str, OperationIndex]) -> None:
    latest = indexes["6.0.0"]
    journalentries = latest.by_operation_id("get_journalentries_1.1")
    assert journalentries is not None and journalentries.accept_version == "1.1"
    products = latest.by_operation_id("get_products_3.0")
    assert products is not None and products.endpoint_version == "3.0"
    assert products.accept_version == "3"
    assert endpoint_version_of("post_salesjournalentry_2.0_create") == "2.0"
    assert endpoint_version_of("put_linestobeinvoiced_1.0_delete") == "1.0"
    for unversioned in ("getBlob", "reserveBlobSpace", None):
        assert endpoint_version_of(unversioned) is None
    token = latest.match("POST", "/app/token")
    assert token is not None and token.operation_id is None and token.endpoint_version is None


def test_match_fills_templates_and_prefers_exact_paths(indexes: dict[str, OperationIndex]) -> None:
    latest = indexes["6.0.0"]
    get_blob = latest.match("get", f"/api/blob/{UUID}?readkey=abc")
    put_blob = latest.match("PUT", f"/api/blob/{UUID}")
    assert get_blob is not None and get_blob.operation_id == "getBlob"
    assert put_blob is not None and put_blob.operation_id == "reserveBlobSpace"
    assert latest.match("GET", f"/api/blob/{UUID}/extra") is None
    assert latest.match("PATCH", "/api/products") is None
    assert latest.match("GET", "/api/nonsense") is None
    products = latest.match("GET", "/api/Products/")
    assert products is not None and products.path == "/api/products"

    doc = {
        "openapi": "3.0.0",
        "paths": {
            "/api/blob/{uuid}": {"get": {"operationId": "getBlob", "responses": {}}},
            "/api/blob/latest": {"get": {"operationId": "get_latest_1.0", "responses": {}}},
        },
    }
    synthetic = OperationIndex.from_document(doc, "test")
    exact = synthetic.match("GET", "/api/blob/latest")
    assert exact is not None and exact.operation_id == "get_latest_1.0"
    templated = synthetic.match("GET", f"/api/blob/{UUID}")
    assert templated is not None and templated.operation_id == "getBlob"


def test_operations_are_fully_resolved(indexes: dict[str, OperationIndex]) -> None:
    for index in indexes.values():
        for operation in index.operations:
            dumped = json.dumps(
                [operation.request_schema, operation.response_schema, operation.parameters]
            )
            assert "$ref" not in dumped, f"{operation.method} {operation.path} keeps a $ref"


def test_operation_fields_for_list_write_and_blob(indexes: dict[str, OperationIndex]) -> None:
    latest = indexes["6.0.0"]
    addresses = latest.match("GET", "/api/addresses")
    assert addresses is not None
    assert addresses.bundles[:2] == ("Inkoopjournaalpost", "Publiek: Relatiemanagement")
    assert (addresses.pages, addresses.filters, addresses.sorts) == (True, True, True)
    assert addresses.tracks_changes is False
    assert addresses.response_schema is not None and addresses.response_schema["type"] == "array"
    # the published example is the {TrackingToken, Result} shape, kept as data on purpose
    assert len(addresses.response_examples) == 1
    assert set(addresses.response_examples[0]) == {"TrackingToken", "Result"}

    products = latest.match("GET", "/api/products")
    assert products is not None and products.tracks_changes is True

    sales = latest.match("POST", "/api/salesjournalentry")
    assert sales is not None
    assert sales.takes_tracking_identifier is True and sales.pages is False
    assert sales.request_content_type == "application/json"
    assert sales.request_schema is not None and sales.request_schema["type"] == "object"
    names = {(p["in"], p["name"]) for p in sales.parameters}
    assert ("header", "Accept-Version") in names and ("header", "Tracking-Identifier") in names

    get_blob = latest.match("GET", f"/api/blob/{UUID}")
    put_blob = latest.match("PUT", f"/api/blob/{UUID}")
    assert get_blob is not None and put_blob is not None
    assert get_blob.response_content_type == "application/pdf"
    assert put_blob.request_content_type == "multipart/form-data"
    assert put_blob.response_examples == ({"BlobAccepted": True, "ChunkSize": 5242880},)

    # the path parameter AFAS declares on a path without {id} is gone
    delete = latest.match("DELETE", "/api/salesjournalentry")
    assert delete is not None
    assert not [p for p in delete.parameters if p["in"] == "path"]


def test_diff_between_versions(indexes: dict[str, OperationIndex]) -> None:
    diff = diff_versions(indexes["3.2.0"], indexes["4.0.0"])
    assert ("POST", "/api/salesjournalentry", "1.0", "2.0") in diff.endpoint_version_changed
    assert ("PUT", "/api/person") in {(op.method, op.path) for op in diff.added}
    lines = diff.lines()
    assert "version  POST /api/salesjournalentry: 1.0 -> 2.0" in lines
    assert any(line.startswith("bundles  PUT /api/organisation: ") for line in lines)

    removal = diff_versions(indexes["2.2.0"], indexes["3.1.0"])
    assert ("GET", "/api/journalentry") in {(op.method, op.path) for op in removal.removed}
    assert "removed  GET /api/journalentry" in removal.lines()
    assert removal.old_version == "2.2.0" and removal.new_version == "3.1.0"

    same = diff_versions(indexes["6.0.0"], indexes["6.0.0"])
    assert same.lines() == []
