"""Live mode without AFAS: `run --target live` of the demo app with the sandbox behind the
recording proxy as the upstream, the [live] table, the central "not run live" skips, and a
bounded wait for a human consent that never comes."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from checks.catalog import CHECKS
from sbready.config import load_config
from sbready.errors import UsageError
from sbready.harness import free_port
from sbready.live import LiveConfig, load_live_config, not_run_live, start_live_harness
from sbready.report.html import ENVIRONMENT_FILE
from sbready.report.verdict import read_results
from sbready.runner import execute, write_demo_config
from sbready.sandbox.app import RegisteredClient, Sandbox
from sbready.sandbox.server import ServedApp, serve
from sbready.spec.resolve import load_index


def _upstream_for(config_path: Path, environ: dict[str, str]) -> tuple[Sandbox, ServedApp]:
    """The sandbox as the upstream SB, with the demo app registered as AFAS's App Center
    would have registered it for the partner's development environment."""
    config = load_config(config_path, environ=environ)
    app = config.app
    sandbox = Sandbox(load_index(spec=app.spec, sb_version=app.sb_version))
    if app.auth == "apptoken":
        return sandbox, serve(sandbox.app)
    assert app.client_id and app.client_secret and app.redirect_uri
    sandbox.register_client(RegisteredClient(
        client_id=app.client_id, client_secret=app.client_secret,
        redirect_uris=(app.redirect_uri,), bundles=tuple(app.bundles), name=app.name))
    return sandbox, serve(sandbox.app)


def _live_demo(folder: Path, auth: str = "oauth", flaws: tuple[str, ...] = (),
               **live: Any) -> tuple[Path, dict[str, str]]:
    """The demo app's readiness.toml with a fixed app port (its redirect URI is registered
    upstream before the run) and a [live] table."""
    workdir = folder / "work"
    workdir.mkdir(parents=True)
    config_path, environ = write_demo_config(workdir, auth=auth, flaws=flaws)
    text = config_path.read_text("utf-8").replace("{app_port}", str(free_port()))
    lines = ["", "[live]"] + [f"{key} = {json.dumps(value)}" for key, value in live.items()]
    config_path.write_text(text + "\n".join(lines) + "\n", "utf-8")
    return config_path, environ


@pytest.fixture(scope="module")
def live_run(tmp_path_factory: pytest.TempPathFactory, spec_dir: Path) -> Iterator[Any]:
    """One read-only `run --target live` of the demo app, consent scripted (loopback only)."""
    folder = tmp_path_factory.mktemp("live-run")
    config_path, environ = _live_demo(folder, upstream="", environment="demo")
    sandbox, upstream = _upstream_for(config_path, environ)
    with upstream:
        text = config_path.read_text("utf-8").replace('upstream = ""',
                                                       f'upstream = "{upstream.base_url}"')
        config_path.write_text(text + 'consent = "scripted"\nconsent_timeout = 30\n', "utf-8")
        outcome = execute(config_path, folder / "reports", environ=environ,
                          workdir=folder / "work", target="live")
        yield outcome, sandbox, environ, folder / "reports"


def _checks(reports: Path) -> dict[str, dict[str, Any]]:
    verdict = json.loads((reports / "verdict.json").read_text("utf-8"))
    return {check["id"]: check for check in verdict["checks"]}


def test_live_run_covers_a_live_subset_and_says_so(live_run: Any) -> None:
    outcome, _, _, reports = live_run
    verdict = json.loads((reports / "verdict.json").read_text("utf-8"))
    assert verdict["target"] == "live"
    line = next(line for line in outcome.lines if line.startswith("Live subset:"))
    assert "against http://127.0.0.1:" in line and "(read-only)" in line
    checks = _checks(reports)
    not_live = {cid for cid, c in checks.items() if "not run live" in (c["message"] or "")}
    expected = {cid for cid, info in CHECKS.items() if info.live.mode != "yes"}
    assert not_live == expected
    assert f"not run live: {len(not_live)} (" in line
    assert "only with writes" in checks["ERR-01"]["message"]
    assert "(allow_writes = true in [live])" in checks["ERR-01"]["message"]
    assert "only the sandbox can list" in checks["INT-08"]["message"]
    environment = (reports / "allure-results" / ENVIRONMENT_FILE).read_text("utf-8")
    assert "Target=live: http://127.0.0.1:" in environment
    assert "Writes=refused by the proxy (read-only)" in environment


