"""readiness.toml: parsing, validation, ${VAR} interpolation, placeholders, the demo config."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from examples.demo_partner.readiness import demo_config
from sbready.config import Thresholds, load_config
from sbready.errors import UsageError

SECRET = "s3cret-from-the-environment"
PASSWORD = "pa55word-from-env"
ENV = {"APP_SECRET": SECRET, "APP_PASSWORD": PASSWORD}

MINIMAL = """
[app]
name = "Acme Books"
onboarding_url = "https://127.0.0.1:{app_port}/Appcenter/AFASSB/"
redirect_uri = "https://127.0.0.1:{app_port}/Appcenter/AFASSB/callback"
bundles = ["Verkoopjournaalpost"]
sb_version = "6.0.0"
client_id = "acme"
client_secret = "${APP_SECRET}"
"""

FULL = MINIMAL + """
mode = "development"
ca_file = "tls/ca.pem"

[app.start]
command = "{python} -m acme serve --port {app_port} --db {workdir}/acme.db"
env = { ACME_SECRET = "${APP_SECRET}", ACME_MODE = "test-{app_port}" }
ready_port = "{app_port}"
timeout = 5

[sync]
url = "https://127.0.0.1:{app_port}/sync"
timeout = 30

[[onboarding.login]]
url_contains = "/login"
fields = { username = "reviewer@acme.example", password = "${APP_PASSWORD}" }

[listing]
logo = "listing/logo.png"
support_url = "https://acme.example/support"
summary = "Books {braces} stay as written in prose."
description_file = "listing/description.md"

