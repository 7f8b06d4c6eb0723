"""A decoy "SB" on a foreign host: it records whoever contacts it (ONB-05 evidence).

The harness hands the app an afasBaseUrl on this server's host. An app that checks the
host refuses it; an app that does not sends the browser (or its own token request) here.
The decoy answers like SB would, so a trusting app keeps going, and it records only the
method, path and query parameter names of each request (never values or bodies: a
trusting app may post its client secret here).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

# A second loopback address is a different host to the app; a different port on
# 127.0.0.1 is the fallback where 127.0.0.2 cannot be bound.
DECOY_ADDRESSES = ("127.0.0.2", "127.0.0.1")
_REQUEST_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class DecoyRequest:
    """One request the decoy received: no values, no body (they may hold secrets)."""

    method: str
    path: str
    query_keys: tuple[str, ...]
    body_bytes: int

    def describe(self) -> str:
        """'POST /demo/app/token (query: client_secret; 312-byte body)'."""
        extra = []
        if self.query_keys:
            extra.append("query: " + ", ".join(self.query_keys))
        if self.body_bytes:
            extra.append(f"{self.body_bytes}-byte body")
        return f"{self.method} {self.path}" + (f" ({'; '.join(extra)})" if extra else "")


class _DecoyHandler(BaseHTTPRequestHandler):
    server: _DecoyHttpServer
    timeout = _REQUEST_TIMEOUT_S

    def _answer(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("content-length") or 0)
        if length:
            self.rfile.read(min(length, 1_000_000))  # drained, never kept
        self.server.record(DecoyRequest(
            self.command, parts.path,
            tuple(sorted({k for k, _ in parse_qsl(parts.query, keep_blank_values=True)})),
            length,
        ))
        if parts.path.endswith(("/app/token", "/getaccesstoken")):
            body = json.dumps({"access_token": "decoy-access", "refresh_token": "decoy-refresh",
                               "expires_in": 1800, "token_type": "bearer"}).encode()
            kind = "application/json"
        else:
            body = (b"<!doctype html><title>AFAS SB</title><form method=post>"
                    b"<button name=decision value=allow>Allow</button></form>")
            kind = "text/html"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _answer

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
        return  # quiet: the recorded requests are the evidence


class _DecoyHttpServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int]) -> None:
        super().__init__(address, _DecoyHandler)
        self._lock = threading.Lock()
        self.received: list[DecoyRequest] = []

    def record(self, request: DecoyRequest) -> None:
        with self._lock:
            self.received.append(request)


class DecoyServer:
    """An HTTP server on a loopback host the app was not told to trust."""

    def __init__(self, addresses: tuple[str, ...] = DECOY_ADDRESSES) -> None:
        self._server = _bind(addresses)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
            name="sb-readiness-decoy", daemon=True,
        )
        self._thread.start()

    @property
    def host(self) -> str:
        """'127.0.0.2:41234'."""
        address, port = self._server.server_address[:2]
        return f"{address!s}:{port}"

    @property
    def base_url(self) -> str:
        """'http://127.0.0.2:41234'."""
        return f"http://{self.host}"

    @property
    def requests(self) -> list[DecoyRequest]:
        """What the decoy received so far, in order."""
        with self._server._lock:
            return list(self._server.received)

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def _bind(addresses: tuple[str, ...]) -> _DecoyHttpServer:
    problem: OSError | None = None
    for address in addresses:
        try:
            return _DecoyHttpServer((address, 0))
        except OSError as error:  # 127.0.0.2 is not routed to loopback on every system
            problem = error
    raise OSError(f"the decoy server could not bind any of {addresses}: {problem}")


@contextmanager
def decoy_server(addresses: tuple[str, ...] = DECOY_ADDRESSES) -> Iterator[DecoyServer]:
    """A running decoy for the duration of a scenario."""
    server = DecoyServer(addresses)
    try:
        yield server
    finally:
        server.stop()
