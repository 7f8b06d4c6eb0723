"""The SB data behind /api/ operations (reads, writes, blobs) for several environments.

The HTTP layer (sbready/sandbox/app.py) authenticates, authorises (bundles), checks
Accept-Version, applies faults and Tracking-Identifier idempotency, then calls
`ApiStore.handle`. The store never raises for bad input: it answers AFAS's 400 bodies.

Reads: every list GET answers the environment's entities of the path's kind, shaped by the
operation's response schema (see data_projection) in the store's dialect (see dialect).
Query: skip/take (default take 100), sortField or the guides' `sort`, filter (see query);
TrackingToken on operations that track changes.

The `observed` dialect also behaves as AFAS's guides describe, deterministically:
- pagination guide: without a sort "the order is not guaranteed": an unsorted read of a list
  longer than its page gets the records in an order shuffled per page (seeded by the store's
  seed, the path, the filter and skip), so paging without a sort skips and repeats records;
- change-tracking guide: "if you use the TrackingToken again within a few minutes, you may get
  the same item again": a delta read also returns the records changed within
  `redelivery_window` seconds (REDELIVERY_WINDOW, our value for "a few minutes") before the
  request, even when the token already covered them; apps must de-duplicate by Id.

Seed data is built once per (seed, environment) and shared; each store works on its own
copy, projections are cached per (environment, operation) until a write changes that kind.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import orjson

from sbready.errors import UsageError
from sbready.sandbox import writes
from sbready.sandbox.afas_errors import bad_filter_body, ds3100_body, status_body
from sbready.sandbox.blobs import DEFAULT_CHUNK_SIZE, BlobError, ReadKeys, parse_multipart_file
from sbready.sandbox.data_environment import CHANGED, ChangeClock, Environment, seed_for
from sbready.sandbox.data_projection import kind_of, project
from sbready.sandbox.dialect import observe_record, observed_deviations, response_shape
from sbready.sandbox.query import (
    FilterError,
    QueryError,
    SortOrder,
    compile_filter,
    is_guid,
    parse_list_query,
    sort_key,
)
from sbready.sandbox.redact import has_secret_field_name
from sbready.sandbox.seed_data import MAX_RECORDS, Entity
from sbready.spec.index import Operation, OperationIndex

__all__ = ["ApiRequest", "ApiStore", "Dialect", "StoreResponse", "observed_deviations"]

Dialect = Literal["observed", "schema"]
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ApiRequest:
    """One /api/ request as the store sees it."""

    method: str
    api_path: str  # concrete path inside the environment, e.g. "/api/blob/3b64..."
    path_params: Mapping[str, str]  # e.g. {"uuid": "3b64..."}
    query: Mapping[str, str]  # last value per name
    headers: Mapping[str, str]  # lower-case names
    body: bytes
    content_type: str | None


@dataclass
class StoreResponse:
    """What the store answers; the HTTP layer serialises JSON bodies."""

    status: int
    body: Any  # JSON-able value, or bytes for blob downloads
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)  # e.g. {"result": "Failed"}
    encoded: bytes | None = None  # `body` as compact JSON, when the store has it at hand
    names_free: bool = False  # `encoded` holds no secret field name (redact.py)


# (change number, record in schema shape, record as answered in the store's dialect, that
# record as compact JSON or None, whether that JSON is free of secret field names): pages are
# joined from rows encoded (and looked over for the journal) once per change
_Row = tuple[int, dict[str, Any], dict[str, Any], bytes | None, bool]
_Projected = list[_Row]
_SortKey = tuple[str, int, str, bool]  # environment, id(operation), field, descending
REDELIVERY_WINDOW = 300.0  # seconds; AFAS says "within a few minutes" (the exact value is ours)


class ApiStore:
    """Stateful, seeded SB data for several environments of one SB version."""

    chunk_size: int = DEFAULT_CHUNK_SIZE  # ChunkSize answered on blob reservations

    def __init__(
        self,
        index: OperationIndex,
        *,
        dialect: Dialect = "observed",
        environments: Sequence[str] = ("demo",),
        seed: int = 1,
        redelivery_window: float | None = None,
        readkey_lifetime: float | None = None,
        now: Callable[[], float] = time.time,
        records: int | None = None,
    ) -> None:
        """`redelivery_window`: seconds of the TrackingToken cache (default REDELIVERY_WINDOW
        in the observed dialect, 0 = off, always off in the schema dialect);
        `readkey_lifetime`: seconds a blob ReadKey lives (default READKEY_LIFETIME);
        `records`: a large customer's scale (seed_data.organisation_count), None: usual."""
        if records is not None and not 0 < records <= MAX_RECORDS:
            raise UsageError(f"records must be between 1 and {MAX_RECORDS:,}, not {records}; "
                             "e.g. --records 50000")
        self.records = records
        if dialect not in ("observed", "schema"):
            raise UsageError(f"dialect {dialect!r} is unknown; use --dialect observed (AFAS's "
                             "example shapes, the default) or --dialect schema")
        self.index = index
        self.dialect: Dialect = dialect
        self.environment_names = tuple(environments)
        self.seed = seed
        self.clock = ChangeClock(now)
        self.redelivery_window = 0.0 if dialect == "schema" else (
            REDELIVERY_WINDOW if redelivery_window is None else float(redelivery_window))
        self.readkeys = ReadKeys(now=now) if readkey_lifetime is None else ReadKeys(
            readkey_lifetime, now)
        self._lock = threading.RLock()
        self._environments: dict[str, Environment] = {}
        self._projections: dict[tuple[str, int], tuple[int, Operation, _Projected]] = {}
        # per (environment, operation): rows by id(entity), reused while the entity is unchanged
        self._row_memo: dict[tuple[str, int], dict[int, tuple[Entity, int, _Row]]] = {}
        # sorted rows per (environment, operation, field, direction), for the kind's version
        self._sorted: dict[_SortKey, tuple[int, _Projected]] = {}

    # -- public API -------------------------------------------------------------------------

    def handle(self, environment: str, operation: Operation, request: ApiRequest) -> StoreResponse:
        """Answer one /api/ request (reads, writes, blobs) for one environment."""
        try:
            with self._lock:
                env = self.environment(environment)
                if env is None:
                    return StoreResponse(404, status_body(404), facts={"error": "environment"})
                return self._dispatch(env, operation, request)
        except Exception:  # the store answers, it never raises (fuzzed with random input)
            _log.exception("store could not handle %s %s", request.method, request.api_path)
            body = ds3100_body("The request could not be processed. Path ''.")
            return StoreResponse(400, body, facts={"exception_code": "DS3100",
                                                   "error": "unhandled"})

    def reset(self) -> None:
        """Back to the seed data in every environment."""
        with self._lock:
            self._environments.clear()
            self._projections.clear()
            self._row_memo.clear()
            self._sorted.clear()

    def written(self, environment: str, api_path: str) -> list[dict[str, Any]]:
        """Records that writes created through `api_path` (e.g. "/api/salesjournalentry")."""
        with self._lock:
            env = self.environment(environment)
            return list(env.written.get(api_path, [])) if env is not None else []

    def environment(self, name: str) -> Environment | None:
        """The data of one environment (created from its seed on first use)."""
        if name not in self.environment_names:
            return None
        env = self._environments.get(name)
        if env is None:
            env = self._environments[name] = Environment(
                name, seed_for(self.seed, name, self.records), self.clock)
        return env

    def tracking_token(self) -> str:
        """The TrackingToken for "now" (what a list answer carries)."""
        return self.clock.token()

    # -- dispatch ---------------------------------------------------------------------------

    def _dispatch(self, env: Environment, operation: Operation,
                  request: ApiRequest) -> StoreResponse:
        method = request.method.upper()
        if operation.path.startswith("/api/blob/"):
            return self._blob(env, method, request)
        if method == "GET":
            return self._read(env, operation, request)
        if method in ("POST", "PUT", "DELETE"):
            status, body, facts = writes.perform_write(env, operation, request,
                                                       observed=self.dialect == "observed")
            return StoreResponse(status, body, facts=facts)
        return StoreResponse(404, status_body(404), facts={"error": "method"})

    # -- reads ------------------------------------------------------------------------------

    def _projected(self, env: Environment, operation: Operation) -> _Projected:
        """Every row of the operation's kind, projected once per entity change (cached)."""
        kind = kind_of(operation.path)
        version = env.version(kind)
        key = (env.name, id(operation))
        cached = self._projections.get(key)
        if cached is not None and cached[0] == version and cached[1] is operation:
            return cached[2]
        shape = response_shape(operation)
        observed = self.dialect == "observed"
        item_schema = shape.item_schema or {"type": "object", "properties": {}}
        keep_objects = shape.object_fields if observed else frozenset()
        keep_nulls = shape.null_fields if observed else frozenset()
        old_memo = self._row_memo.get(key, {}) if cached is not None and \
            cached[1] is operation else {}
        memo: dict[int, tuple[Entity, int, _Row]] = {}
        projected: _Projected = []
        for entity in env.entities(kind):
            changed = entity[CHANGED]
            kept = old_memo.get(id(entity))
            if kept is not None and kept[0] is entity and kept[1] == changed:
                row = kept[2]  # a write elsewhere in the kind leaves this record as it was
            else:
                record = project(entity, item_schema, env, keep_objects=keep_objects,
                                 keep_nulls=keep_nulls)
                answered = observe_record(record, shape) if observed else record
                encoded = _encoded(answered)
                names_free = encoded is not None and not has_secret_field_name(
                    encoded.decode("utf-8", "replace"))
                row = (changed, record, answered, encoded, names_free)
            memo[id(entity)] = (entity, changed, row)
            projected.append(row)
        self._projections[key] = (version, operation, projected)
        self._row_memo[key] = memo
        return projected

    def _sorted_rows(self, env: Environment, operation: Operation, rows: _Projected,
                     sort: SortOrder, fields: Sequence[str]) -> _Projected:
        """`rows` in `sort` order, sorted once per version of the kind (not per request)."""
        version = env.version(kind_of(operation.path))
        key = (env.name, id(operation), sort.field, sort.descending)
        cached = self._sorted.get(key)
        if cached is not None and cached[0] == version:
            return cached[1]
        if sort.field not in fields:
            # RECORD_ORDER_FIELD: the store keeps records in SB's internal order already
            ordered = rows[::-1] if sort.descending else list(rows)
        else:
            by_field = sort_key(sort.field)
            ordered = sorted(rows, key=lambda row: by_field(row[1]), reverse=sort.descending)
        self._sorted[key] = (version, ordered)
        return ordered

    def _read(self, env: Environment, operation: Operation, request: ApiRequest) -> StoreResponse:
        shape = response_shape(operation)
        observed = self.dialect == "observed"
        declared = {name: request.query[name] for name in request.query
                    if _declared(operation, name)}
        try:
            query = parse_list_query(declared, shape.fields)
            since = self.clock.parse(query.tracking_token) \
                if query.tracking_token is not None and operation.tracks_changes else None
        except FilterError as error:  # AFAS's words in the body, ours beside it
            return StoreResponse(400, bad_filter_body(), facts={
                "query_error": str(error), "explanation": str(error)})
        except (QueryError, ValueError) as error:
            return StoreResponse(400, status_body(400, str(error)),
                                 facts={"query_error": str(error), "explanation": str(error)})
        facts: dict[str, Any] = {"sort_parameter": query.sort_parameter}
        rows = self._projected(env, operation)
        if query.sort is not None:
            # sorting first and then filtering gives what filtering first would (stable sort)
            rows = self._sorted_rows(env, operation, rows, query.sort, shape.fields)
        if since is not None:
            rows = self._changed_since(rows, since, facts)
        if query.filter is not None:
            predicate = compile_filter(query.filter)
            rows = [row for row in rows if predicate(row[1])]
        if query.sort is None and observed and len(rows) > query.take:
            page_rows = self._unsorted_page(rows, env, operation, request, query.skip,
                                            query.take)
            facts["order"] = "shuffled"
        else:
            page_rows = rows[query.skip:query.skip + query.take]
        page = [row[2] for row in page_rows]  # cached records: the answer is only encoded
        encoded = _joined(page_rows)
        names_free = all(row[4] for row in page_rows)  # the wrapper's keys are no secret names
        if "Blob" in shape.fields:
            page = [self._with_readkey(record) for record in page]
            encoded = None  # a fresh ReadKey in every answer
        facts.update(returned=len(page), matched=len(rows))
        if shape.item_schema is None:
            return StoreResponse(200, page[0] if page else {}, facts=facts)
        if shape.wrapped(observed):
            token = self.clock.token()
            if encoded is not None:
                encoded = b'{"TrackingToken":' + orjson.dumps(token) + b',"Result":' + \
                    encoded + b"}"
            return StoreResponse(200, {"TrackingToken": token, "Result": page},
                                 facts=facts, encoded=encoded, names_free=names_free)
        return StoreResponse(200, page, facts=facts, encoded=encoded, names_free=names_free)

    def _changed_since(self, rows: _Projected, since: int, facts: dict[str, Any]) -> _Projected:
        """Rows changed after the token, plus those the token cache re-delivers."""
        window = self.redelivery_window
        now = self.clock.now()

        def recent(number: int) -> bool:
            changed = self.clock.changed_at(number)
            return window > 0 and changed is not None and now - changed < window

        kept = [row for row in rows if row[0] > since or recent(row[0])]
        redelivered = sum(1 for row in kept if row[0] <= since)
        if redelivered:
            facts["redelivered"] = redelivered
        return kept

    def _unsorted_page(self, rows: _Projected, env: Environment, operation: Operation,
                       request: ApiRequest, skip: int, take: int) -> _Projected:
        """SB's order without a sort: not guaranteed, here different for every page.

        The page a full shuffle (seeded per page) would put at skip..skip+take, drawn as a
        sample of that size: the same kind of page at a cost of `take`, not of every record.
        """
        filter_text = next((v for k, v in request.query.items() if k.lower() == "filter"), "")
        key = f"{self.seed}:{env.name}:{operation.path}:{filter_text}:{skip}"
        size = max(0, min(take, len(rows) - skip))
        return random.Random(zlib.crc32(key.encode())).sample(rows, size)

    def _with_readkey(self, record: dict[str, Any]) -> dict[str, Any]:
        """The record with a freshly signed ReadKey in its Blob (object, or JSON text)."""
        blob = record.get("Blob")
        parsed = blob
        if isinstance(blob, str):
            try:
                parsed = json.loads(blob)
            except ValueError:
                return record
        if not isinstance(parsed, dict) or not isinstance(parsed.get("Id"), str):
            return record
        signed = {**parsed, "ReadKey": self.readkeys.issue(parsed["Id"])}
        return {**record, "Blob": json.dumps(signed) if isinstance(blob, str) else signed}

    # -- blobs ------------------------------------------------------------------------------

    def _blob(self, env: Environment, method: str, request: ApiRequest) -> StoreResponse:
        blob_id = request.path_params.get("uuid") or request.api_path.rsplit("/", 1)[-1]
        if not is_guid(blob_id):
            return StoreResponse(400, status_body(400, f"blob id {blob_id!r} is not a uuid; "
                                                       "generate one client side"))
        try:
            if method == "GET":
                return self._download(env, blob_id, request)
            if method == "PUT":
                return self._upload(env, blob_id, request)
        except BlobError as error:
            return StoreResponse(error.status, status_body(error.status, str(error)),
                                 facts={"blob_error": str(error), "explanation": str(error)})
        return StoreResponse(404, status_body(404), facts={"error": "method"})

    def _download(self, env: Environment, blob_id: str, request: ApiRequest) -> StoreResponse:
        blob = env.blobs.get(blob_id)
        if blob is None or not blob.complete:
            return StoreResponse(404, status_body(404), facts={"blob": "unknown"})
        readkey = next((v for k, v in request.query.items() if k.lower() == "readkey"), None)
        refusal = self.readkeys.refusal(readkey, blob.blob_id)
        if refusal is not None:
            return StoreResponse(403, status_body(403, observed=self.dialect == "observed"),
                                 facts={"blob": "refused readkey", "explanation": refusal})
        return StoreResponse(200, bytes(blob.content), content_type=blob.content_type,
                             headers={"content-disposition":
                                      f'attachment; filename="{_header_safe(blob.file_name)}"'},
                             facts={"blob": "downloaded", "length": blob.length})

    def _upload(self, env: Environment, blob_id: str, request: ApiRequest) -> StoreResponse:
        headers = {k.lower(): v for k, v in request.headers.items()}
        facts: dict[str, Any] = {}
        if not request.body:  # the reservation: Blob-* headers, no body
            if "blob-content-length" not in headers:
                raise BlobError(400, "send Blob-Content-Length/-Type/-FileName to reserve, or a "
                                     "multipart/form-data body with Blob-Upload-Type: blob to "
                                     "upload into a reservation")
            env.blobs.reserve(blob_id, headers)
            facts["reserved"] = True
            return StoreResponse(200, {"BlobAccepted": True, "ChunkSize": self.chunk_size},
                                 facts=facts)
        chunk = parse_multipart_file(request.body, request.content_type)
        blob = env.blobs.append(blob_id, chunk, self.chunk_size,
                                headers.get("blob-content-length"))
        facts.update(uploaded=len(chunk), received=len(blob.content), complete=blob.complete)
        if self.dialect == "observed":  # the guides: "HTTP 200 response without a response body"
            return StoreResponse(200, b"", content_type="", facts=facts)
        return StoreResponse(200, {"BlobAccepted": True, "ChunkSize": self.chunk_size},
                             facts=facts)


def _encoded(record: dict[str, Any]) -> bytes | None:
    try:
        return orjson.dumps(record)
    except TypeError:  # what orjson cannot encode: the HTTP layer's json fallback will
        return None


def _joined(rows: _Projected) -> bytes | None:
    """The JSON array of the rows' records, from their cached encodings (None if one lacks)."""
    parts = [row[3] for row in rows]
    if any(part is None for part in parts):
        return None
    return b"[" + b",".join(part for part in parts if part is not None) + b"]"


def _declared(operation: Operation, name: str) -> bool:
    lowered = name.lower()
    return (lowered in ("skip", "take") and operation.pages) or \
        (lowered in ("sortfield", "sort") and operation.sorts) or \
        (lowered == "filter" and operation.filters) or \
        (lowered == "trackingtoken" and operation.tracks_changes)


def _header_safe(text: str) -> str:
    return "".join(ch for ch in text if 32 <= ord(ch) < 127 and ch not in '"\\') or "blob"
