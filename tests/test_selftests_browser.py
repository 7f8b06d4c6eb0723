"""The browser walker against the demo app: the JavaScript-only onboarding passes every
onboarding check in Chromium and is not walkable without it; the original demo passes the
whole onboarding area in Chromium too (without a browser: tests/test_selftests_onboarding.py).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sbready.errors import UsageError
from sbready.report.html import ENVIRONMENT_FILE
from sbready.report.verdict import read_results
from sbready.runner import execute, write_demo_config
from tests.selftest import VariantRun

# every onboarding check an OAuth customer app gets (ONB-11 is for app tokens and admins)
ONBOARDING_IDS = ("ONB-01", "ONB-02", "ONB-03", "ONB-04", "ONB-05", "ONB-06", "ONB-07",
                  "ONB-08", "ONB-09", "ONB-10", "ONB-12", "ONB-13", "ONB-14")


def _require_chromium() -> None:
    from sbready.driver.browser import find_chromium

    try:
        find_chromium()
    except UsageError as error:
        if os.environ.get("CI"):  # CI installs Chromium: a missing one is a failure there
            pytest.fail(str(error))
        pytest.skip(str(error))


def run_demo(folder: Path, *, only: tuple[str, ...], onboarding: str = "html",
             browser: str | None = None, flaws: tuple[str, ...] = ()) -> VariantRun:
    """The demo app with `onboarding` pages, walked in `browser` (None: without JavaScript)."""
    workdir = folder / "work"
    workdir.mkdir(parents=True, exist_ok=True)
    config_path, environ = write_demo_config(workdir, flaws=flaws, onboarding=onboarding,
                                             browser=browser)
    outcome = execute(config_path, folder / "reports", only=only, environ=environ,
                      workdir=workdir, html=False)
    results = read_results(outcome.results_dir)
    return VariantRun({r.check_id: r.status for r in results},
                      {r.check_id: r.message or "" for r in results}, outcome, environ)


@pytest.fixture(scope="module")
def js_in_browser(tmp_path_factory: pytest.TempPathFactory, spec_dir: Path) -> VariantRun:
    _require_chromium()
    return run_demo(tmp_path_factory.mktemp("js-browser"), only=ONBOARDING_IDS,
                    onboarding="js", browser="chromium")


@pytest.fixture(scope="module")
def html_in_browser(tmp_path_factory: pytest.TempPathFactory, spec_dir: Path) -> VariantRun:
    _require_chromium()
    return run_demo(tmp_path_factory.mktemp("html-browser"), only=ONBOARDING_IDS,
                    browser="chromium")


@pytest.mark.parametrize("check_id", ONBOARDING_IDS)
def test_js_onboarding_passes_in_the_browser(js_in_browser: VariantRun, check_id: str) -> None:
    assert js_in_browser.statuses.get(check_id) == "passed", js_in_browser.messages.get(check_id)


def test_js_onboarding_is_ready_in_the_browser(js_in_browser: VariantRun) -> None:
    assert js_in_browser.outcome.exit_code == 0
    assert js_in_browser.outcome.headline == "READY"
    # the report says which walker and which Chromium walked the onboarding
    environment = (js_in_browser.outcome.results_dir / ENVIRONMENT_FILE).read_text("utf-8")
    assert "Onboarding walker=headless Chromium through Playwright: " in environment


def test_js_onboarding_pages_are_photographed(js_in_browser: VariantRun) -> None:
    pictures = list(js_in_browser.outcome.results_dir.glob("*-attachment.png"))
    assert len(pictures) >= 3  # landing, consent page, confirmation at least
    assert all(picture.read_bytes().startswith(b"\x89PNG") for picture in pictures)


@pytest.mark.parametrize("check_id", ONBOARDING_IDS)
def test_original_demo_passes_in_the_browser(html_in_browser: VariantRun, check_id: str) -> None:
    assert html_in_browser.statuses.get(check_id) == "passed", (
        html_in_browser.messages.get(check_id))


def test_js_onboarding_without_browser_names_the_setting(tmp_path: Path, spec_dir: Path) -> None:
    run = run_demo(tmp_path, only=("ONB-02",), onboarding="js")
    assert run.statuses["ONB-02"] == "failed"
    message = run.messages["ONB-02"]
    assert "never reached" in message
    assert "its login form is built by JavaScript" in message
    assert 'set browser = "chromium" in [onboarding]' in message
    assert run.outcome.exit_code == 1


# (check, flaw, text its failure must contain): the walk variants the checks need, in Chromium
BROWSER_FLAWS = [
    ("ONB-04", "traceback_on_bad_base_url", "shows a stack trace"),
    ("ONB-05", "any_host", "sent the browser to http://127.0.0."),
    ("ONB-08", "no_state_check", "wrong state: the app still exchanged the code"),
    ("ONB-09", "crash_on_denied", "callback?error=access_denied"),
    ("ONB-14", "callback_tracker", "/Appcenter/AFASSB/callback loads "
     "https://stats.tracker.example/pixel.gif from another host"),
]


def test_flawed_walk_variants_fail_in_the_browser(tmp_path: Path, spec_dir: Path) -> None:
    # one run: each flaw breaks only its own check (malformed and foreign afasBaseUrl,
    # tampered state, denied consent, a third-party load the browser blocked on the callback)
    _require_chromium()
    run = run_demo(tmp_path, only=tuple(check for check, _, _ in BROWSER_FLAWS),
                   onboarding="js", browser="chromium",
                   flaws=tuple(flaw for _, flaw, _ in BROWSER_FLAWS))
    for check_id, flaw, expected in BROWSER_FLAWS:
        assert run.statuses.get(check_id) == "failed", (flaw, run.messages.get(check_id))
        assert expected in run.messages[check_id], (flaw, run.messages[check_id])
    # ONB-14's page-protection part fails at normal severity: it alone never blocks READY
    severity = {r.check_id: r.severity for r in read_results(run.outcome.results_dir)}
    assert severity["ONB-14"] == "normal"
    assert severity["ONB-08"] in ("blocker", "critical")


def test_app_token_form_is_handed_over_in_the_browser(tmp_path: Path, spec_dir: Path) -> None:
    # [apptoken] form: log in on the script-built page, then fill the token form in Chromium
    _require_chromium()
    workdir = tmp_path / "work"
    workdir.mkdir()
    config_path, environ = write_demo_config(workdir, auth="apptoken", onboarding="js",
                                             browser="chromium")
    text = config_path.read_text("utf-8")
    command = next(line for line in text.splitlines() if line.startswith("command = ")
                   and " connect " in line)
    config_path.write_text(text.replace(command, (
        'form = { url = "https://127.0.0.1:{app_port}/Appcenter/AFASSB/apptoken", fields = '
        '{ token = "{app_token}", base_url = "{afas_base_url}" } }')), "utf-8")
    outcome = execute(config_path, tmp_path / "reports", only=("ONB-02", "ONB-10"),
                      environ=environ, workdir=workdir, html=False)
    results = {r.check_id: r for r in read_results(outcome.results_dir)}
    assert results["ONB-02"].status == "passed", results["ONB-02"].message
    assert results["ONB-10"].status == "passed", results["ONB-10"].message