def test_live_run_judges_the_real_exchanges(live_run: Any) -> None:
    _, _, _, reports = live_run
    checks = _checks(reports)
    # the consent (scripted here, a person at AFAS) and the traffic-judged checks ran
    for check_id in ("ONB-06", "ONB-07", "ONB-13", "INT-01", "INT-02", "INT-05", "LST-01"):
        assert checks[check_id]["status"] == "passed", (check_id, checks[check_id])
    assert checks["INT-09"]["status"] in ("passed", "failed")  # ran: judged, not skipped


def test_live_run_never_sends_a_write_without_allow_writes(live_run: Any) -> None:
    _, sandbox, _, _ = live_run
    upstream_writes = [e for e in sandbox.journal.exchanges()
                       if e.kind == "api" and e.method != "GET"]
    assert upstream_writes == []
    assert sandbox.store.written("demo", "/api/salesjournalentry") == []
    assert any(e.kind == "api" and e.method == "GET" for e in sandbox.journal.exchanges())


def test_live_run_keeps_secrets_out_of_the_report(live_run: Any) -> None:
    _, sandbox, environ, reports = live_run
    secret = environ["DEMO_PARTNER_CLIENT_SECRET"]
    assert any(e.kind == "token" for e in sandbox.journal.exchanges())  # it was sent upstream
    for path in reports.rglob("*"):
        if path.is_file():
            assert secret not in path.read_text("utf-8", "replace"), path


def test_with_allow_writes_the_writes_checks_run_and_each_write_lands_once(
    tmp_path: Path, spec_dir: Path
) -> None:
    config_path, environ = _live_demo(tmp_path, upstream="", environment="demo")
    sandbox, upstream = _upstream_for(config_path, environ)
    with upstream:
        text = config_path.read_text("utf-8").replace('upstream = ""',
                                                       f'upstream = "{upstream.base_url}"')
        config_path.write_text(text + 'consent = "scripted"\nallow_writes = true\n', "utf-8")
        outcome = execute(config_path, tmp_path / "reports", environ=environ,
                          workdir=tmp_path / "work", target="live", html=False,
                          only=["ERR-01", "ERR-06", "INT-03"])
    checks = _checks(tmp_path / "reports")
    assert {cid: c["status"] for cid, c in checks.items()} == {
        "ERR-01": "passed", "ERR-06": "passed", "INT-03": "passed"}
    assert any("(writes allowed)" in line for line in outcome.lines)
    # the first sync's invoices reached SB once each, through the proxy
    written = sandbox.store.written("demo", "/api/salesjournalentry")
    posted = [e for e in sandbox.journal.exchanges()
              if e.kind == "api" and e.method == "POST" and e.status == 200]
    assert written and len(written) == len(posted)


