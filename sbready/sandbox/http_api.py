"""SB's /{env}/api/... routes: authenticate, authorise, check versions, fault, replay, store.

Accept-Version (our documented assumption of SB's rule): an operation whose operationId
carries an endpoint version needs `Accept-Version` with the same major (and, if a minor is
sent, the same minor; see `Operation.accepts_version`). Otherwise SB answers 400 with AFAS's
error body and a message like "Accept-Version '1' does not match endpoint version 2.0 of POST
/api/salesjournalentry; send Accept-Version: 2".

Tracking-Identifier: a write (POST, PUT, PATCH, DELETE) that carries one is processed once per
environment and operation; a later request to the same operation with the same identifier is
answered with the first response without reaching the store (fact replayed=True). Reads are
never replayed. Our reading of AFAS's "the response will be the same as the first response": a
retry repeats its own request, so the same identifier on another operation is another request
(answering it with the first operation's response would describe a body that was not sent).
Every answer a write got is kept, an injected write result too, so a retry with the same
identifier gets what the first attempt got.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from sbready.sandbox import writes
from sbready.sandbox.afas_errors import (
    EXPLANATION_HEADER,
    ds3100_body,
    header_safe,
    status_body,
    write_result,
)
from sbready.sandbox.data_projection import kind_of
from sbready.sandbox.http_capture import ExchangeDraft, draft_of
from sbready.sandbox.store import ApiRequest, StoreResponse
from sbready.spec.index import Operation

if TYPE_CHECKING:
    from sbready.sandbox.app import Sandbox

_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CONTENT_VERSION = "Content-Version"
_logger = logging.getLogger("sbready.sandbox")


@dataclass
class _Answer:
    """A response as first given, kept to replay it for the same Tracking-Identifier."""

    status: int
    body: bytes
    media_type: str
    headers: dict[str, str] = field(default_factory=dict)
    facts: dict[str, object] = field(default_factory=dict)

    def response(self) -> Response:
        # an empty media type: no Content-Type at all (SB's bodiless blob upload answer)
        return Response(self.body, self.status, dict(self.headers),
                        media_type=self.media_type or None)


ReplayKey = tuple[str, str, str, str]  # environment, method, operation path, Tracking-Identifier


class ReplayCache:
    """First answers by (environment, method, operation path, Tracking-Identifier); thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._answers: dict[ReplayKey, _Answer] = {}

    def get(self, key: ReplayKey) -> _Answer | None:
        with self._lock:
            return self._answers.get(key)

    def keep(self, key: ReplayKey, answer: _Answer) -> None:
        with self._lock:
            self._answers.setdefault(key, answer)

    def clear(self) -> None:
        with self._lock:
            self._answers.clear()


