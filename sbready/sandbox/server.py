"""Serve an ASGI app with uvicorn on loopback: in a daemon thread (`serve`) or in front.

Both use a dropping protocol: uvicorn's HTTP protocol plus one ASGI scope extension that lets
the sandbox abort a client's connection without answering (fault kinds "timeout" and
"response_lost"): the client then sees exactly what a dropped connection looks like. The
protocol is uvicorn's httptools one when httptools is installed (its C parser roughly halves
the server's share of a request), else its h11 one; the loop is uvloop's when installed.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import socket
import threading
import time
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # httptools is not installed: h11 serves
    HttpToolsProtocol = None  # type: ignore[assignment,misc]

from sbready.errors import HarnessError, UsageError
from sbready.sandbox.http_capture import DROP_EXTENSION


class _Dropping:
    """The drop extension and TCP_NODELAY, mixed into one of uvicorn's HTTP protocols."""

    app: Any
    transport: Any

    def _wrap_app(self) -> None:
        inner = self.app

        async def app_with_drop(scope: Any, receive: Any, send: Any) -> None:
            if scope.get("type") == "http":
                scope.setdefault("extensions", {})[DROP_EXTENSION] = self._drop_connection
            await inner(scope, receive, send)

        self.app = app_with_drop

    @staticmethod
    def _no_delay(transport: Any) -> None:
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            # the status line and the body are separate writes: without NODELAY every
            # answer waits ~40 ms for the client's delayed ACK
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _drop_connection(self) -> None:
        # abort(): no answer, no graceful flush; the client reads EOF before any status line.
        if self.transport is not None and not self.transport.is_closing():
            self.transport.abort()


class DroppingH11Protocol(_Dropping, H11Protocol):
    """uvicorn's h11 protocol; the app may call scope["extensions"][DROP_EXTENSION]()."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._wrap_app()

    def connection_made(self, transport: Any) -> None:  # noqa: D102 - uvicorn's hook
        self._no_delay(transport)
        super().connection_made(transport)


DroppingProtocol: type[Any] = DroppingH11Protocol
if HttpToolsProtocol is not None:

    class DroppingHttpToolsProtocol(_Dropping, HttpToolsProtocol):
        """uvicorn's httptools protocol with the same drop extension."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._wrap_app()

        def connection_made(self, transport: Any) -> None:  # noqa: D102 - uvicorn's hook
            self._no_delay(transport)
            super().connection_made(transport)

    DroppingProtocol = DroppingHttpToolsProtocol


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on host:port (port 0: a free one); UsageError if it is taken."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise UsageError(
            f"cannot listen on {host}:{port} ({error.strerror or error}); "
            "choose another --port, or --port 0 picks a free one."
        ) from error
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def uvicorn_config(app: Any, *, log_level: str = "warning", **ssl: Any) -> uvicorn.Config:
    """The uvicorn configuration every sandbox server uses."""
    return uvicorn.Config(
        app,
        http=DroppingProtocol,
        ws="none",
        lifespan="off",
        log_level=log_level,
        access_log=False,
        timeout_graceful_shutdown=1,
        **ssl,
    )


FULL_GC_EVERY = 1000  # young collections between full ones (CPython's default: 10)


def settle_for_serving() -> None:
    """Tune the cyclic GC for a long-running server (`sb-readiness sandbox`), not for tests.

    A full collection walks every object the journal and the store hold; at CPython's pace it
    runs every few thousand requests and its pause was the sandbox's p99 (38-98 ms against
    15-30 ms with full collections 100 times rarer). Young collections keep their pace and
    full ones still come, so cyclic garbage is still freed.
    """
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, FULL_GC_EVERY)


def _loop_factory() -> Any:
    """uvloop's event loop when it is installed (uvicorn's "auto" choice), else asyncio's."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


@dataclass
class ServedApp:
    """An app served on loopback by uvicorn in a daemon thread; stop it (or use `with`)."""

    host: str
    port: int
    scheme: str
    _server: uvicorn.Server = field(repr=False)
    _thread: threading.Thread = field(repr=False)

    @property
    def base_url(self) -> str:
        """E.g. "http://127.0.0.1:54321" (no trailing slash)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"

    def stop(self, timeout: float = 5.0) -> None:
        """Shut the server down and wait at most `timeout` seconds for its thread."""
        self._server.should_exit = True
        self._thread.join(timeout / 2)
        if self._thread.is_alive():
            self._server.force_exit = True
            self._thread.join(timeout / 2)

    def __enter__(self) -> ServedApp:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def serve(
    app: Any,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    ready_timeout: float = 10.0,
    ssl_certfile: str | None = None,
    ssl_keyfile: str | None = None,
    log_level: str = "warning",
) -> ServedApp:
    """Serve `app` with uvicorn in a daemon thread; returns once it accepts connections."""
    sock = bind(host, port)
    bound_port = sock.getsockname()[1]
    ssl: dict[str, Any] = {}
    if ssl_certfile:
        ssl = {"ssl_certfile": ssl_certfile, "ssl_keyfile": ssl_keyfile}
    server = uvicorn.Server(uvicorn_config(app, log_level=log_level, **ssl))
    failure: list[BaseException] = []

    def run() -> None:
        try:
            with asyncio.Runner(loop_factory=_loop_factory()) as runner:
                runner.run(server.serve(sockets=[sock]))
        except BaseException as error:  # noqa: BLE001 - reported to the caller below
            failure.append(error)
        finally:
            with contextlib.suppress(OSError):
                sock.close()

    thread = threading.Thread(target=run, name=f"uvicorn-{bound_port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + ready_timeout
    while not server.started:
        if failure or not thread.is_alive():
            reason = repr(failure[0]) if failure else "the server thread ended"
            raise HarnessError(f"uvicorn did not start on {host}:{bound_port}: {reason}")
        if time.monotonic() > deadline:
            server.should_exit = True
            raise HarnessError(f"uvicorn did not start on {host}:{bound_port} in {ready_timeout} s")
        time.sleep(0.01)
    scheme = "https" if ssl_certfile else "http"
    return ServedApp(host, bound_port, scheme, server, thread)
