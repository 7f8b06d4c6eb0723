"""The two answer dialects: `schema` (strictly the response schema), `observed` (AFAS's examples).

AFAS's response examples look captured from the real server and often contradict the
response schema. The differences are derived per operation by comparing every response
example with the response schema, so the `observed` dialect works for every SB version:

- shape: `{TrackingToken, Result}` where the schema says array, or the other way round;
- field types: e.g. amounts as JSON numbers where the schema says string;
- nulls: fields the examples show as null where the schema says string (a realistic
  share of records gets null for those fields, deterministically per record).

One deviation is not derivable from the spec's examples: AFAS's blobs guide shows records with
a Blob object `{Id, ReadKey, BlobType, FileName, ContentType, ContentLength}`, while the
schemas type `Blob` as string. The observed dialect sends the object; the schema dialect sends
it JSON-encoded. Behaviour beyond shapes (error bodies, blobs, paging order, the TrackingToken
cache) is described in store.py, blobs.py and afas_errors.py.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sbready.spec.index import Operation

NULL_SHARE_PERCENT = 30  # share of records that get null for a field the examples show as null
OBJECT_FIELDS = ("Blob",)  # typed string in the schemas, objects in SB's data (see module doc)
_NEVER_NULL = frozenset({"Id"})


@dataclass(frozen=True)
class ResponseShape:
    """How one list GET answers in each dialect, and what the observed dialect changes."""

    item_schema: dict[str, Any] | None  # schema of one record; None when not a list
    schema_wrapped: bool  # schema says {TrackingToken, Result}
    observed_wrapped: bool  # examples show {TrackingToken, Result}
    typed_fields: tuple[tuple[str, str], ...]  # (field, JSON type the examples use instead)
    null_fields: frozenset[str]
    object_fields: frozenset[str]
    extra_fields: tuple[str, ...]  # fields the examples have and the schema lacks

    @property
    def fields(self) -> list[str]:
        """Field names of one record, in schema order."""
        return list((self.item_schema or {}).get("properties") or {})

    def wrapped(self, observed: bool) -> bool:
        """Whether the answer is {TrackingToken, Result} in this dialect."""
        return self.observed_wrapped if observed else self.schema_wrapped


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _fits(value_type: str, schema_type: Any) -> bool:
    if schema_type is None:
        return True
    allowed = schema_type if isinstance(schema_type, list) else [schema_type]
    return value_type in allowed or (value_type == "integer" and "number" in allowed)


def _records_schema(schema: dict[str, Any] | None) -> tuple[dict[str, Any] | None, bool]:
    if not isinstance(schema, dict):
        return None, False
    if schema.get("type") == "array" and isinstance(schema.get("items"), dict):
        return schema["items"], False
    result = (schema.get("properties") or {}).get("Result")
    if isinstance(result, dict) and isinstance(result.get("items"), dict):
        return result["items"], True
    return None, False


def _example_records(example: Any) -> tuple[list[Any], bool | None]:
    if isinstance(example, list):
        return example, False
    if isinstance(example, dict) and isinstance(example.get("Result"), list):
        return example["Result"], True
    return [], None


_SHAPES: dict[int, tuple[Operation, ResponseShape]] = {}


def response_shape(operation: Operation) -> ResponseShape:
    """Analyse one operation's response schema against its examples (cached)."""
    cached = _SHAPES.get(id(operation))
    if cached is not None and cached[0] is operation:
        return cached[1]
    item_schema, schema_wrapped = _records_schema(operation.response_schema)
    properties = (item_schema or {}).get("properties") or {}
    observed_wrapped = schema_wrapped
    typed: dict[str, str] = {}
    nulls: set[str] = set()
    extra: set[str] = set()
    for example in operation.response_examples if item_schema is not None else ():
        records, wrapped = _example_records(example)
        if wrapped is not None:
            observed_wrapped = wrapped
        for record in records:
            for name, value in (record.items() if isinstance(record, dict) else ()):
                prop = properties.get(name)
                if not isinstance(prop, dict):
                    extra.add(name)
                    continue
                value_type = _json_type(value)
                if value_type == "null":
                    if not _fits("null", prop.get("type")) and name not in _NEVER_NULL:
                        nulls.add(name)
                elif not _fits(value_type, prop.get("type")):
                    typed[name] = "number" if value_type == "integer" else value_type
    objects = {name for name in OBJECT_FIELDS
               if (properties.get(name) or {}).get("type") == "string"}
    shape = ResponseShape(item_schema, schema_wrapped, observed_wrapped,
                          tuple(sorted(typed.items())), frozenset(nulls), frozenset(objects),
                          tuple(sorted(extra)))
    _SHAPES[id(operation)] = (operation, shape)
    return shape


def observed_deviations(operation: Operation) -> list[str]:
    """Where the observed dialect answers differently from the response schema, one line each."""
    shape = response_shape(operation)
    lines = []
    if shape.item_schema is not None and shape.observed_wrapped != shape.schema_wrapped:
        if shape.observed_wrapped:
            lines.append("response is an object {TrackingToken, Result} where the schema says "
                         "an array (as AFAS's example shows)")
        else:
            lines.append("response is a bare array where the schema says an object "
                         "{TrackingToken, Result} (as AFAS's example shows)")
    for name, json_type in shape.typed_fields:
        declared = ((shape.item_schema or {}).get("properties") or {})[name].get("type")
        lines.append(f"{name}: {json_type} where the schema says {declared} "
                     "(as AFAS's example shows)")
    for name in sorted(shape.null_fields):
        lines.append(f"{name}: null in {NULL_SHARE_PERCENT}% of records where the schema says "
                     "non-null (as AFAS's example shows)")
    for name in sorted(shape.object_fields):
        lines.append(f"{name}: object {{Id, ReadKey, BlobType, FileName, ContentType, "
                     "ContentLength}} where the schema says string (as AFAS's blobs guide shows)")
    return lines


def gets_null(record_id: Any, field_name: str) -> bool:
    """Deterministically pick the records that show null for a field (NULL_SHARE_PERCENT)."""
    return zlib.crc32(f"{record_id}:{field_name}".encode()) % 100 < NULL_SHARE_PERCENT


def _convert(value: Any, json_type: str) -> Any:
    if json_type == "number":
        try:
            number = Decimal(str(value))
        except (InvalidOperation, ValueError):
            return value
        return int(number) if number == number.to_integral_value() and "." not in str(value) \
            else float(number)
    if json_type == "integer":
        try:
            return int(Decimal(str(value)))
        except (InvalidOperation, ValueError):
            return value
    if json_type == "string":
        return str(value).lower() if isinstance(value, bool) else str(value)
    if json_type == "boolean":
        return str(value).lower() in ("true", "1")
    return value


def observe_record(record: dict[str, Any], shape: ResponseShape) -> dict[str, Any]:
    """A copy of a schema-shaped record in the shapes AFAS's examples show."""
    observed = dict(record)
    for name, json_type in shape.typed_fields:
        if observed.get(name) is not None:
            observed[name] = _convert(observed[name], json_type)
    if shape.null_fields:
        record_id = record.get("Id") or record.get("InstanceId")
        for name in shape.null_fields - shape.object_fields:  # objects are null when absent
            if name in observed and gets_null(record_id, name):
                observed[name] = None
    return observed
