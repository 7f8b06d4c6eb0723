"""`python -m examples.demo_partner serve|sync|connect`: the demo partner app's command line.

Exit codes: 0 success, 1 failure (message on stderr), 2 usage/configuration mistake,
3 re-authorization needed.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from examples.demo_partner import styles
from examples.demo_partner.errors import DemoPartnerError, UsageProblem
from examples.demo_partner.settings import ConfigurationError, Settings, load_settings
from examples.demo_partner.store import Connection, Store

_LOOPBACK = ("127.0.0.1", "localhost", "::1")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageProblem(f"{message}; see `python -m examples.demo_partner --help`.")


def build_parser() -> argparse.ArgumentParser:
    """The CLI's argument parser."""
    parser = _Parser(prog="python -m examples.demo_partner", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    serve = sub.add_parser("serve", help="serve the web app")
    serve.add_argument("--port", type=int, default=8700)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--db", required=True, metavar="PATH")
    serve.add_argument("--trust-host", action="append", default=[], metavar="HOST:PORT",
                       help="also accept afasBaseUrl on this host (testing; http allowed)")
    serve.add_argument("--certfile", metavar="PEM")
    serve.add_argument("--keyfile", metavar="PEM")
    serve.add_argument("--public-url", metavar="URL",
                       help="the app's external base URL (default: from each request)")
    sync = sub.add_parser("sync", help="run one sync with the stored connection(s)")
    sync.add_argument("--db", required=True, metavar="PATH")
    sync.add_argument("--invoices", metavar="FILE", help="invoice file (default: invoices.json)")
    sync.add_argument("--base-url", metavar="URL", help="sync only this environment")
    connect = sub.add_parser("connect", help="store an app token for an environment")
    connect.add_argument("--db", required=True, metavar="PATH")
    connect.add_argument("--base-url", required=True, metavar="URL")
    connect.add_argument("--app-token", required=True, metavar="TOKEN")
    connect.add_argument("--trust-host", action="append", default=[], metavar="HOST:PORT")
    return parser


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from examples.demo_partner.web import create_app

    if bool(args.certfile) != bool(args.keyfile):
        raise UsageProblem("--certfile and --keyfile go together; pass both or neither.")
    app = create_app(settings, Store(args.db), public_url=args.public_url)
    uvicorn.run(
        app, host=args.host, port=args.port, log_level="warning",
        ssl_certfile=args.certfile, ssl_keyfile=args.keyfile,
    )
    return 0


def _sync(args: argparse.Namespace, settings: Settings) -> int:
    from examples.demo_partner.sync import load_invoices, run_sync

    invoices = load_invoices(args.invoices) if args.invoices else None
    base_url = args.base_url.rstrip("/") if args.base_url else None
    reports = run_sync(Store(args.db), settings, invoices=invoices, base_url=base_url)
    for report in reports:
        print(report.summary())
    return 0


def _connect(args: argparse.Namespace, settings: Settings) -> int:
    from examples.demo_partner.admin import admin_root, connect_admin_app_token
    from examples.demo_partner.base_url import BadBaseUrl, parse_base_url
    from examples.demo_partner.sync import new_http_client
    from examples.demo_partner.web import connect_app_token, first_call

    try:
        scheme, netloc, environment = parse_base_url(args.base_url)
    except BadBaseUrl as problem:
        raise UsageProblem(str(problem)) from None
    # the operator types this URL (not a browser query), so any host is allowed; plain http
    # only for a local test server or a --trust-host
    host = netloc.rsplit(":", 1)[0] if not netloc.startswith("[") else netloc.split("]")[0][1:]
    if scheme != "https" and host not in _LOOPBACK and netloc not in settings.trusted_hosts:
        raise UsageProblem(f"--base-url must use https (got {args.base_url}).")
    base_url = f"{scheme}://{netloc}/{environment}"
    store = Store(args.db)
    if styles.is_on("store_only") and admin_root(base_url, settings) is None:
        # this style only keeps the token: the first sync exchanges it and calls SB
        store.save_connection(Connection(base_url, "apptoken", app_token=args.app_token))
        print(f"Stored the app token for AFAS SB environment {environment}.")
        return 0
    with new_http_client(settings) as http:
        root = admin_root(base_url, settings)
        if root is not None:  # an Admin Center activation: a connection per environment
            connections = connect_admin_app_token(http, store, settings, root, args.app_token)
        else:
            connections = [connect_app_token(http, store, settings, base_url, args.app_token)]
        for connection in connections:
            names = first_call(http, store, settings, connection)  # proves the token works
            print(f"Connected to AFAS SB environment {connection.environment} with an app "
                  f"token; administrations: {', '.join(names) or '(none)'}.")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; errors become one line on stderr and an exit code."""
    try:
        args = build_parser().parse_args(argv)
        settings = load_settings(trusted_hosts=tuple(getattr(args, "trust_host", ())))
        styles.active_styles()  # an unknown DEMO_PARTNER_STYLE stops here, in one line
        if args.command == "serve":
            return _serve(args, settings)
        if args.command == "sync":
            return _sync(args, settings)
        return _connect(args, settings)
    except ConfigurationError as error:
        print(f"demo-partner: {error}", file=sys.stderr)
        return 2
    except DemoPartnerError as error:
        message = str(error)
        if styles.is_on("dutch"):
            message = styles.dutch_message(type(error).__name__, message)
        print(f"demo-partner: {message}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
