"""The operation index other code asks about SB operations (contract: Operation is fixed).

Built from a normalised document (sbready.spec.normalise): every $ref is resolved, schemas are
Draft 4 JSON Schema (sbready.spec.schemas.as_json_schema), and operations keep spec order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sbready.spec.normalise import iter_operations
from sbready.spec.schemas import as_json_schema, resolve_refs


@dataclass(frozen=True)
class Operation:
    """One SB operation of one SB version, as the harness needs to know it."""

    method: str  # upper case: GET, POST, PUT, DELETE
    path: str  # the spec's template, e.g. "/api/blob/{uuid}"
    operation_id: str | None  # e.g. "post_salesjournalentry_2.0_create"; None for auth ops
    endpoint_version: str | None  # "2.0" from the operationId; None when it carries none
    bundles: tuple[str, ...]  # the operation's tags, e.g. ("Verkoopjournaalpost", ...)
    request_schema: dict[str, Any] | None  # resolved JSON schema of the JSON/form body
    request_content_type: str | None  # e.g. "application/json", "multipart/form-data"
    response_schema: dict[str, Any] | None  # resolved JSON schema of the 200 response
    response_content_type: str | None
    response_examples: tuple[Any, ...]  # example values of the 200 response, in spec order
    pages: bool  # takes skip/take
    filters: bool  # takes filter
    sorts: bool  # takes sortField
    tracks_changes: bool  # takes ?TrackingToken= (and answers {TrackingToken, Result})
    takes_tracking_identifier: bool  # takes the Tracking-Identifier header
    parameters: tuple[dict[str, Any], ...] = field(default=())  # resolved parameter objects
    # (status, header names) the spec declares per response, e.g. ("400", ("Content-Version",))
    response_headers: tuple[tuple[str, tuple[str, ...]], ...] = field(default=())

    def declares_header(self, status: int, name: str) -> bool:
        """Whether the spec declares response header `name` for `status` (case-insensitive)."""
        wanted = name.lower()
        return any(code == str(status) and any(h.lower() == wanted for h in names)
                   for code, names in self.response_headers)

    @property
    def is_api(self) -> bool:
        """True for /api/... operations (the ones that need Bearer and Accept-Version)."""
        return self.path.startswith("/api/")

    @property
    def accept_version(self) -> str | None:
        """The Accept-Version value to send: "2" for endpoint 2.0, "1.1" for 1.1.

        None if the operation is unversioned.
        """
        if self.endpoint_version is None:
            return None
        major, _, minor = self.endpoint_version.partition(".")
        return major if minor in ("", "0") else self.endpoint_version

    def accepts_version(self, header_value: str | None) -> bool:
        """Our documented assumption of SB's rule: the major must match; a minor, if sent, too.

        AFAS's own examples send both "3" and "3.0" for a 3.0 endpoint and "1" for 1.1.
        """
        if self.endpoint_version is None:
            return True
        if not header_value:
            return False
        want_major, _, want_minor = self.endpoint_version.partition(".")
        got_major, _, got_minor = header_value.strip().partition(".")
        if got_major != want_major:
            return False
        return got_minor == "" or got_minor == (want_minor or "0")


class OperationIndex:
    """All operations of one (normalised) SB spec.

    API: OperationIndex.from_document(doc, sb_version); .sb_version; .operations;
    .match(method, path); .by_operation_id(operation_id); .api_operations().
    And the module-level diff_versions(old, new) -> VersionDiff.
    """

    def __init__(self, sb_version: str, operations: list[Operation]) -> None:
        self.sb_version = sb_version
        self.operations = operations
        self._by_id = {op.operation_id: op for op in operations if op.operation_id}
        self._exact = {(op.method, op.path.lower()): op for op in operations}
        # Templates with fewer parameters are more specific, so they are tried first.
        templated = [op for op in operations if "{" in op.path]
        templated.sort(key=lambda op: op.path.count("{"))
        self._templates = [(op, _template_pattern(op.path)) for op in templated]

    @classmethod
    def from_document(cls, doc: dict[str, Any], sb_version: str) -> OperationIndex:
        """Index every operation (auth operations included) of a normalised SB document."""
        operations = [
            _operation(doc, path, method, operation)
            for path, method, operation in iter_operations(doc)
        ]
        return cls(sb_version, operations)

    def match(self, method: str, path: str) -> Operation | None:
        """The operation a concrete request path belongs to, e.g. GET /api/blob/<uuid>.

        `path` is relative to the environment (starts /api/, /app/ or /authentication/); a query
        string and a trailing slash are ignored; literal segments match case-insensitively, as
        SB's server does for its routes. An exact path wins over a template.
        """
        wanted = method.upper()
        concrete = path.split("?", 1)[0].split("#", 1)[0]
        if len(concrete) > 1:
            concrete = concrete.rstrip("/")
        exact = self._exact.get((wanted, concrete.lower()))
        if exact is not None:
            return exact
        for operation, pattern in self._templates:
            if operation.method == wanted and pattern.fullmatch(concrete):
                return operation
        return None

    def by_operation_id(self, operation_id: str) -> Operation | None:
        """The operation with this operationId, e.g. "get_products_3.0"."""
        return self._by_id.get(operation_id)

    def api_operations(self) -> list[Operation]:
        """The /api/... operations (those that need Bearer and Accept-Version)."""
        return [op for op in self.operations if op.is_api]

    def __len__(self) -> int:
        return len(self.operations)

    def __repr__(self) -> str:
        return f"OperationIndex(sb_version={self.sb_version!r}, operations={len(self)})"


@dataclass(frozen=True)
class VersionDiff:
    """What changed between the operations of two SB versions (keyed by method and path)."""

    old_version: str
    new_version: str
    added: list[Operation]
    removed: list[Operation]
    # (method, path, old, new) each
    endpoint_version_changed: list[tuple[str, str, str | None, str | None]]
    bundles_changed: list[tuple[str, str, tuple[str, ...], tuple[str, ...]]]

    def lines(self) -> list[str]:
        """One human-readable line per change, removals first (they break apps)."""
        lines = [f"removed  {op.method} {op.path}" for op in self.removed]
        lines += [
            f"added    {op.method} {op.path} (endpoint {op.endpoint_version or '-'})"
            for op in self.added
        ]
        lines += [
            f"version  {method} {path}: {old or '-'} -> {new or '-'}"
            for method, path, old, new in self.endpoint_version_changed
        ]
        for method, path, old_bundles, new_bundles in self.bundles_changed:
            gained = sorted(set(new_bundles) - set(old_bundles))
            lost = sorted(set(old_bundles) - set(new_bundles))
            parts = [f"+{name}" for name in gained] + [f"-{name}" for name in lost]
            lines.append(f"bundles  {method} {path}: {', '.join(parts) or 'reordered'}")
        return lines


def diff_versions(old: OperationIndex, new: OperationIndex) -> VersionDiff:
    """The operations added, removed, re-versioned and re-bundled from old to new."""
    old_ops = {(op.method, op.path): op for op in old.operations}
    new_ops = {(op.method, op.path): op for op in new.operations}
    changed_version = []
    changed_bundles = []
    for key, new_op in new_ops.items():
        old_op = old_ops.get(key)
        if old_op is None:
            continue
        if old_op.endpoint_version != new_op.endpoint_version:
            changed_version.append((*key, old_op.endpoint_version, new_op.endpoint_version))
        if set(old_op.bundles) != set(new_op.bundles):
            changed_bundles.append((*key, old_op.bundles, new_op.bundles))
    return VersionDiff(
        old_version=old.sb_version,
        new_version=new.sb_version,
        added=[op for key, op in new_ops.items() if key not in old_ops],
        removed=[op for key, op in old_ops.items() if key not in new_ops],
        endpoint_version_changed=changed_version,
        bundles_changed=changed_bundles,
    )


# The endpoint's own version: get_products_3.0, post_salesjournalentry_2.0_create.
_ENDPOINT_VERSION = re.compile(r"_(\d+\.\d+)(?:_|$)")


def endpoint_version_of(operation_id: str | None) -> str | None:
    """"3.0" for get_products_3.0, "2.0" for post_x_2.0_create, None for getBlob or None."""
    if not operation_id:
        return None
    found = _ENDPOINT_VERSION.search(operation_id)
    return found.group(1) if found else None


def _template_pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"({[^}]+})", template)
    regex = "".join("[^/]+" if part.startswith("{") else re.escape(part) for part in parts)
    return re.compile(regex, re.IGNORECASE)


def _operation(doc: dict[str, Any], path: str, method: str, raw: dict[str, Any]) -> Operation:
    operation = resolve_refs(raw, doc)
    path_item = doc["paths"][path]
    parameters = _merged_parameters(
        resolve_refs(path_item.get("parameters") or [], doc), operation.get("parameters") or []
    )
    request_content_type, request_schema = _body(operation.get("requestBody") or {})
    response = _success_response(operation.get("responses") or {})
    response_content_type, response_schema = _body(response)
    names = {(parameter.get("in"), parameter.get("name")) for parameter in parameters}
    operation_id = operation.get("operationId")
    return Operation(
        method=method.upper(),
        path=path,
        operation_id=operation_id,
        endpoint_version=endpoint_version_of(operation_id),
        bundles=tuple(operation.get("tags") or ()),
        request_schema=request_schema,
        request_content_type=request_content_type,
        response_schema=response_schema,
        response_content_type=response_content_type,
        response_examples=_examples(response, response_content_type),
        pages=("query", "skip") in names and ("query", "take") in names,
        filters=("query", "filter") in names,
        sorts=("query", "sortField") in names,
        tracks_changes=("query", "TrackingToken") in names,
        takes_tracking_identifier=any(
            where == "header" and str(name).lower() == "tracking-identifier"
            for where, name in names
        ),
        parameters=tuple(parameters),
        response_headers=tuple(
            (str(status), tuple(str(name) for name in (response.get("headers") or {})))
            for status, response in (operation.get("responses") or {}).items()
            if isinstance(response, dict) and response.get("headers")
        ),
    )


def _merged_parameters(
    path_level: list[dict[str, Any]], operation_level: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Operation parameters override path-item parameters with the same (in, name)."""
    overridden = {(p.get("in"), p.get("name")) for p in operation_level}
    inherited = [p for p in path_level if (p.get("in"), p.get("name")) not in overridden]
    return inherited + list(operation_level)