def test_a_human_consent_that_never_comes_ends_the_wait_in_time(
    tmp_path: Path, spec_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config_path, environ = _live_demo(tmp_path, upstream="", environment="demo")
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    sandbox, upstream = _upstream_for(config_path, environ)
    told: list[str] = []
    with upstream:
        live = LiveConfig(upstream=upstream.base_url, environment="demo", consent_timeout=1.0)
        config = load_config(config_path, environ=environ)
        harness = start_live_harness(config, tmp_path / "work", live, announce=told.append)
        try:
            started = time.monotonic()
            walk = harness.connected()
            waited = time.monotonic() - started
        finally:
            harness.stop()
    assert 1.0 <= waited < 5.0
    assert walk.result.error and "no consent arrived within 1 s" in walk.result.error
    assert "connected = true" in walk.result.error
    assert walk.result.authorize_url and "/demo/app/auth?" in walk.result.authorize_url
    # the person starts where AFAS starts the customer: the onboarding URL with afasBaseUrl
    assert len(told) == 1 and "/Appcenter/AFASSB/?afasBaseUrl=http" in told[0]
    assert "/demo/app/auth," in told[0] and "never asks for your credentials" in told[0]
    # the walker stopped at /app/auth: neither the proxy nor the upstream saw an authorize
    assert [e for e in sandbox.journal.exchanges() if e.kind == "authorize"] == []
    assert [e for e in walk.exchanges if e.kind == "authorize"] == []


def _write(tmp_path: Path, live: str) -> Path:
    path = tmp_path / "readiness.toml"
    path.write_text(f"[live]\n{live}\n", "utf-8")
    return path


@pytest.mark.parametrize(("table", "phrase"), [
    ('upstream = "https://1.afasfocus.nl"\nenvironmnet = "x"', "did you mean 'environment'?"),
    ('upstream = "https://1.afasfocus.nl"', 'needs environment = "..."'),
    ('upstream = "http://1.afasfocus.nl"\nenvironment = "x"', "plain http"),
    ('upstream = "https://1.afasfocus.nl"\nenvironment = "x"\nconsent = "scripted"',
     "only for a loopback upstream"),
    ('upstream = "https://1.afasfocus.nl"\nenvironment = "x"\napp_token = "abc"',
     'must be written as "${VAR}"'),
    ('upstream = "https://1.afasfocus.nl"\nenvironment = "x"\nallow_writes = "yes"',
     "must be true or false"),
])
def test_live_table_mistakes_are_one_sentence_with_the_fix(tmp_path: Path, table: str,
                                                           phrase: str) -> None:
    with pytest.raises(UsageError, match=re.escape(phrase)):
        load_live_config(_write(tmp_path, table), environ={})


def test_a_config_without_live_is_refused_for_target_live(tmp_path: Path) -> None:
    path = tmp_path / "readiness.toml"
    path.write_text("[app]\nname = 'x'\n", "utf-8")
    with pytest.raises(UsageError, match=r"needs a \[live\] table"):
        load_live_config(path, environ={})


def test_not_run_live_reasons_follow_the_catalog() -> None:
    read_only = LiveConfig(upstream="https://1.afasfocus.nl", environment="x")
    writes = LiveConfig(upstream="https://1.afasfocus.nl", environment="x", allow_writes=True)
    connected = LiveConfig(upstream="https://1.afasfocus.nl", environment="x", connected=True)
    assert not_run_live(CHECKS["INT-01"], read_only) is None
    assert "only with writes" in str(not_run_live(CHECKS["ERR-06"], read_only))
    assert not_run_live(CHECKS["ERR-06"], writes) is None
    assert "withdraws consent" in str(not_run_live(CHECKS["ERR-02"], writes))
    assert not_run_live(CHECKS["ONB-07"], read_only) is None
    assert "connected = true" in str(not_run_live(CHECKS["ONB-07"], connected))
    assert {c.live.mode for c in CHECKS.values()} == {"yes", "writes", "sandbox"}
    assert all(c.live.reason for c in CHECKS.values() if c.live.mode != "yes")


def test_the_consent_prompt_reaches_the_terminal_through_the_runner(
    tmp_path: Path, spec_dir: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    config_path, environ = _live_demo(tmp_path, upstream="", environment="demo")
    sandbox, upstream = _upstream_for(config_path, environ)
    with upstream:
        text = config_path.read_text("utf-8").replace('upstream = ""',
                                                       f'upstream = "{upstream.base_url}"')
        config_path.write_text(text + "consent_timeout = 1\n", "utf-8")
        outcome = execute(config_path, tmp_path / "reports", environ=environ,
                          workdir=tmp_path / "work", target="live", html=False,
                          only=["ONB-07"])
    terminal = capfd.readouterr().err  # the pytest subprocess's stderr is the terminal's
    assert "give consent as your customer would, within 1 s" in terminal
    assert "/Appcenter/AFASSB/?afasBaseUrl=" in terminal
    assert environ["DEMO_PARTNER_CLIENT_SECRET"] not in terminal
    (onb07,) = read_results(outcome.results_dir)
    # no authorize, no token request to judge: the gate names the consent that never came
    assert onb07.check_id == "ONB-07" and onb07.status == "skipped"
    assert "No consent arrived within 1 s" in str(onb07.message)


def _pointed_at(config_path: Path, upstream: ServedApp, extra: str) -> None:
    text = config_path.read_text("utf-8").replace('upstream = ""',
                                                   f'upstream = "{upstream.base_url}"')
    config_path.write_text(text + extra, "utf-8")


def test_connected_starts_from_the_apps_connection_and_skips_the_consent_checks(
    tmp_path: Path, spec_dir: Path
) -> None:
    config_path, environ = _live_demo(tmp_path, upstream="", environment="demo")
    sandbox, upstream = _upstream_for(config_path, environ)
    with upstream:
        _pointed_at(config_path, upstream, "connected = true\n")
        execute(config_path, tmp_path / "reports", environ=environ, workdir=tmp_path / "work",
                target="live", html=False, only=["ONB-06", "ONB-07", "ONB-01"])
    checks = _checks(tmp_path / "reports")
    for check_id in ("ONB-06", "ONB-07"):
        assert checks[check_id]["status"] == "skipped"
        assert "connected = true, and this check judges a consent" in checks[check_id]["message"]
    assert checks["ONB-01"]["status"] == "passed"
    # nobody was sent to consent: no authorize request reached the proxy's upstream
    assert [e for e in sandbox.journal.exchanges() if e.kind == "authorize"] == []


def test_an_app_token_app_runs_live_with_the_token_afas_activated(
    tmp_path: Path, spec_dir: Path
) -> None:
    config_path, environ = _live_demo(tmp_path, auth="apptoken", upstream="",
                                      environment="demo")
    sandbox, upstream = _upstream_for(config_path, environ)
    token = sandbox.activate("demo", bundles=["Verkoopjournaalpost"], name="demo-partner")
    environ = {**environ, "LIVE_APP_TOKEN": token}
    with upstream:
        _pointed_at(config_path, upstream, 'app_token = "${LIVE_APP_TOKEN}"\n')
        execute(config_path, tmp_path / "reports", environ=environ, workdir=tmp_path / "work",
                target="live", only=["INT-01", "ERR-03", "ONB-11"])
    checks = _checks(tmp_path / "reports")
    assert checks["INT-01"]["status"] == "passed" and checks["ERR-03"]["status"] == "passed"
    assert "not run live" in checks["ONB-11"]["message"]
    exchanged = [e for e in sandbox.journal.exchanges() if e.kind == "getaccesstoken"]
    assert exchanged and all(e.status == 200 for e in exchanged)
    for path in (tmp_path / "reports").rglob("*"):
        if path.is_file():
            assert token not in path.read_text("utf-8", "replace"), path


@pytest.mark.parametrize(("flaw", "check_id", "finding"), [
    # derived by the proxy from traffic alone: the verifier against the challenge it saw
    ("verifier_mismatch", "ONB-07", "code_verifier does not match the code_challenge"),
    # judged on a write the read-only proxy refused: the request is journaled all the same
    ("wrong_accept_version", "INT-02", "needs Accept-Version: 2"),
])
def test_the_same_checks_catch_flaws_in_live_traffic(
    tmp_path: Path, spec_dir: Path, flaw: str, check_id: str, finding: str
) -> None:
    config_path, environ = _live_demo(tmp_path, flaws=(flaw,), upstream="", environment="demo")
    _, upstream = _upstream_for(config_path, environ)
    with upstream:
        _pointed_at(config_path, upstream, 'consent = "scripted"\n')
        outcome = execute(config_path, tmp_path / "reports", environ=environ,
                          workdir=tmp_path / "work", target="live", html=False, only=[check_id])
    (result,) = read_results(outcome.results_dir)
    assert result.status == "failed", result
    assert finding in str(result.message)
