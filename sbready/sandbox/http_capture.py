"""The outermost ASGI layer of the sandbox: journal every exchange, and drop connections.

Routes describe an exchange on an `ExchangeDraft` kept in the ASGI scope (kind, environment,
facts, ...); this layer times the request, captures both bodies (bounded), redacts everything
at capture and adds the `Exchange` to the journal. A route that wants the connection dropped
without an answer sets `draft.drop` (its response is kept from the client; its status is
journaled as the fact "unsent_status"); this layer then holds the request (if asked) and
closes the connection: under our uvicorn protocol (server.py) by aborting the socket, in-process
under httpx.ASGITransport by raising httpx.RemoteProtocolError, which is what an httpx client
sees when a server closes the connection without answering.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import httpx
import orjson
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sbready.sandbox.journal import Exchange, Journal, PackedJson
from sbready.sandbox.redact import SandboxRedactor
from sbready.secrets import Redactor

DRAFT_KEY = "sbready.draft"
# uvicorn protocol extension (see server.py): a callable that aborts the client's connection.
DROP_EXTENSION = "sbready.drop_connection"
CONTROL_PREFIX = "/_sbready/"
MAX_BODY_CAPTURE = 64 * 1024  # bytes of any body kept in the journal
MAX_HTML_CAPTURE = 20 * 1024  # characters of an HTML page kept in the journal
_logger = logging.getLogger("sbready.sandbox")
# Free text gets the project's key=value / Bearer patterns on top of the known values.
_TEXT_REDACTOR = Redactor()


@dataclass
class ExchangeDraft:
    """What the routes know about the exchange in progress; read by the capture layer."""

    kind: str = "unknown"
    environment: str | None = None
    client_id: str | None = None
    api_path: str | None = None
    operation_id: str | None = None
    fault: str | None = None
    facts: dict[str, Any] = field(default_factory=dict)
    request_body: Any = None  # a parsed body set by the route (e.g. multipart fields)
    request_body_set: bool = False
    drop: bool = False  # close the connection without an answer
    answer_is_json: bool = False  # the route encoded the answer's body as JSON itself
    answer_names_free: bool = False  # ... and knows it names no secret field (store rows)
    hold: float = 0.0  # seconds to hold the request before dropping it

    def set_request_body(self, body: Any) -> None:
        """Journal this (already parsed, not yet redacted) body instead of the raw bytes."""
        self.request_body = body
        self.request_body_set = True


def draft_of(request: Request) -> ExchangeDraft:
    """The draft of the exchange `request` belongs to (a throwaway one outside the journal)."""
    draft = request.scope.get(DRAFT_KEY)
    if isinstance(draft, ExchangeDraft):
        return draft
    draft = ExchangeDraft()
    request.scope[DRAFT_KEY] = draft
    return draft


class CaptureLayer:
    """ASGI middleware: journal every non-control HTTP exchange, redacted at capture."""

    def __init__(
        self,
        app: ASGIApp,
        journal: Journal,
        redactor: SandboxRedactor,
    ) -> None:
        self.app = app
        self.journal = journal
        self.redactor = redactor

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one request through the routes, then journal it."""
        if scope["type"] != "http" or scope["path"].startswith(CONTROL_PREFIX):
            await self.app(scope, receive, send)
            return
        seq = self.journal.next_seq()
        started, clock_start = time.time(), time.perf_counter()
        draft = ExchangeDraft()
        scope[DRAFT_KEY] = draft
        request_body, disconnected = await _read_body(receive)
        response = _ResponseCapture()
        pending: list[bytes] = [request_body]

        async def replay() -> Message:
            if pending:
                return {"type": "http.request", "body": pending.pop(), "more_body": False}
            return await receive()

        journaled = False

        def journal_once() -> None:
            nonlocal journaled
            if journaled:
                return
            journaled = True
            try:
                self.journal.add(
                    self._exchange(seq, started, clock_start, scope, draft, request_body, response)
                )
            except Exception:  # noqa: BLE001 - journaling must never break the exchange itself
                _logger.exception("could not journal %s %s", scope["method"], scope["path"])

        async def capture_send(message: Message) -> None:
            response.observe(message)
            if draft.drop:  # a dropped exchange's answer never reaches the client
                return
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                journal_once()  # before the client has the whole answer and can look at the journal
            await send(message)

        try:
            if not disconnected:
                await self.app(scope, replay, capture_send)
        except Exception:  # noqa: BLE001 - a sandbox bug must not become a 5xx or a crash
            _logger.exception("sandbox error on %s %s", scope["method"], scope["path"])
            draft.facts["sandbox_error"] = True
        if draft.drop:
            if draft.hold > 0:
                await _wait_for_disconnect(receive, draft.hold)
            if response.status:
                draft.facts["unsent_status"] = response.status
            response.status = 0
        journal_once()
        if draft.drop:
            await _drop_connection(scope)

    def _exchange(
        self,
        seq: int,
        started: float,
        clock_start: float,
        scope: Scope,
        draft: ExchangeDraft,
        request_body: bytes,
        response: _ResponseCapture,
    ) -> Exchange:
        redact = self.redactor
        request = Request(scope)
        raw_url = str(request.url)
        draft.facts.setdefault("secret_in_url", redact.contains_known(raw_url))
        client = scope.get("client")  # the peer's port tells one connection from another
        draft.facts.setdefault("client_port", client[1] if client else None)
        request_headers = {k.lower(): v for k, v in request.headers.items()}
        content_type = request_headers.get("content-type")
        if draft.request_body_set:
            journal_body = redact.json(draft.request_body)
        else:
            journal_body = _journal_body(redact, request_body, content_type)
        response_body = None
        if response.status:
            response_body = _journal_body(
                redact, bytes(response.body), response.headers.get("content-type"),
                valid_json=draft.answer_is_json, names_free=draft.answer_names_free,
            )
        return Exchange(
            seq=seq,
            started=started,
            duration_ms=round((time.perf_counter() - clock_start) * 1000, 3),
            environment=draft.environment,
            kind=draft.kind,
            client_id=draft.client_id,
            method=scope["method"],
            url=redact.url(raw_url),
            path=scope["path"],
            api_path=draft.api_path,
            query=redact.query(parse_qsl(request.url.query, keep_blank_values=True)),
            request_headers=redact.headers(request_headers),
            request_content_type=content_type,
            request_body=journal_body,
            status=response.status,
            response_headers=redact.headers(response.headers) if response.status else {},
            response_body=response_body,
            operation_id=draft.operation_id,
            fault=draft.fault,
            facts=redact.json(draft.facts),
        )


