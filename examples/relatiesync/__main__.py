"""`python -m examples.relatiesync serve|queue-relation`: the server, and the CRM's new work."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sqlite3
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from examples.relatiesync.devtls import DevTlsError, ensure_self_signed
from examples.relatiesync.flaws import FLAWS_VARIABLE, UnknownFlaw, parse_flaws
from examples.relatiesync.relations import add_demo_relations, queue_new_relation
from examples.relatiesync.store import Store, database_path
from examples.relatiesync.web import AdminApp, AppSettings, serve
from examples.relatiesync.worker import Worker

PASSWORD_VARIABLE = "RELATIESYNC_ADMIN_PASSWORD"
USER_VARIABLE = "RELATIESYNC_ADMIN_USER"


class UsageProblem(Exception):
    """Bad input: one sentence with the fix; exit code 2."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m examples.relatiesync",
                                     description="RelatieSync: CRM relations <-> AFAS SB")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("serve", help="serve the admin UI and POST /sync")
    run.add_argument("--db", required=True, help="the SQLite database file")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8443)
    run.add_argument("--trust-host", action="append", default=[], metavar="HOST:PORT",
                     help="also accept this afasBaseUrl host (a local SB sandbox; tests only)")
    run.add_argument("--certfile", type=Path)
    run.add_argument("--keyfile", type=Path)
    run.add_argument("--self-signed-tls", type=Path, metavar="DIR",
                     help="make (once) and use a throwaway loopback certificate in DIR")
    run.add_argument("--demo-data", action="store_true",
                     help="a fresh database starts with two relations waiting for AFAS SB")
    queue = commands.add_parser("queue-relation", help="queue one new organisation for SB")
    queue.add_argument("--db", required=True)
    queue.add_argument("--name", help="the organisation's name (default: a generated one)")
    return parser


def _serve(args: argparse.Namespace) -> int:
    password = os.environ.get(PASSWORD_VARIABLE, "")
    if len(password) < 12:
        raise UsageProblem(f"set {PASSWORD_VARIABLE} to the administrator's password (at least "
                           "12 characters) before starting the server")
    username = os.environ.get(USER_VARIABLE, "admin@relatiesync.example")
    certfile, keyfile = args.certfile, args.keyfile
    if args.self_signed_tls is not None:
        try:
            certfile, keyfile = ensure_self_signed(args.self_signed_tls)
        except DevTlsError as error:
            raise UsageProblem(str(error)) from None
    if (certfile is None) != (keyfile is None):
        raise UsageProblem("pass --certfile and --keyfile together (or --self-signed-tls DIR)")
    if certfile is None and args.host not in ("127.0.0.1", "localhost", "::1"):
        raise UsageProblem("without a certificate RelatieSync serves loopback only; pass "
                           "--certfile/--keyfile to listen on " + args.host)
    store = _open_store(args.db)
    if args.demo_data:
        add_demo_relations(store)
    worker = Worker(store)
    app = AdminApp(store, worker, AppSettings(username, password, tuple(args.trust_host),
                                              secure_cookies=certfile is not None))
    try:
        server = serve(app, host=args.host, port=args.port, certfile=certfile, keyfile=keyfile)
    except OSError as error:
        raise UsageProblem(f"cannot listen on {args.host}:{args.port} ({error.strerror}); "
                           "pick another --port") from None

    def stop(signum: int, frame: FrameType | None) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    scheme = "https" if certfile else "http"
    logging.getLogger("relatiesync").info("serving %s://%s:%s", scheme, args.host, args.port)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        worker.shutdown()
    return 0


def _open_store(raw: str) -> Store:
    try:
        return Store(database_path(raw))
    except (OSError, sqlite3.Error) as error:
        raise UsageProblem(f"cannot open the database {raw} ({error}); pass a writable "
                           "--db path") from None


def _queue(args: argparse.Namespace) -> int:
    local_id, name = queue_new_relation(_open_store(args.db), args.name)
    print(f"queued relation {local_id} ({name}) for AFAS SB; the next sync creates it")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; bad input ends with one sentence and exit code 2."""
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # request lines carry no value here
    args = _parser().parse_args(argv)
    try:
        parse_flaws(os.environ.get(FLAWS_VARIABLE))
    except UnknownFlaw as problem:
        print(f"relatiesync: {problem}", file=sys.stderr)
        return 2
    try:
        return _serve(args) if args.command == "serve" else _queue(args)
    except UsageProblem as problem:
        print(f"relatiesync: {problem}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
