"""python -m examples.salarisbureau serve --port 8700 --data DIR [--settings FILE] ..."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import ssl
import sys
from pathlib import Path

from examples.salarisbureau.ledger_book import LedgerBook, LedgerBookError
from examples.salarisbureau.server import serve, tls_context
from examples.salarisbureau.settings import SettingsError, load_settings
from examples.salarisbureau.web import SalarisbureauApp

TRUST_HOSTS_ENV = "SALARISBUREAU_TRUST_HOSTS"


def main(argv: list[str] | None = None) -> int:
    """The command line: `serve` runs the web app and the sync trigger."""
    parser = argparse.ArgumentParser(prog="python -m examples.salarisbureau")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("serve", help="serve the pages and the sync trigger")
    run.add_argument("--port", type=int, required=True)
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--data", type=Path, required=True, help="folder for the bureau's records")
    run.add_argument("--settings", type=Path, help="salarisbureau.json (default: built-in)")
    run.add_argument("--trust-host", action="append", default=[], metavar="HOST:PORT",
                     help="an SB host to trust besides *.afasfocus.nl (testing only; also "
                     f"{TRUST_HOSTS_ENV}=HOST:PORT,...)")
    run.add_argument("--demo-payroll", action="store_true",
                     help="give each new client environment one sample payroll run")
    run.add_argument("--certfile", help="PEM certificate chain: serve https (production)")
    run.add_argument("--keyfile", help="PEM private key of --certfile")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stdout,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its lines carry full URLs
    try:
        from_env = [h.strip() for h in os.environ.get(TRUST_HOSTS_ENV, "").split(",")]
        test_hosts = tuple(args.trust_host) + tuple(h for h in from_env if h)
        settings = load_settings(args.settings, extra_test_hosts=test_hosts,
                                 demo_payroll=args.demo_payroll)
    except SettingsError as error:
        print(f"salarisbureau: {error}", file=sys.stderr)
        return 2
    if bool(args.certfile) != bool(args.keyfile):
        print("salarisbureau: --certfile and --keyfile go together; pass both or neither.",
              file=sys.stderr)
        return 2
    try:
        tls = tls_context(args.certfile, args.keyfile) if args.certfile else None
    except (OSError, ssl.SSLError) as error:
        print(f"salarisbureau: cannot use the certificate {args.certfile} ({error}); pass a "
              "PEM certificate chain and its key.", file=sys.stderr)
        return 2
    try:
        book = LedgerBook(args.data)
    except (LedgerBookError, OSError) as error:
        print(f"salarisbureau: cannot use the data folder {args.data}: {error}", file=sys.stderr)
        return 2
    try:
        asyncio.run(serve(SalarisbureauApp(book, settings), host=args.host, port=args.port,
                          tls=tls))
    except OSError as error:
        print(f"salarisbureau: cannot listen on {args.host}:{args.port} ({error.strerror}); "
              "pick a free port with --port.", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