class _ResponseCapture:
    """The status, headers and (bounded) body the app sent."""

    def __init__(self) -> None:
        self.status = 0
        self.headers: dict[str, str] = {}
        self.body = bytearray()

    def observe(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = int(message["status"])
            self.headers = {
                k.decode("latin-1").lower(): v.decode("latin-1")
                for k, v in message.get("headers", [])
            }
        elif message["type"] == "http.response.body":
            room = MAX_BODY_CAPTURE - len(self.body)
            if room > 0:
                self.body.extend(message.get("body", b"")[:room])


async def _read_body(receive: Receive) -> tuple[bytes, bool]:
    """The whole request body (routes and journal both need it); True if the client left."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b"".join(chunks), True
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks), False


async def _wait_for_disconnect(receive: Receive, hold: float) -> None:
    """Hold the request `hold` seconds, or less if the client gives up first."""
    try:
        async with asyncio.timeout(hold):
            while (await receive())["type"] != "http.disconnect":
                pass
    except TimeoutError:
        pass


async def _drop_connection(scope: Scope) -> None:
    drop = scope.get("extensions", {}).get(DROP_EXTENSION)
    if callable(drop):
        drop()
        # Let the transport report the loss before the server looks at the request again.
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        return
    raise httpx.RemoteProtocolError("Server disconnected without sending a response.")


def _journal_body(redact: SandboxRedactor, body: bytes, content_type: str | None,
                  valid_json: bool = False, names_free: bool = False) -> Any:
    """A body as the journal keeps it: parsed JSON, form fields, text, or a size note.

    Bodies are parsed whole and redacted before they are cut to size, so a cut never
    leaves half a secret behind. `valid_json`: the sandbox encoded it (no need to check);
    `names_free`: it also knows the text names no secret field (known values are still sought).
    """
    if not body:
        return None
    media = (content_type or "").split(";")[0].strip().lower()
    if media == "application/x-www-form-urlencoded":
        text = body.decode("utf-8", "replace")
        return _bounded(redact.query(parse_qsl(text, keep_blank_values=True)))
    if media.endswith("json") or (not media and body.lstrip()[:1] in (b"{", b"[")):
        packed = _packed_if_clean(redact, body, valid_json, names_free)
        if packed is not None:
            return packed
        try:
            parsed = json.loads(body)
        except ValueError:
            pass
        else:
            redacted, text = redact.json_with_text(parsed)
            if len(text) > MAX_BODY_CAPTURE:
                return text[:MAX_BODY_CAPTURE]
            return PackedJson(text.encode("utf-8", "surrogatepass"))
    if media.startswith("text/") or media.endswith("json") or not media:
        text = _TEXT_REDACTOR.redact(redact.scrub(body.decode("utf-8", "replace")))
        limit = MAX_HTML_CAPTURE if media == "text/html" else MAX_BODY_CAPTURE
        return text[:limit]
    return f"<{len(body)} bytes of {media}>"


def _packed_if_clean(redact: SandboxRedactor, body: bytes,
                     valid_json: bool = False, names_free: bool = False) -> PackedJson | None:
    """The body itself, kept as bytes, when it is complete JSON with nothing to redact.

    The common case (an API answer or write body): no parse and no walk at capture; the
    journal parses it when a check reads it. A body cut at MAX_BODY_CAPTURE is no JSON.
    """
    if len(body) >= MAX_BODY_CAPTURE:
        return None
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not redact.clean_json_text(text, names_checked=names_free):
        return None
    if valid_json:
        return PackedJson(body)
    try:
        orjson.loads(body)  # only valid JSON is kept as JSON (orjson: strict and fast)
    except orjson.JSONDecodeError:
        return None  # or JSON orjson refuses (NaN, huge numbers): the careful path
    return PackedJson(body)


def _bounded(value: Any) -> Any:
    """`value` itself, or its JSON text cut to MAX_BODY_CAPTURE when it is larger."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    return value if len(text) <= MAX_BODY_CAPTURE else text[:MAX_BODY_CAPTURE]