[thresholds]
summary_max_chars = 150
onboarding_timeout = 3.5
"""

VALUES = {
    "app_port": "8443",
    "sandbox_url": "http://127.0.0.1:9000",
    "sandbox_host": "127.0.0.1:9000",
    "afas_base_url": "http://127.0.0.1:9000/demo",
    "workdir": "/tmp/run-1",
    "python": "/usr/bin/python3",
}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "readiness.toml"
    path.write_text(text, encoding="utf-8")
    (tmp_path / "listing").mkdir(exist_ok=True)
    (tmp_path / "listing" / "description.md").write_text("A long description.", encoding="utf-8")
    return path


def error_for(tmp_path: Path, text: str, environ: dict[str, str] | None = None) -> str:
    with pytest.raises(UsageError) as caught:
        load_config(write(tmp_path, text), environ=ENV if environ is None else environ)
    message = str(caught.value)
    assert str(tmp_path / "readiness.toml") in message, "every config error names the file"
    assert "\n" not in message, "config errors are one sentence"
    return message


def test_full_config_loads_into_typed_sections(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, FULL), environ=ENV)
    assert config.app.name == "Acme Books"
    assert config.app.auth == "oauth" and config.app.level == "customer"
    assert config.app.mode == "development"
    assert config.app.bundles == ("Verkoopjournaalpost",)
    assert config.app.client_secret == SECRET
    assert config.app.ca_file == tmp_path / "tls" / "ca.pem"  # relative to the file's folder
    assert config.start is config.app.start and config.start is not None
    assert config.start.env["ACME_SECRET"] == SECRET
    assert config.start.ready_port is None and config.start.ready_port_template == "{app_port}"
    assert config.sync is not None and config.sync.url and config.sync.timeout == 30.0
    assert config.login_steps[0].fields["password"] == PASSWORD
    assert config.listing.logo == tmp_path / "listing" / "logo.png"
    assert config.listing.description == "A long description."
    assert config.listing.onboarding_url == config.app.onboarding_url  # defaults to the app's
    assert config.listing.summary == "Books {braces} stay as written in prose."
    assert config.thresholds.summary_max_chars == 150
    assert config.thresholds.onboarding_timeout == 3.5
    assert config.thresholds.logo_min_px == Thresholds().logo_min_px == 256
    assert config.base_dir == config.config_dir == tmp_path


def test_secrets_are_listed_and_kept_out_of_repr(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, FULL), environ=ENV)
    assert set(config.secrets()) == {SECRET, PASSWORD}
    assert SECRET not in repr(config) and PASSWORD not in repr(config)


def test_placeholders_are_filled_at_run_time(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, FULL), environ=ENV)
    assert "{app_port}" in config.app.onboarding_url  # left for the harness
    filled = config.with_placeholders(VALUES)
    assert filled.app.onboarding_url == "https://127.0.0.1:8443/Appcenter/AFASSB/"
    assert filled.start is not None
    assert filled.start.command == (
        "/usr/bin/python3 -m acme serve --port 8443 --db /tmp/run-1/acme.db"
    )
    assert filled.start.ready_port == 8443
    assert filled.start.env == {"ACME_SECRET": SECRET, "ACME_MODE": "test-8443"}
    assert filled.sync is not None and filled.sync.url == "https://127.0.0.1:8443/sync"
    assert filled.listing.summary == "Books {braces} stay as written in prose."  # prose untouched


def test_env_values_are_never_scanned_for_placeholders(tmp_path: Path) -> None:
    braces = "abc{app_port}def{unknown}"
    config = load_config(write(tmp_path, FULL), environ={**ENV, "APP_SECRET": braces})
    filled = config.with_placeholders(VALUES)
    assert filled.app.client_secret == braces
    assert filled.start is not None and filled.start.env["ACME_SECRET"] == braces


def test_app_token_placeholder_counts_as_a_secret(tmp_path: Path) -> None:
    text = MINIMAL.replace('client_id = "acme"\n', 'client_id = "acme"\n').replace(
        'sb_version = "6.0.0"', 'sb_version = "latest"\nauth = "apptoken"'
    ) + '\n[apptoken]\ncommand = "connect --token {app_token} --base {afas_base_url}"\n'
    config = load_config(write(tmp_path, text), environ=ENV)
    filled = config.with_placeholders({**VALUES, "app_token": "tok-1234567890"})
    assert filled.apptoken is not None
    assert filled.apptoken.command == "connect --token tok-1234567890 --base http://127.0.0.1:9000/demo"
    assert "tok-1234567890" in filled.secrets()


def test_literal_braces_are_doubled(tmp_path: Path) -> None:
    text = MINIMAL + '\n[sync]\ncommand = "echo {{json}} {app_port}"\n'
    filled = load_config(write(tmp_path, text), environ=ENV).with_placeholders(VALUES)
    assert filled.sync is not None and filled.sync.command == "echo {json} 8443"


def test_config_dir_placeholder_is_known_at_load(tmp_path: Path) -> None:
    text = MINIMAL + '\n[sync]\ncommand = "{config_dir}/sync.sh"\n'
    config = load_config(write(tmp_path, text), environ=ENV)
    assert config.sync is not None and config.sync.command == f"{tmp_path}/sync.sh"


def test_placeholder_paths_resolve_after_filling(tmp_path: Path) -> None:
    text = MINIMAL + 'ca_file = "{workdir}/tls/ca.pem"\n'
    config = load_config(write(tmp_path, text), environ=ENV)
    assert config.app.ca_file == Path("{workdir}/tls/ca.pem")
    assert config.with_placeholders(VALUES).app.ca_file == Path("/tmp/run-1/tls/ca.pem")


def test_unknown_key_suggests_the_right_one(tmp_path: Path) -> None:
    message = error_for(tmp_path, MINIMAL.replace("client_id", "clientid"))
    assert "unknown key 'clientid' in [app]; did you mean 'client_id'?" in message


def test_unknown_section_is_refused(tmp_path: Path) -> None:
    message = error_for(tmp_path, MINIMAL + "\n[synk]\ncommand = 'x'\n")
    assert "unknown key 'synk'" in message and "did you mean 'sync'?" in message


def test_bad_enum_lists_the_choices(tmp_path: Path) -> None:
    message = error_for(tmp_path, MINIMAL + 'auth = "basic"\n')
    assert "auth in [app] must be 'oauth' or 'apptoken'" in message


def test_wrong_type_is_named(tmp_path: Path) -> None:
    message = error_for(tmp_path, MINIMAL + "\n[sync]\ncommand = 'x'\ntimeout = \"soon\"\n")
    assert "timeout in [sync] must be a positive number" in message


def test_missing_required_key_shows_an_example(tmp_path: Path) -> None:
    message = error_for(tmp_path, MINIMAL.replace('client_id = "acme"\n', ""))
    assert "client_id is missing in [app]" in message and "client_id =" in message


def test_missing_env_var_names_var_and_key(tmp_path: Path) -> None:
    message = error_for(tmp_path, MINIMAL, environ={})
    assert "APP_SECRET" in message and "client_secret in [app]" in message
    assert "export APP_SECRET" in message


def test_plain_text_client_secret_is_refused(tmp_path: Path) -> None:
    message = error_for(tmp_path, MINIMAL.replace('"${APP_SECRET}"', '"hunter2-plain"'))
    assert "client_secret in [app] is written in plain text" in message
    assert 'client_secret = "${' in message
    assert "hunter2-plain" not in message


def test_plain_text_login_password_is_refused(tmp_path: Path) -> None:
    text = FULL.replace('password = "${APP_PASSWORD}"', 'password = "letmein-plain"')
    message = error_for(tmp_path, text)
    assert "password in the fields of [[onboarding.login]] #1 is written in plain text" in message


def test_unknown_placeholder_lists_the_known_ones(tmp_path: Path) -> None:
    message = error_for(tmp_path, MINIMAL + '\n[sync]\ncommand = "run {app_prot}"\n')
    assert "unknown placeholder {app_prot} in command in [sync]" in message
    assert "{app_port}" in message and "{workdir}" in message


def test_placeholder_missing_at_run_time_is_a_usage_error(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, FULL), environ=ENV)
    with pytest.raises(UsageError, match=r"unknown placeholder \{workdir\}.*\{app_port\}"):
        config.with_placeholders({"app_port": "1", "python": "py"})


def test_toml_syntax_error_gives_the_line(tmp_path: Path) -> None:
    message = error_for(tmp_path, MINIMAL + "\nbroken = = 1\n")
    assert "is not valid TOML" in message and "line 11" in message


def test_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="does not exist"):
        load_config(tmp_path / "nope.toml", environ={})


def test_sync_needs_exactly_one_way(tmp_path: Path) -> None:
    message = error_for(tmp_path, MINIMAL + "\n[sync]\ncommand = 'a'\nurl = 'https://x/'\n")
    assert "exactly one of command" in message
    config = load_config(write(tmp_path, MINIMAL), environ=ENV)
    with pytest.raises(UsageError, match=r"no \[sync\] table"):
        config.require_sync()


def test_apptoken_auth_needs_the_handoff(tmp_path: Path) -> None:
    message = error_for(tmp_path, MINIMAL + 'auth = "apptoken"\n')
    assert "needs an [apptoken] table" in message


def test_sb_version_or_spec(tmp_path: Path) -> None:
    message = error_for(tmp_path, MINIMAL.replace('sb_version = "6.0.0"\n', ""))
    assert "sb_version" in message and "spec" in message
    spec_text = MINIMAL.replace('sb_version = "6.0.0"', 'spec = "specs/6.0.0.json"')
    config = load_config(write(tmp_path, spec_text), environ=ENV)
    assert config.app.spec == str(tmp_path / "specs" / "6.0.0.json")


def test_relative_onboarding_url_is_refused_for_the_app(tmp_path: Path) -> None:
    message = error_for(tmp_path, MINIMAL.replace('"https://127.0.0.1:{app_port}/Appcenter/AFASSB/"',
                                                  '"/Appcenter/AFASSB/"'))
    assert "onboarding_url in [app] must be an absolute http(s) URL" in message


def test_bad_ready_port(tmp_path: Path) -> None:
    text = MINIMAL + '\n[app.start]\ncommand = "x"\nready_port = "http"\n'
    message = error_for(tmp_path, text.replace("\n[app.start]", "\n[app.start]"))
    assert "ready_port in [app.start] must be a port number" in message


def test_demo_config_loads_and_fills(tmp_path: Path) -> None:
    text, environ = demo_config(tmp_path)
    assert environ["DEMO_PARTNER_CLIENT_SECRET"] not in text  # secrets only via ${VAR}
    path = tmp_path / "readiness.toml"
    path.write_text(text, encoding="utf-8")
    config = load_config(path, environ=environ).with_placeholders(
        {**VALUES, "workdir": str(tmp_path), "python": sys.executable}
    )
    assert config.app.client_id == "demo-partner"
    assert config.app.client_secret == environ["DEMO_PARTNER_CLIENT_SECRET"]
    assert config.app.ca_file == tmp_path / "tls" / "ca.pem"
    assert config.start is not None and "--trust-host 127.0.0.1:9000" in config.start.command
    assert config.start.env["DEMO_PARTNER_PASSWORD"] == environ["DEMO_PARTNER_PASSWORD"]
    assert config.login_steps[0].fields["password"] == environ["DEMO_PARTNER_PASSWORD"]
    assert config.listing.logo is not None and config.listing.logo.name == "logo.png"
    assert set(config.secrets()) >= {
        environ["DEMO_PARTNER_CLIENT_SECRET"], environ["DEMO_PARTNER_PASSWORD"]
    }
    assert "DEMO_PARTNER_FLAWS" not in environ


def test_demo_config_variants(tmp_path: Path) -> None:
    first, env_a = demo_config(tmp_path)
    _, env_b = demo_config(tmp_path)
    assert env_a["DEMO_PARTNER_CLIENT_SECRET"] != env_b["DEMO_PARTNER_CLIENT_SECRET"]
    text, environ = demo_config(tmp_path, flaws=["plain_pkce", "no_state"], auth="apptoken")
    assert environ["DEMO_PARTNER_FLAWS"] == "plain_pkce,no_state"
    assert "DEMO_PARTNER_FLAWS" in text and "[apptoken]" in text and "client_secret" not in text
    path = tmp_path / "readiness.toml"
    path.write_text(text, encoding="utf-8")
    config = load_config(path, environ=environ)
    assert config.app.auth == "apptoken" and config.apptoken is not None
    with pytest.raises(UsageError, match="unknown demo flaw"):
        demo_config(tmp_path, flaws=["no_such_flaw"])


def test_demo_config_admin_level(tmp_path: Path) -> None:
    text, environ = demo_config(tmp_path, level="admin")
    path = tmp_path / "readiness.toml"
    path.write_text(text, encoding="utf-8")
    config = load_config(path, environ=environ)
    assert config.app.level == "admin"
    assert config.start is not None and config.start.env["DEMO_PARTNER_LEVEL"] == "admin"
    assert "DEMO_PARTNER_LEVEL" not in demo_config(tmp_path)[0]  # customer level unchanged
    # an Admin Center app-token app: the hand-off command gets the Admin Center's URL
    apptoken_text, _ = demo_config(tmp_path, level="admin", auth="apptoken")
    assert 'auth = "apptoken"' in apptoken_text and 'level = "admin"' in apptoken_text
    with pytest.raises(UsageError, match="level"):
        demo_config(tmp_path, level="accountant")


def test_sandbox_section_sets_port_and_dialect(tmp_path: Path) -> None:
    text = MINIMAL + '\n[sandbox]\nport = 8600\ndialect = "schema"\n'
    config = load_config(write(tmp_path, text), environ=ENV)
    assert (config.sandbox.port, config.sandbox.dialect) == (8600, "schema")
    assert load_config(write(tmp_path, MINIMAL), environ=ENV).sandbox.port == 0
    assert "port in [sandbox] must be a TCP port" in error_for(
        tmp_path, MINIMAL + "\n[sandbox]\nport = 70000\n")
    assert "dialect in [sandbox] must be" in error_for(
        tmp_path, MINIMAL + '\n[sandbox]\ndialect = "strict"\n')
