"""The `sb-readiness` command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from sbready.errors import HarnessError, UsageError


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage mistakes as one sentence and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{message}; see `{self.prog} --help`.")


def _add_spec_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--spec", metavar="PATH|URL", help="an SB OpenAPI file or URL")
    group.add_argument(
        "--sb-version",
        metavar="X.Y.Z|latest",
        help="an SB version: looked up in SB_SPEC_DIR, the cache, then AFAS's docs repository",
    )


def _add_report_options(parser: argparse.ArgumentParser, *, history: bool = True) -> None:
    parser.add_argument("--lang", choices=("en", "nl"), default=None,
                        help="the report's and summary's language (default: [report] lang, "
                             "else en)")
    if history:
        parser.add_argument("--history", metavar="DIR", default=None,
                            help="keep per-run verdicts here and show each check's trend "
                                 "(default: sb-readiness-history beside the reports folder)")


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser (exposed for tests and docs)."""
    parser = _Parser(prog="sb-readiness", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = sub.add_parser("run", help="run the readiness checks against your app")
    run.add_argument("--config", required=True, metavar="readiness.toml")
    run.add_argument("--reports", default="reports", metavar="DIR")
    run.add_argument("--only", action="append", metavar="CHECK-ID", help="run only these checks")
    run.add_argument("--target", choices=("sandbox", "live"), default="sandbox",
                     help="sandbox (default), or live: [live] upstream through the proxy")
    run.add_argument("--browser", choices=("chromium", "none"), default=None,
                     help="walk the onboarding in headless Chromium, or without JavaScript "
                          "(none); default: [onboarding] browser")

    _add_report_options(run)

    demo = sub.add_parser("demo", help="run the checks against the built-in demo partner app")
    demo.add_argument("--reports", default="reports", metavar="DIR")
    demo.add_argument("--only", action="append", metavar="CHECK-ID")
    demo.add_argument("--auth", choices=("oauth", "apptoken"), default="oauth",
                      help="run the demo app with OAuth (default) or an app token")
    demo.add_argument("--level", choices=("customer", "admin"), default="customer",
                      help="run the demo app as a customer-level (default) or Admin Center app")
    demo.add_argument("--onboarding", choices=("html", "js"), default="html",
                      help="html forms (default) or a login form built by JavaScript")
    demo.add_argument("--browser", choices=("chromium", "none"), default=None,
                      help="walk the onboarding in headless Chromium (the default for "
                           "--onboarding js) or without JavaScript (none)")

    _add_report_options(demo)

    report = sub.add_parser("report", help="rebuild the HTML report from Allure results")
    report.add_argument("results_dir", metavar="RESULTS_DIR")
    report.add_argument("--output", metavar="DIR", help="where to write the report")
    _add_report_options(report)

    sandbox = sub.add_parser("sandbox", help="serve the SB sandbox")
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.add_argument("--port", type=int, default=8600)
    _add_spec_options(sandbox)
    sandbox.add_argument("--dialect", choices=("observed", "schema"), default="observed")
    sandbox.add_argument("--app-token", metavar="TOKEN", help="activate TOKEN in environment demo")
    sandbox.add_argument("--admin-app-token", metavar="TOKEN",
                         help="activate TOKEN in the Admin Center (serves demo and acme)")
    sandbox.add_argument("--hide-admin-scope", action="store_true",
                         help="getscopes lists only customer environments, not the Admin Center")
    sandbox.add_argument("--redelivery-window", type=float, metavar="SECONDS",
                         help="TrackingToken cache: deltas also return records changed this "
                              "recently (default 300; 0 turns it off)")
    sandbox.add_argument("--readkey-lifetime", type=float, metavar="SECONDS",
                         help="how long a blob ReadKey stays valid (default 28 h)")
    sandbox.add_argument("--records", type=int, metavar="N",
                         help="a large customer: N organisations and 0.4 N ledger accounts "
                              "(e.g. 50000)")

    proxy = sub.add_parser("proxy", help="serve the recording proxy in front of a real AFAS SB")
    proxy.add_argument("--upstream", required=True, metavar="https://<sub>.afasfocus.nl")
    proxy.add_argument("--port", type=int, default=8610)
    proxy.add_argument("--allow-writes", action="store_true",
                       help="let POST/PUT/PATCH/DELETE to /<environment>/api/... through")
    _add_spec_options(proxy)

    spec = sub.add_parser("spec", help="work with AFAS's SB OpenAPI files")
    spec_sub = spec.add_subparsers(dest="spec_command", required=True, parser_class=_Parser)
    lint = spec_sub.add_parser("lint", help="list the defects of an SB OpenAPI file")
    _add_spec_options(lint)
    diff = spec_sub.add_parser("diff", help="what changed between two SB versions")
    diff.add_argument("old", metavar="OLD", help="an SB version (e.g. 5.3.0) or a spec file")
    diff.add_argument("new", metavar="NEW", help="an SB version (e.g. latest) or a spec file")
    return parser


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "spec":
        from sbready.spec.cli import diff_command, lint_command

        if args.spec_command == "diff":
            return diff_command(args.old, args.new)
        return lint_command(spec=args.spec, sb_version=args.sb_version)
    if args.command == "sandbox":
        from sbready.sandbox.cli import serve_command

        return serve_command(
            host=args.host,
            port=args.port,
            spec=args.spec,
            sb_version=args.sb_version,
            dialect=args.dialect,
            app_token=args.app_token,
            admin_app_token=args.admin_app_token,
            list_admin_scope=not args.hide_admin_scope,
            redelivery_window=args.redelivery_window,
            readkey_lifetime=args.readkey_lifetime,
            records=args.records,
        )
    if args.command == "proxy":
        from sbready.proxy.cli import proxy_command

        return proxy_command(args.upstream, port=args.port,
                             allow_writes=args.allow_writes, spec=args.spec,
                             sb_version=args.sb_version)
    if args.command == "report":
        from sbready.report.html import report_command

        return report_command(results_dir=args.results_dir, output=args.output,
                              lang=args.lang, history=args.history)
    from sbready.runner import demo_command, run_command

    if args.command == "demo":
        return demo_command(reports=args.reports, only=args.only, auth=args.auth,
                            level=args.level, lang=args.lang, history=args.history,
                            onboarding=args.onboarding, browser=args.browser)
    return run_command(config=args.config, reports=args.reports, only=args.only,
                       target=args.target, lang=args.lang, history=args.history,
                       browser=args.browser)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: parse, dispatch, and turn user/harness errors into exit codes."""
    try:
        args = build_parser().parse_args(argv)
        return _dispatch(args)
    except UsageError as error:
        print(f"sb-readiness: {error}", file=sys.stderr)
        return UsageError.exit_code
    except HarnessError as error:
        print(f"sb-readiness: harness failure: {error}", file=sys.stderr)
        return HarnessError.exit_code
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
