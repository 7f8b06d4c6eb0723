"""A small asyncio HTTP/1.1 server for the app: keep-alive, bounded requests, no framework.

The event loop reads and writes; each request is answered in a worker thread (asyncio's
default executor), since a sync talks to SB with blocking httpx calls. Requests are bounded
(request line, header count and size, body size) and every read has a timeout, so a slow or
broken client never holds a worker.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import ssl
from dataclasses import dataclass

from examples.salarisbureau.web import PAGE_HEADERS, REASONS, Answer, SalarisbureauApp

log = logging.getLogger("salarisbureau.server")
MAX_LINE_BYTES = 8_192
MAX_HEADERS = 100
MAX_BODY_BYTES = 65_536
READ_TIMEOUT_S = 10.0  # for the request once it has started
IDLE_TIMEOUT_S = 30.0  # a kept-alive connection without a next request is closed


class BadRequest(Exception):
    """The client sent something that is not a request this server accepts."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Request:
    """One parsed request."""

    method: str
    target: str
    version: str
    headers: dict[str, str]  # lower-case names
    body: bytes

    @property
    def keep_alive(self) -> bool:
        """HTTP/1.1 keeps the connection unless told otherwise; HTTP/1.0 closes it."""
        connection = self.headers.get("connection", "").lower()
        return connection != "close" if self.version == "HTTP/1.1" else connection == "keep-alive"


async def read_request(reader: asyncio.StreamReader) -> Request | None:
    """The next request on the connection, or None when the client closed it."""
    line = await asyncio.wait_for(reader.readline(), IDLE_TIMEOUT_S)
    if not line:
        return None
    if len(line) > MAX_LINE_BYTES or not line.endswith(b"\n"):
        raise BadRequest(414, "The request line is too long.")
    parts = line.decode("latin-1").strip().split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        raise BadRequest(400, "This is not an HTTP/1.x request.")
    method, target, version = parts
    headers: dict[str, str] = {}
    while True:
        raw = await asyncio.wait_for(reader.readline(), READ_TIMEOUT_S)
        if raw in (b"\r\n", b"\n"):
            break
        if not raw or len(raw) > MAX_LINE_BYTES or len(headers) >= MAX_HEADERS:
            raise BadRequest(431, "The request headers are too large.")
        name, sep, value = raw.decode("latin-1").partition(":")
        if not sep:
            raise BadRequest(400, "A request header has no colon.")
        headers[name.strip().lower()] = value.strip()
    if "chunked" in headers.get("transfer-encoding", "").lower():
        raise BadRequest(411, "Send the body with a Content-Length.")
    try:
        length = int(headers.get("content-length", "0"))
    except ValueError:
        raise BadRequest(400, "Content-Length is not a number.") from None
    if length < 0 or length > MAX_BODY_BYTES:
        raise BadRequest(413, "The request body is too large.")
    body = await asyncio.wait_for(reader.readexactly(length), READ_TIMEOUT_S) if length else b""
    return Request(method.upper(), target, version, headers, body)


HSTS = "max-age=31536000; includeSubDomains"  # over https: browsers never fall back to http


def render(answer: Answer, *, keep_alive: bool, https: bool = False) -> bytes:
    """The answer as HTTP/1.1 bytes (with Strict-Transport-Security when served over https)."""
    payload = answer.body.encode("utf-8")
    lines = [f"HTTP/1.1 {answer.status} {REASONS.get(answer.status, 'Unknown')}",
             f"Content-Type: {answer.content_type}", f"Content-Length: {len(payload)}",
             f"Connection: {'keep-alive' if keep_alive else 'close'}"]
    lines += [f"{name}: {value}" for name, value in PAGE_HEADERS]
    if https:
        lines.append(f"Strict-Transport-Security: {HSTS}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + payload


async def _refuse(writer: asyncio.StreamWriter, error: BadRequest, https: bool) -> None:
    writer.write(render(Answer(error.status, str(error), "text/plain"), keep_alive=False,
                        https=https))
    await writer.drain()


async def _connection(app: SalarisbureauApp, reader: asyncio.StreamReader,
                      writer: asyncio.StreamWriter, *, https: bool) -> None:
    try:
        while True:
            try:
                request = await read_request(reader)
            except ValueError:  # a line beyond the reader's limit
                await _refuse(writer, BadRequest(431, "A request line or header is too long."),
                              https)
                return
            except BadRequest as error:
                await _refuse(writer, error, https)
                return
            if request is None:
                return
            # method and path only: query strings are not logged
            log.info("%s %s", request.method, request.target.split("?", 1)[0])
            answer = await asyncio.to_thread(app.handle, request.method, request.target,
                                             request.body)
            writer.write(render(answer, keep_alive=request.keep_alive, https=https))
            await writer.drain()
            if not request.keep_alive:
                return
    except (TimeoutError, asyncio.IncompleteReadError, ConnectionError, ssl.SSLError):
        return  # the client went away or stalled: nothing to answer
    finally:
        writer.close()


def tls_context(certfile: str, keyfile: str) -> ssl.SSLContext:
    """A server TLS context (TLS 1.2 or newer) from a PEM certificate chain and key."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(certfile, keyfile)
    return context


async def serve(app: SalarisbureauApp, *, host: str, port: int,
                tls: ssl.SSLContext | None = None) -> None:
    """Serve `app` (over https when `tls` is given) until SIGTERM or SIGINT."""
    server = await asyncio.start_server(
        lambda r, w: _connection(app, r, w, https=tls is not None), host, port,
        limit=MAX_LINE_BYTES * 2, ssl=tls)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    log.info("Salarisbureau listening on %s://%s:%d/afas-sb/", "https" if tls else "http",
             host, port)
    async with server:
        await stop.wait()
    log.info("Salarisbureau stopped")
