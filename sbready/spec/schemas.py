"""Turn OpenAPI 3.0 fragments into self-contained JSON Schema the jsonschema library validates."""

from __future__ import annotations

from typing import Any

import jsonschema

# OpenAPI-only keywords that mean nothing to a JSON Schema validator.
_OPENAPI_ONLY = ("nullable", "discriminator", "xml", "externalDocs", "example", "deprecated")


class UnresolvableReference(ValueError):
    """A $ref points at nothing in the document."""


def lookup(document: dict[str, Any], reference: str) -> Any:
    """The node a local reference like "#/components/schemas/x" points at."""
    if not reference.startswith("#/"):
        raise UnresolvableReference(f"only local references are supported, got {reference!r}")
    node: Any = document
    for raw_part in reference[2:].split("/"):
        part = raw_part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise UnresolvableReference(f"{reference} does not exist in the document")
    return node


def resolve_refs(node: Any, document: dict[str, Any], _seen: tuple[str, ...] = ()) -> Any:
    """A deep copy of node with every local $ref replaced by its target.

    A reference cycle is cut by leaving an empty schema at the point of recursion.
    """
    if isinstance(node, dict):
        reference = node.get("$ref")
        if isinstance(reference, str):
            if reference in _seen:
                return {}
            return resolve_refs(lookup(document, reference), document, (*_seen, reference))
        return {key: resolve_refs(value, document, _seen) for key, value in node.items()}
    if isinstance(node, list):
        return [resolve_refs(item, document, _seen) for item in node]
    return node


def as_json_schema(schema: Any) -> Any:
    """A resolved OpenAPI 3.0 schema as Draft 4 JSON Schema: `nullable` becomes a null type."""
    if isinstance(schema, list):
        return [as_json_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    converted: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _OPENAPI_ONLY or key.startswith("x-"):
            continue
        if key in ("properties", "patternProperties", "definitions") and isinstance(value, dict):
            converted[key] = {name: as_json_schema(sub) for name, sub in value.items()}
        elif key in ("items", "additionalProperties", "not", "allOf", "anyOf", "oneOf"):
            converted[key] = as_json_schema(value)
        else:
            converted[key] = value
    if schema.get("nullable") is True:
        kind = converted.get("type")
        if isinstance(kind, str):
            converted["type"] = [kind, "null"]
        if "enum" in converted and None not in converted["enum"]:
            converted["enum"] = [*converted["enum"], None]
    return converted


def validator_for(schema: dict[str, Any]) -> jsonschema.Draft4Validator:
    """A Draft 4 validator (OpenAPI 3.0's dialect) for a resolved, converted schema.

    Formats are not asserted: SB uses annotation-only formats such as "decimal?" and "DateTime?".
    """
    return jsonschema.Draft4Validator(schema)
