"""One validator: the sandbox (DS3100), INT-03 and INT-09 agree on what a valid SB body is."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from checks import integration
from sbready import contract_run
from sbready.sandbox import writes
from sbready.sandbox.journal import Exchange
from sbready.sandbox.store import ApiRequest
from sbready.spec.index import Operation, OperationIndex
from sbready.spec.resolve import load_index, load_spec
from sbready.spec.validation import is_multiple_of, violation_lines
from tests.conftest import SB_VERSIONS


def _request_examples(document: dict[str, Any]) -> Iterator[tuple[str, str, Any]]:
    """(method, path, example) for every JSON request example AFAS publishes."""
    for path, item in (document.get("paths") or {}).items():
        for method, raw in item.items():
            if not isinstance(raw, dict) or "requestBody" not in raw:
                continue
            content = (raw["requestBody"].get("content") or {})
            media = next((m for t, m in content.items() if "json" in t), None) or {}
            for example in (media.get("examples") or {}).values():
                if isinstance(example, dict) and "value" in example:
                    yield method.upper(), path, example["value"]
            if "example" in media:
                yield method.upper(), path, media["example"]


def _exchange(operation: Operation, body: Any) -> Exchange:
    return Exchange(
        seq=1, started=1.0, duration_ms=1.0, environment="demo", kind="api", client_id="app",
        method=operation.method, url="http://sb/demo" + operation.path,
        path="/demo" + operation.path, api_path=operation.path, query={}, request_headers={},
        request_content_type="application/json", request_body=body, status=200,
        response_headers={}, response_body=None, operation_id=operation.operation_id,
    )


def _sandbox_accepts(operation: Operation, body: Any) -> bool:
    request = ApiRequest(operation.method, operation.path, {}, {}, {},
                         json.dumps(body).encode(), "application/json")
    _, refusal = writes.validate(operation, request)
    return refusal is None


def _int03_accepts(index: OperationIndex, operation: Operation, body: Any) -> bool:
    return integration.bodies_match_schema([_exchange(operation, body)], index).passed


def _amounts(value: Any, amount: float) -> Any:
    """`value` with every non-integer JSON number replaced by `amount`."""
    if isinstance(value, dict):
        return {name: _amounts(inner, amount) for name, inner in value.items()}
    if isinstance(value, list):
        return [_amounts(inner, amount) for inner in value]
    return amount if isinstance(value, float) else value


def _variants(body: Any) -> Iterator[Any]:
    """The example itself and values on which validators with other format rules disagree."""
    yield body
    if not isinstance(body, dict):
        return
    for name, value in body.items():
        if isinstance(value, str) and len(value) == 10 and value[4:5] == "-":
            yield {**body, name: value.replace("-", "")}  # 20240122: Python's fromisoformat
        if isinstance(value, str) and len(value) == 36 and value.count("-") == 4:
            yield {**body, name: "{" + value[:34] + "}"}  # braces: uuid.UUID() takes them
    yield _amounts(body, 19.99)  # exact decimals: floats say 19.99 is no multiple of 0.01
    trimmed = copy.deepcopy(body)
    trimmed.pop(next(iter(trimmed)), None)
    yield trimmed


@pytest.mark.parametrize("version", SB_VERSIONS)
def test_sandbox_and_int03_agree_on_afas_request_examples(spec_dir: Path, version: str) -> None:
    loaded = load_spec(spec=str(spec_dir / f"{version}.json"))
    index = load_index(spec=str(spec_dir / f"{version}.json"))
    compared = disagreements = 0
    seen: list[str] = []
    for method, path, example in _request_examples(loaded.document):
        operation = next((op for op in index.api_operations()
                          if op.method == method and op.path == path), None)
        if operation is None or not operation.request_schema or \
                "json" not in (operation.request_content_type or ""):
            continue
        for body in _variants(example):
            compared += 1
            sandbox, judge = _sandbox_accepts(operation, body), _int03_accepts(index, operation,
                                                                               body)
            if sandbox != judge:
                disagreements += 1
                seen.append(f"{method} {path}: sandbox {sandbox}, INT-03 {judge}: "
                            f"{json.dumps(body)[:120]}")
    assert compared >= 10, f"only {compared} request examples in {version}"
    assert disagreements == 0, seen[:5]


def test_formats_are_sbs_not_pythons(spec_dir: Path) -> None:
    index = load_index(spec=str(spec_dir / "6.0.0.json"))
    operation = index.match("POST", "/api/salesjournalentry")
    assert operation is not None and operation.request_schema is not None
    schema = {"type": "object", "properties": {"InvoiceDate": {"type": "string",
                                                               "format": "date"},
                                               "Id": {"type": "string", "format": "uuid"},
                                               "Amount": {"type": "number",
                                                          "multipleOf": 0.01}}}
    assert violation_lines({"InvoiceDate": "2024-01-30", "Amount": 19.99,
                            "Id": "3B642FED-F4EC-4463-986A-745531CCBBB8"}, schema) == []
    lines = violation_lines({"InvoiceDate": "20240130", "Id": "{3b642fed-f4ec-4463-986a-"
                             "745531ccbbb8}", "Amount": 19.999}, schema)
    assert [line.split(":")[0] for line in lines] == ["Amount", "Id", "InvoiceDate"]
    assert "is not a 'date'" in lines[2] and "is not a multiple of 0.01" in lines[0]
    assert is_multiple_of(19.99, 0.01) and not is_multiple_of(19.999, 0.01)


def test_int09_judges_answers_with_the_same_validator(spec_dir: Path) -> None:
    index = load_index(spec=str(spec_dir / "6.0.0.json"))
    operation = index.match("GET", "/api/ledgeraccounts")
    assert operation is not None and operation.response_schema is not None
    for example in operation.response_examples:
        assert contract_run._schema_problems(operation, example) == tuple(
            violation_lines(example, operation.response_schema, limit=3, width=160))
    broken = {"TrackingToken": 5, "Result": "none"}
    assert contract_run._schema_problems(operation, broken)
