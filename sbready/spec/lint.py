"""List the defects of an SB OpenAPI file: normalise's patches and examples that break schemas."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import jsonschema

from sbready.spec.normalise import iter_operations, normalise, pointer
from sbready.spec.schemas import UnresolvableReference, as_json_schema, lookup, resolve_refs


@dataclass(frozen=True)
class Defect:
    """One defect: where (JSON pointer into the published file) and what, in one sentence."""

    location: str
    message: str


@dataclass
class LintReport:
    """All defects of a file plus the response-example tally the summary line reports."""

    defects: list[Defect] = field(default_factory=list)
    response_examples: int = 0  # K: response examples checked, counted per operation use
    violating_examples: int = 0  # M: those that do not validate against their own schema


def lint(raw: dict[str, Any]) -> list[Defect]:
    """Every defect of a published SB OpenAPI document (see lint_report)."""
    return lint_report(raw).defects


def lint_report(raw: dict[str, Any]) -> LintReport:
    """Lint a published document: normalise's patches, then response examples vs. schemas.

    How response examples are counted (6.0.0: 75, of which 20 violate): for every operation,
    every response status (the shared components/responses it $refs count once per use), every
    media type, each value of its `examples` map plus its `example` -- as published, so error
    responses wrongly nested inside a 200 (which tools ignore) are not counted. Each is validated
    against the same media type's schema in the normalised document, resolved (Draft 4 for
    OpenAPI 3.0, 2020-12 for 3.1); formats are annotations only. A violating example shared
    through a $ref is listed once.
    """
    document, patches = normalise(raw)
    report = LintReport(defects=[Defect(patch.location, patch.description) for patch in patches])
    validator_class = _validator_class(document)
    listed: set[str] = set()
    for site in _response_examples(raw):
        report.response_examples += 1
        try:  # the normalised schema sits where the published one does
            normalised_schema = lookup(document, site.schema_location)
        except UnresolvableReference:
            normalised_schema = site.schema
        if not isinstance(normalised_schema, dict):
            continue
        schema = as_json_schema(resolve_refs(normalised_schema, document))
        error = jsonschema.exceptions.best_match(validator_class(schema).iter_errors(site.value))
        if error is None:
            continue
        report.violating_examples += 1
        if site.location not in listed:
            listed.add(site.location)
            report.defects.append(Defect(site.location, _violation_message(site, error)))
    return report


@dataclass(frozen=True)
class _ExampleSite:
    location: str  # JSON pointer of the example where it is written
    label: str  # e.g. "GET /api/addresses 200 example 'example'"
    value: Any
    schema: dict[str, Any] | None
    schema_location: str


def _response_examples(document: dict[str, Any]) -> Iterator[_ExampleSite]:
    for path, method, operation in iter_operations(document):
        for status, response in (operation.get("responses") or {}).items():
            parts: tuple[str | int, ...] = ("paths", path, method, "responses", status)
            response, parts = _follow(document, response, parts)
            if not isinstance(response, dict):
                continue
            for media_type, media in (response.get("content") or {}).items():
                if not isinstance(media, dict):
                    continue
                media_parts = (*parts, "content", media_type)
                schema = media.get("schema") if isinstance(media.get("schema"), dict) else None
                where = f"{method.upper()} {path} {status}"
                schema_location = pointer(*media_parts, "schema")
                for name, example in (media.get("examples") or {}).items():
                    example, example_parts = _follow(
                        document, example, (*media_parts, "examples", name)
                    )
                    if isinstance(example, dict) and "value" in example:
                        yield _ExampleSite(
                            pointer(*example_parts),
                            f"{where} example {name!r}",
                            example["value"],
                            schema,
                            schema_location,
                        )
                if "example" in media:
                    yield _ExampleSite(
                        pointer(*media_parts, "example"),
                        f"{where} example",
                        media["example"],
                        schema,
                        schema_location,
                    )


def _follow(
    document: dict[str, Any], node: Any, parts: tuple[str | int, ...]
) -> tuple[Any, tuple[str | int, ...]]:
    """Follow a $ref chain, returning the target and its own location."""
    seen: set[str] = set()
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"] not in seen:
        reference = node["$ref"]
        seen.add(reference)
        try:
            node = lookup(document, reference)
        except UnresolvableReference:
            return None, parts
        parts = tuple(
            part.replace("~1", "/").replace("~0", "~") for part in reference[2:].split("/")
        )
    return node, parts


def _validator_class(document: dict[str, Any]) -> type[jsonschema.protocols.Validator]:
    if str(document.get("openapi", "")).startswith("3.1"):
        return jsonschema.Draft202012Validator
    return jsonschema.Draft4Validator


def _violation_message(site: _ExampleSite, error: jsonschema.ValidationError) -> str:
    if error.validator == "type":
        detail = f"{_describe(error.instance)} where the schema says {error.validator_value}"
    else:
        detail = error.message if len(error.message) <= 100 else error.message[:97] + "..."
    return f"{site.label} violates its own response schema at {error.json_path}: {detail}."


def _describe(value: Any) -> str:
    """A short description of a JSON value: its type, and the value itself if it is scalar."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"number {value}"
    if isinstance(value, str):
        return f"string {value[:40]!r}"
    return "an array" if isinstance(value, list) else "an object"