def _success_response(responses: dict[str, Any]) -> dict[str, Any]:
    """The 200 response, else the first 2xx one, else an empty response."""
    if isinstance(responses.get("200"), dict):
        return dict(responses["200"])
    for status, response in responses.items():
        if str(status).startswith("2") and isinstance(response, dict):
            return dict(response)
    return {}


def _preferred_media_type(content: dict[str, Any]) -> str | None:
    if not content:
        return None
    for media_type in content:
        if media_type.split(";")[0].strip().lower() == "application/json":
            return str(media_type)
    return str(next(iter(content)))


def _body(holder: dict[str, Any]) -> tuple[str | None, dict[str, Any] | None]:
    content = holder.get("content") or {}
    media_type = _preferred_media_type(content)
    if media_type is None:
        return None, None
    schema = (content[media_type] or {}).get("schema")
    return media_type, as_json_schema(schema) if isinstance(schema, dict) else None


def _examples(response: dict[str, Any], media_type: str | None) -> tuple[Any, ...]:
    if media_type is None:
        return ()
    media = (response.get("content") or {}).get(media_type) or {}
    values = [
        example["value"]
        for example in (media.get("examples") or {}).values()
        if isinstance(example, dict) and "value" in example
    ]
    if "example" in media:
        values.append(media["example"])
    return tuple(values)
