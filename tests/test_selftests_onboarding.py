"""The remaining onboarding checks, proven: the good demo passes each, a flawed variant fails it.

ONB-01, 03, 04, 05, 09, 10, 11, 12, 13. One good OAuth run and one good app-token run
cover every ID; each flawed run switches on one flaw (or edits one config value) and runs
only the check it must break.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.selftest import VariantRun, run_variant

OAUTH_IDS = ("ONB-01", "ONB-03", "ONB-04", "ONB-05", "ONB-09", "ONB-10", "ONB-12", "ONB-13",
             "ONB-14")
APPTOKEN_IDS = ("ONB-01", "ONB-03", "ONB-04", "ONB-05", "ONB-10", "ONB-11", "ONB-14")


def _replace(old: str, new: str) -> Callable[[str], str]:
    """A config edit replacing one exact piece of the demo readiness.toml."""

    def edit(text: str) -> str:
        assert text.count(old) == 1, f"the demo config does not contain {old!r} exactly once"
        return text.replace(old, new)

    return edit


def _short_onboarding_timeout(text: str) -> str:
    """The partner's own [thresholds]: a 0.5 s limit the slow_landing flaw (2 s) exceeds."""
    assert "onboarding_timeout" not in text
    if "\n[thresholds]\n" in text:
        return text.replace("\n[thresholds]\n", "\n[thresholds]\nonboarding_timeout = 0.5\n", 1)
    return text + "\n[thresholds]\nonboarding_timeout = 0.5\n"


@pytest.fixture(scope="session")
def good_apptoken(tmp_path_factory: pytest.TempPathFactory) -> VariantRun:
    """The good demo app as an app-token app (token handed over by its `connect` command)."""
    return run_variant(tmp_path_factory.mktemp("good-apptoken"), only=APPTOKEN_IDS,
                       auth="apptoken")


@pytest.mark.parametrize("check_id", OAUTH_IDS)
def test_good_oauth_demo_passes(good_demo: VariantRun, check_id: str) -> None:
    assert good_demo.statuses.get(check_id) == "passed", good_demo.messages.get(check_id)


def test_good_oauth_demo_skips_app_token_check(good_demo: VariantRun) -> None:
    assert good_demo.statuses.get("ONB-11") == "skipped"
    assert "OAuth customer app" in good_demo.messages["ONB-11"]


@pytest.mark.parametrize("check_id", APPTOKEN_IDS)
def test_good_apptoken_demo_passes(good_apptoken: VariantRun, check_id: str) -> None:
    assert good_apptoken.statuses.get(check_id) == "passed", good_apptoken.messages.get(check_id)


# (check, flaw switched on, auth, text the failure message must contain)
FLAWED_APPS = [
    ("ONB-03", "prospect_error", "oauth", "-> 404"),
    ("ONB-04", "traceback_on_bad_base_url", "oauth", "shows a stack trace"),
    ("ONB-05", "any_host", "oauth", "sent the browser to http://127.0.0."),
    ("ONB-09", "crash_on_denied", "oauth", "callback?error=access_denied"),
    ("ONB-10", "secret_in_url", "oauth", "a secret in the request URL"),
    ("ONB-11", "apptoken_form_body", "apptoken", "application/x-www-form-urlencoded"),
    ("ONB-12", "reuse_dead_refresh", "oauth", "the sync after the new consent failed"),
    ("ONB-13", "wrong_redirect_uri", "oauth", "callback/extra"),
    # ONB-14, one flaw per item; each finding names the page and the header or cookie
    ("ONB-14", "no_hsts", "oauth",
     "the onboarding page https://127.0.0.1:{port}/Appcenter/AFASSB/ sends no "
     "Strict-Transport-Security header"),
    ("ONB-14", "insecure_cookie", "oauth",
     "cookie demo_partner_session (set by POST https://127.0.0.1:{port}/login) has no Secure "
     "flag"),
    ("ONB-14", "callback_tracker", "oauth",
     "the callback https://127.0.0.1:{port}/Appcenter/AFASSB/callback loads "
     "https://stats.tracker.example/pixel.gif from another host"),
    ("ONB-14", "no_referrer_policy", "oauth",
     "the callback https://127.0.0.1:{port}/Appcenter/AFASSB/callback sends no "
     "Referrer-Policy header"),
    ("ONB-14", "frameable_login", "oauth",
     "the onboarding page https://127.0.0.1:{port}/Appcenter/AFASSB/ can be framed by any "
     "site"),
]


@pytest.mark.parametrize(("check_id", "flaw", "auth", "expected"), FLAWED_APPS,
                         ids=[f"{c}-{f}" for c, f, _, _ in FLAWED_APPS])
def test_flawed_app_fails(tmp_path: Path, check_id: str, flaw: str, auth: str,
                          expected: str) -> None:
    run = run_variant(tmp_path, flaws=[flaw], only=[check_id], auth=auth)
    assert run.statuses.get(check_id) == "failed", (
        f"{check_id} did not fail for flaw {flaw}: {run.statuses} {run.messages}")
    if "{port}" in expected:  # the app's port is picked per run
        port = re.search(r"https://127\.0\.0\.1:(\d+)/", run.messages[check_id])
        expected = expected.format(port=port.group(1) if port else "?")
    assert expected in run.messages[check_id]


# (check, what, flaws, config edit, text the failure message must contain)
FLAWED_CONFIGS = [
    ("ONB-01", "slow landing page", ["slow_landing"], _short_onboarding_timeout,
     "no answer within 0.5 s"),
    ("ONB-01", "http onboarding URL in production", [],
     _replace('onboarding_url = "https://', 'onboarding_url = "http://'), "is not https"),
    ("ONB-13", "http redirect_uri in production", [],
     _replace('redirect_uri = "https://', 'redirect_uri = "http://'), "is not https"),
]


@pytest.mark.parametrize(("check_id", "what", "flaws", "edit", "expected"), FLAWED_CONFIGS,
                         ids=[f"{c}-{w}" for c, w, *_ in FLAWED_CONFIGS])
def test_flawed_config_fails(tmp_path: Path, check_id: str, what: str, flaws: list[str],
                             edit: Callable[[str], str], expected: str) -> None:
    run = run_variant(tmp_path, flaws=flaws, only=[check_id], edit_config=edit)
    assert run.statuses.get(check_id) == "failed", f"{check_id} passed with {what}"
    assert expected in run.messages[check_id]