class ApiRoutes:
    """The handler behind /{env}/api/{path}."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.replays = ReplayCache()

    async def api(self, request: Request) -> Response:
        """One /api/ request, through every gate in SB's order, with the headers SB adds."""
        draft = draft_of(request)
        response = await self._answer(request, draft)
        operation = self.sandbox.index.by_operation_id(draft.operation_id) \
            if draft.operation_id else None
        if operation is not None and operation.declares_header(response.status_code,
                                                                CONTENT_VERSION):
            # the spec declares it (type number, example 1); its value is our assumption
            response.headers[CONTENT_VERSION] = operation.accept_version or "1"
        explanation = draft.facts.get("explanation")
        if isinstance(explanation, str) and explanation:
            response.headers[EXPLANATION_HEADER] = header_safe(explanation)
        return response

    async def _answer(self, request: Request, draft: ExchangeDraft) -> Response:
        sandbox = self.sandbox
        observed = sandbox.dialect == "observed"
        environment = request.path_params["env"]
        api_path = "/api/" + request.path_params["rest"]
        method = request.method.upper()
        draft.kind, draft.environment, draft.api_path = "api", environment, api_path
        operation = (
            sandbox.index.match(method, api_path) if environment in sandbox.environments else None
        )
        draft.operation_id = operation.operation_id if operation else None
        scheme, _, credential = request.headers.get("authorization", "").strip().partition(" ")
        bearer = scheme.lower() == "bearer" and bool(credential.strip())
        token = credential.strip() if bearer else None
        check = sandbox.auth.check_access(token, environment)
        draft.client_id = check.grant.client_id if check.grant else None
        header_version = request.headers.get("accept-version")
        draft.facts.update(
            bearer=bearer,
            access_fp=sandbox.redactor.fingerprint(token) if token else None,
            token_state=check.state,
            accept_version=header_version,
            version_ok=None,
            in_grant=None,
            tracking_identifier=request.headers.get("tracking-identifier"),
            replayed=False,
        )
        if operation is None:
            return JSONResponse(status_body(404), 404)
        if check.state != "valid" or check.grant is None:
            return JSONResponse(status_body(401, observed=observed), 401)
        granted = check.grant.bundles
        in_grant = granted is None or not operation.bundles or bool(
            set(operation.bundles) & set(granted)
        )
        draft.facts["in_grant"] = in_grant
        if not in_grant:
            return JSONResponse(status_body(403, observed=observed), 403)
        version_ok = operation.accepts_version(header_version)
        draft.facts["version_ok"] = version_ok
        if not version_ok:
            return JSONResponse(status_body(400, _version_message(operation, header_version)), 400)
        fault = await apply_fault(
            sandbox, request, draft, environment, api_path, operation.operation_id, True
        )
        if fault is not None:
            return fault
        tracking_identifier = request.headers.get("tracking-identifier", "").strip()
        replayable = bool(tracking_identifier) and method in _WRITES
        replay_key = (environment, method, operation.path, tracking_identifier)
        planned = draft.facts.pop("write_result_fault", None)
        if replayable:
            first = self.replays.get(replay_key)
            if first is not None:
                if planned is not None:  # SB answers from its cache; nothing is injected
                    draft.fault = f"{draft.fault}; not applied: replayed from the cache"
                draft.facts.update(first.facts)
                draft.facts["replayed"] = True
                return first.response()
        if planned is not None and planned["result"] == "Failed" and not planned["made"]:
            answer = _serialise(_stored(writes.injected_unprocessed(operation)))
            draft.facts.update(answer.facts)
        else:
            answer = await self._store_answer(request, environment, operation, api_path, draft,
                                              inject=planned and str(planned["result"]))
        if replayable:
            self.replays.keep(replay_key, answer)
        return answer.response()

    async def _store_answer(
        self,
        request: Request,
        environment: str,
        operation: Operation,
        api_path: str,
        draft: ExchangeDraft,
        inject: str | None = None,
    ) -> _Answer:
        api_request = ApiRequest(
            method=request.method.upper(),
            api_path=api_path,
            path_params=path_params(operation.path, api_path),
            query=dict(request.query_params),
            headers={k.lower(): v for k, v in request.headers.items()},
            body=await request.body(),
            content_type=request.headers.get("content-type"),
        )
        try:
            stored = self.sandbox.store_handle(environment, operation, api_request)
            if inject:  # a write_result fault: the store's answer, as SB would say `inject`
                stored = _stored(writes.injected_result(
                    operation, inject, (stored.status, stored.body, stored.facts)))
            answer = _serialise(stored)
            # the store's objects, encoded here: the journal need not check it is JSON
            draft.answer_is_json = not isinstance(stored.body, bytes | bytearray) and \
                answer.media_type == "application/json"
            draft.answer_names_free = stored.names_free and answer.body is stored.encoded
        except Exception:  # noqa: BLE001 - SB answers 400 to what it cannot process
            _logger.exception("store failed on %s %s", api_request.method, api_path)
            draft.facts["sandbox_error"] = True
            body = status_body(400, "The request could not be processed.")
            answer = _Answer(400, _json_bytes(body), "application/json")
        draft.facts.update(answer.facts)
        return answer


