"""`sb-readiness sandbox`: serve the SB sandbox in the foreground until Ctrl-C."""

from __future__ import annotations

import secrets
import sys

import uvicorn

from sbready.errors import UsageError
from sbready.sandbox.app import RegisteredClient, Sandbox
from sbready.sandbox.auth import ADMIN
from sbready.sandbox.seed_data import (
    FIXTURES,
    ledger_accounts_per_administration,
    organisation_count,
)
from sbready.sandbox.server import bind, settle_for_serving, uvicorn_config
from sbready.sandbox.store import Dialect
from sbready.spec.resolve import load_index

DEMO_CLIENT_ID = "demo-partner"
DEMO_REDIRECT_URI = "http://127.0.0.1:8700/Appcenter/AFASSB/callback"
ENVIRONMENTS = ("demo", "acme")


def serve_command(
    host: str,
    port: int,
    spec: str | None,
    sb_version: str | None,
    dialect: str,
    app_token: str | None,
    admin_app_token: str | None = None,
    list_admin_scope: bool = True,
    redelivery_window: float | None = None,
    readkey_lifetime: float | None = None,
    records: int | None = None,
) -> int:
    """Build a sandbox (demo + acme, a demo OAuth client), print how to use it, serve it."""
    if app_token and admin_app_token and app_token == admin_app_token:
        raise UsageError("--app-token and --admin-app-token must differ; pass two tokens.")
    for name, value in (("--redelivery-window", redelivery_window),
                        ("--readkey-lifetime", readkey_lifetime)):
        if value is not None and value < 0:
            raise UsageError(f"{name} must be 0 or more seconds, not {value:g}.")
    if dialect not in ("observed", "schema"):
        raise UsageError(f"unknown dialect {dialect!r}; use --dialect observed or schema.")
    index = load_index(spec, sb_version)
    chosen: Dialect = "schema" if dialect == "schema" else "observed"
    sandbox = Sandbox(index, dialect=chosen, environments=ENVIRONMENTS,
                      list_admin_scope=list_admin_scope, redelivery_window=redelivery_window,
                      readkey_lifetime=readkey_lifetime, records=records)
    if records is not None:
        print(f"seeding a large customer ({records:,} records) ...", flush=True)
        sandbox.store.environment("demo")  # seeded before the banner: the first page is quick
    client_secret = secrets.token_urlsafe(24)
    sandbox.register_client(
        RegisteredClient(
            client_id=DEMO_CLIENT_ID,
            client_secret=client_secret,
            redirect_uris=(DEMO_REDIRECT_URI,),
            bundles=None,
            level="customer",
            name="Demo Partner",
        )
    )
    if app_token:
        sandbox.activate("demo", token=app_token, name="cli-app")
    if admin_app_token:
        sandbox.activate(ADMIN, token=admin_app_token, name="cli-admin-app")
    sock = bind(host, port)
    shown_host = f"[{host}]" if ":" in host else host
    base_url = f"http://{shown_host}:{sock.getsockname()[1]}"
    _print_banner(base_url, index.sb_version, chosen, sandbox.control_key, client_secret, app_token)
    print(_scale_line(records) + "; " + sandbox.journal.limits.describe(), flush=True)
    if admin_app_token:
        _print_admin_banner(base_url, admin_app_token, list_admin_scope)
    settle_for_serving()  # full GC pauses were the p99 (see server.py)
    server = uvicorn.Server(uvicorn_config(sandbox.app, log_level="warning"))
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
    return 0


def _print_banner(
    base_url: str,
    sb_version: str,
    dialect: str,
    control_key: str,
    client_secret: str,
    app_token: str | None,
) -> None:
    # The client secret and control key are printed once, here, for the person at the console.
    token = app_token or "<app token>"
    lines = [
        f"SB sandbox (SB {sb_version}, dialect {dialect}) at {base_url}",
        f"base URL: {base_url}",
        "environments: " + ", ".join(f"{base_url}/{env}" for env in ENVIRONMENTS)
        + f"; Admin Center: {base_url}/admin",
        f"control key (header X-Sbready-Key for {base_url}/_sbready/...): {control_key}",
        f"demo OAuth client: client_id={DEMO_CLIENT_ID} client_secret={client_secret}",
        f"  redirect_uri={DEMO_REDIRECT_URI}",
        f"  authorize: {base_url}/demo/app/auth?client_id={DEMO_CLIENT_ID}&redirect_uri=..."
        "&response_type=code&code_challenge=...&code_challenge_method=S256&state=...",
    ]
    if app_token:
        lines.append("app token activated in demo (every bundle); get an access token:")
    else:
        lines.append("start with --app-token T to activate an app token in demo; then:")
    lines += [
        f"  curl -s -X POST {base_url}/demo/authentication/getaccesstoken "
        f"-H 'Content-Type: application/json' -d '{{\"apptoken\": \"{token}\"}}'",
        f"  curl -s {base_url}/demo/api/administrations "
        "-H 'Authorization: Bearer <access_token>' -H 'Accept-Version: 1'",
        "Ctrl-C stops the sandbox.",
    ]
    print("\n".join(lines), flush=True)
    sys.stdout.flush()


def _scale_line(records: int | None) -> str:
    if records is None:
        return "data: the usual seed (start with --records N for a large customer)"
    organisations = organisation_count(records)
    accounts = ledger_accounts_per_administration(records) * len(FIXTURES.administrations)
    return f"data: a large customer, {organisations:,} organisations and {accounts:,} ledger " \
           "accounts per environment"


def _print_admin_banner(base_url: str, admin_app_token: str, list_admin_scope: bool) -> None:
    # how an Admin Center app-token app gets its tokens (AFAS's authentication guide)
    listed = "the Admin Center (Path admin) first, then " if list_admin_scope else ""
    lines = [
        "app token activated in the Admin Center; exchange it there, list the environments, "
        "then get a token per environment:",
        f"  curl -s -X POST {base_url}/admin/authentication/getaccesstoken "
        f"-H 'Content-Type: application/json' -d '{{\"apptoken\": \"{admin_app_token}\"}}'",
        f"  curl -s {base_url}/authentication/getscopes -H 'Authorization: Bearer <access_token>'"
        f"   ({listed}demo and acme as {{Name, Description, Path}})",
        f"  curl -s -X POST {base_url}/demo/authentication/getaccesstoken "
        f"-H 'Content-Type: application/json' -d '{{\"apptoken\": \"{admin_app_token}\"}}'",
    ]
    print("\n".join(lines), flush=True)
