"""Serve the WSGI app with the standard library: wsgiref, one thread per request."""

from __future__ import annotations

import socketserver
import ssl
import sys
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from .web import BoekhoudApp


class _ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    """wsgiref's server, threaded: a slow AFAS call must not block other customers."""

    daemon_threads = True
    allow_reuse_address = True


class _StilleHandler(WSGIRequestHandler):
    """Logs method, path and status only: query strings carry codes and states."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pad = self.path.split("?", 1)[0]
        print(f"{self.command} {pad} {code}", file=sys.stderr, flush=True)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
        pass  # everything useful is in log_request; the rest may hold a URL with a code


def serve(app: BoekhoudApp, host: str, port: int, certfile: str | None = None,
          keyfile: str | None = None) -> None:
    """Serve until interrupted (SIGTERM/SIGINT end the process)."""
    server = make_server(host, port, app, server_class=_ThreadingWSGIServer,
                         handler_class=_StilleHandler)
    if certfile:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(certfile, keyfile)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    schema = "https" if certfile else "http"
    print(f"Boekhoudkoppeling luistert op {schema}://{host}:{port}/", flush=True)
    try:
        server.serve_forever(poll_interval=0.5)
    finally:
        server.server_close()