async def apply_fault(
    sandbox: Sandbox,
    request: Request,
    draft: ExchangeDraft,
    environment: str,
    path: str,
    operation_id: str | None,
    is_api: bool,
) -> Response | None:
    """Inject the first matching fault: an answer to send instead, or None to go on.

    "delay" waits and goes on; "response_lost" goes on and marks the exchange to be dropped
    after processing; "timeout" marks it to be held and dropped without processing.
    """
    taken = sandbox.faults.take(
        environment=environment,
        method=request.method,
        path=path,
        operation_id=operation_id,
        is_api=is_api,
    )
    if taken is None:
        return None
    rule_id, rule = taken
    draft.fault = f"{rule.describe()} ({rule_id})"
    if rule.kind == "delay":
        await asyncio.sleep(rule.delay)
        return None
    if rule.kind == "response_lost":
        draft.drop = True
        return None
    if rule.kind == "timeout":
        draft.drop, draft.hold = True, rule.hold
        return Response(status_code=204)
    if rule.kind == "ds3100":
        # AFAS's body and wording; that it was injected is said beside it, not in it
        draft.facts["explanation"] = f"DS3100 injected by sb-readiness ({rule_id})"
        # "Invalid JSON request String": the spec's own shared 400 example, word for word
        body = ds3100_body("String", definition=f"{kind_of(path)}.UpdateConnectorHandler")
        return JSONResponse(body, 400)
    if rule.kind == "body":
        return JSONResponse(rule.body, rule.status or 200)
    if rule.kind == "write_result" and is_api and request.method.upper() in _WRITES:
        operation = sandbox.index.by_operation_id(operation_id or "")
        if operation is not None and not writes.answers_write_result(operation):
            # e.g. a blob PUT: SB never answers it with a result, so nothing is injected
            draft.fault = f"{draft.fault}; not applied: {operation.method} {operation.path} " \
                          "documents no result/instances/errors answer"
            return None
        # ApiRoutes.api answers it, consistent with the store (writes.injected_result)
        draft.facts["write_result_fault"] = {"result": rule.result or "Failed",
                                             "made": rule.made}
        return None
    if rule.kind == "write_result":
        result = rule.result or "Failed"
        errors = [f"The request was not processed: {result} (fault injected by sb-readiness)."]
        draft.facts["result"] = result
        return JSONResponse(write_result(result, errors=errors), 200)
    status = rule.answer_status
    if status == 401:
        # SB's 401 means this token is dead: a retry with it must fail too (our assumption)
        scheme, _, credential = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and credential.strip():
            draft.facts["token_invalidated"] = sandbox.auth.expire_token(credential.strip())
    retry_after = rule.retry_after
    if retry_after is None and status == 429:
        retry_after = 1  # SB always tells a throttled client how long to wait
    headers = {"Retry-After": f"{retry_after:g}"} if retry_after is not None else {}
    return JSONResponse(status_body(status, observed=sandbox.dialect == "observed"), status,
                        headers=headers)


def path_params(template: str, concrete: str) -> dict[str, str]:
    """Values of the {name} segments of `template` in `concrete`."""
    values: dict[str, str] = {}
    for pattern, value in zip(template.split("/"), concrete.split("/"), strict=False):
        if pattern.startswith("{") and pattern.endswith("}"):
            values[pattern[1:-1]] = value
    return values


def _version_message(operation: Operation, sent: str | None) -> str:
    where = f"{operation.method} {operation.path}"
    want = f"send Accept-Version: {operation.accept_version}"
    if not sent:
        version = operation.endpoint_version
        return f"Accept-Version is missing for endpoint version {version} of {where}; {want}"
    return (
        f"Accept-Version '{sent}' does not match endpoint version {operation.endpoint_version} "
        f"of {where}; {want}"
    )


def _stored(answer: writes.Answer) -> StoreResponse:
    status, body, facts = answer
    return StoreResponse(status, body, facts=facts)


def _serialise(stored: StoreResponse) -> _Answer:
    if isinstance(stored.body, bytes | bytearray):
        body = bytes(stored.body)
    elif stored.encoded is not None:  # a page joined from rows the store encoded once
        body = stored.encoded
    else:
        body = _json_bytes(stored.body)
    return _Answer(
        stored.status, body, stored.content_type, dict(stored.headers), dict(stored.facts)
    )


def _json_bytes(value: object) -> bytes:
    try:
        return orjson.dumps(value)  # several times faster than json on pages of records
    except TypeError:  # what orjson cannot encode (e.g. integers beyond 64 bits): json can
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
