"""Spec-valid but unusual answers for ERR-09, derived from a real answer and the response schema.

hypothesis-jsonschema is not available, and random values would break the references the
app follows (an invoice needs a real relation Id), so each variant is a deterministic
change of an answer the sandbox really gave, kept valid against the response schema:

- "empty lists": no records at all;
- "sparse records": only Id (the SB schemas require no property, so any may be absent);
- "nulls": null where AFAS's examples show null, and where the schema's format is nullable
  (a .NET format with "?", e.g. "Guid?", "bool?");
- "unicode, long text and extra fields": every free-text string becomes non-ASCII text up to
  the field's maxLength (255 when none is declared), and records and the answer carry fields
  the schema does not name (SB adds fields in newer versions).

Lists are cut to `MAX_ROWS` records, so an app that pages stops after one short page.
"""

from __future__ import annotations

import copy
from typing import Any

from sbready.sandbox.dialect import response_shape
from sbready.spec.index import Operation

VARIANTS = ("empty lists", "sparse records", "nulls", "unicode, long text and extra fields")
MAX_ROWS = 3
DEFAULT_MAX_LENGTH = 255
_UNICODE = "Zoë’s Bäckerei ☕ 北京 𝄞 — "
_FREE_TEXT_FORMATS = (None, "string")


def _rows_of(body: Any) -> tuple[list[Any] | None, str | None]:
    """The record list of an answer, and the key holding it (None for a bare array)."""
    if isinstance(body, list):
        return body, None
    if isinstance(body, dict) and isinstance(body.get("Result"), list):
        return body["Result"], "Result"
    return None, None


def _item_properties(operation: Operation) -> dict[str, Any]:
    item_schema = response_shape(operation).item_schema or {}
    properties = item_schema.get("properties")
    return properties if isinstance(properties, dict) else {}


def _nullable(operation: Operation) -> set[str]:
    nullable = set(response_shape(operation).null_fields)
    for name, prop in _item_properties(operation).items():
        if isinstance(prop, dict) and str(prop.get("format", "")).endswith("?"):
            nullable.add(name)
    return nullable - {"Id"}


def _long_text(original: Any, max_length: int) -> str:
    text = _UNICODE + str(original or "")
    return (text * (max_length // len(text) + 1))[:max_length]


def _odd_record(record: dict[str, Any], variant: str, operation: Operation) -> dict[str, Any]:
    if variant == "sparse records":
        return {"Id": record["Id"]} if "Id" in record else {}
    odd = dict(record)
    if variant == "nulls":
        for name in _nullable(operation) & set(odd):
            odd[name] = None
        return odd
    for name, prop in _item_properties(operation).items():
        if (name in odd and isinstance(odd[name], str) and isinstance(prop, dict)
                and prop.get("type") == "string" and prop.get("format") in _FREE_TEXT_FORMATS
                and not name.endswith("Id") and name != "Id"):
            odd[name] = _long_text(odd[name], int(prop.get("maxLength") or DEFAULT_MAX_LENGTH))
    odd["SbReadinessExtraField"] = {"Note": "a field a newer SB may add", "Values": [1, None]}
    return odd


def unusual_body(operation: Operation, normal_body: Any, variant: str) -> Any | None:
    """`normal_body` (a list answer of `operation`) changed as `variant` says; None if no list."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; use one of {', '.join(VARIANTS)}")
    rows, key = _rows_of(normal_body)
    if rows is None:
        return None
    kept = [row for row in rows if isinstance(row, dict)][:MAX_ROWS]
    odd_rows = [] if variant == "empty lists" else [
        _odd_record(copy.deepcopy(row), variant, operation) for row in kept
    ]
    if key is None:
        return odd_rows
    body = {**normal_body, key: odd_rows}
    if variant.startswith("unicode"):
        body["SbReadinessExtraField"] = "a field a newer SB may add"
    return body
