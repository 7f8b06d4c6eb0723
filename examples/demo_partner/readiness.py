"""The demo partner app's readiness.toml: what `sb-readiness demo` and the self-tests run.

Lives with the example app (not in sbready/) so the harness's machinery never imports it;
the runner imports it only for the `demo` command. Its listing files are package data, so
an installed sb-readiness finds them too.
"""

from __future__ import annotations

import secrets as _random
from collections.abc import Sequence
from pathlib import Path

from sbready.config import AUTH_KINDS, LEVELS, toml_string
from sbready.errors import UsageError

DEMO_SUMMARY = (
    "Demo Partner books your webshop invoices as sales journal entries in AFAS SB, "
    "every hour, without double entries."
)


def demo_listing_dir() -> Path:
    """The demo partner app's listing assets (logo, description)."""
    return Path(__file__).resolve().parent / "listing"


def demo_config(
    workdir: Path, *, flaws: Sequence[str] = (), auth: str = "oauth", level: str = "customer",
    onboarding: str = "html", browser: str | None = None,
) -> tuple[str, dict[str, str]]:
    """The readiness.toml text for the demo partner app, and the environment it needs.

    The TOML uses the `{workdir}` placeholder for run files (database, TLS files in
    `{workdir}/tls/`: ca.pem, app.pem, app.key — see sbready.driver.tls.write_demo_tls), so
    run it with placeholders whose workdir is `workdir`. Listing paths are absolute, so the
    text works wherever it is written. `flaws` switch on the app's deliberate defects;
    `level = "admin"` registers and runs the app as an Admin Center (accountant) app.
    `onboarding = "js"` gives the app a landing page whose login form is built by script;
    `browser = "chromium"` writes [onboarding] browser, the walker that can walk it.
    """
    if onboarding not in ("html", "js"):
        raise UsageError(f"onboarding must be 'html' or 'js', not {onboarding!r}.")
    if auth not in AUTH_KINDS:
        raise UsageError(f"auth must be 'oauth' or 'apptoken', not {auth!r}.")
    if level not in LEVELS:
        raise UsageError(f"level must be 'customer' or 'admin', not {level!r}.")
    _check_demo_flaws(flaws)
    listing = demo_listing_dir()
    environ = {
        "DEMO_PARTNER_CLIENT_SECRET": _random.token_urlsafe(32),
        "DEMO_PARTNER_PASSWORD": _random.token_urlsafe(16),
    }
    start_env = {
        "DEMO_PARTNER_CLIENT_SECRET": "${DEMO_PARTNER_CLIENT_SECRET}",
        "DEMO_PARTNER_PASSWORD": "${DEMO_PARTNER_PASSWORD}",
        # the scenario's data hook: [scenario] new_work writes this file, the sync posts it
        "DEMO_PARTNER_SCENARIO_INVOICES": "{workdir}/scenario-invoices.json",
        # short client timeout and retry budget, so "SB unreachable" (ERR-10) is reported fast
        "DEMO_PARTNER_HTTP_TIMEOUT": "2",
        "DEMO_PARTNER_RETRY_BUDGET": "5",
    }
    if level == "admin":
        start_env["DEMO_PARTNER_LEVEL"] = "admin"
    if onboarding == "js":
        start_env["DEMO_PARTNER_ONBOARDING"] = "js"
    if flaws:
        environ["DEMO_PARTNER_FLAWS"] = ",".join(flaws)
        start_env["DEMO_PARTNER_FLAWS"] = "${DEMO_PARTNER_FLAWS}"
    db = "{workdir}/demo.sqlite"
    serve = (
        f"{{python}} -m examples.demo_partner serve --port {{app_port}} --db {db} "
        "--trust-host {sandbox_host} --certfile {workdir}/tls/app.pem "
        "--keyfile {workdir}/tls/app.key"
    )
    app_url = "https://127.0.0.1:{app_port}"
    lines = [
        f"# The built-in demo partner app (generated for {workdir}).",
        "[app]",
        'name = "Demo Partner"',
        f'onboarding_url = "{app_url}/Appcenter/AFASSB/"',
        f'auth = "{auth}"',
        f'level = "{level}"',
        'bundles = ["Verkoopjournaalpost"]',
        'sb_version = "6.0.0"',
        'mode = "production"',
        'ca_file = "{workdir}/tls/ca.pem"',
    ]
    if auth == "oauth":
        lines += [
            f'redirect_uri = "{app_url}/Appcenter/AFASSB/callback"',
            'client_id = "demo-partner"',
            'client_secret = "${DEMO_PARTNER_CLIENT_SECRET}"',
        ]
    lines += [
        "",
        "[app.start]",
        f"command = {toml_string(serve)}",
        "env = { " + ", ".join(f'{k} = "{v}"' for k, v in start_env.items()) + " }",
        f'ready_url = "{app_url}/health"',
        "timeout = 20",
        "",
        "[sync]",
        f'command = "{{python}} -m examples.demo_partner sync --db {db}"',
        "timeout = 60",
    ]
    if auth == "apptoken":
        lines += [
            "",
            "[apptoken]",
            f'command = "{{python}} -m examples.demo_partner connect --db {db} '
            '--base-url {afas_base_url} --app-token={app_token}"',  # a token may start with -
        ]
    lines += [
        "",
        "[scenario]",
        # counted across the office's environments: an admin-level demo writes in demo and acme
        f'expected_writes = {{ "/api/salesjournalentry" = {6 if level == "admin" else 3} }}',
        'new_work = "{python} -m examples.demo_partner.new_invoice '
        '{workdir}/scenario-invoices.json"',
        "",
        "[thresholds]",
        "unreachable_timeout = 10",
    ]
    if browser:
        lines += ["", "[onboarding]", f"browser = {toml_string(browser)}"]
    lines += [
        "",
        "[[onboarding.login]]",
        'url_contains = "/login"',
        'fields = { username = "demo@partner.example", password = "${DEMO_PARTNER_PASSWORD}" }',
        "",
        "[listing]",
        f"logo = {toml_string(str(listing / 'logo.png'))}",
        f'support_url = "{app_url}/support"',
        f"summary = {toml_string(DEMO_SUMMARY)}",
        f"description_file = {toml_string(str(listing / 'description.md'))}",
        "",
    ]
    return "\n".join(lines), environ


def _check_demo_flaws(flaws: Sequence[str]) -> None:
    from examples.demo_partner.flaws import FLAWS

    unknown = [name for name in flaws if name not in FLAWS]
    if unknown:
        raise UsageError(
            f"unknown demo flaw(s) {', '.join(unknown)}; the known ones are "
            f"{', '.join(sorted(FLAWS))}."
        )
