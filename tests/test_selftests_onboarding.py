"""The remaining onboarding checks on the good demo: ONB-01, 03, 04, 05, 09..14.

One good OAuth run and one good app-token run cover every ID; the flawed variants each check
must catch are rows of tests/selftest_table.py.
"""

from __future__ import annotations

import pytest

from tests.selftest import VariantRun, run_variant

OAUTH_IDS = ("ONB-01", "ONB-03", "ONB-04", "ONB-05", "ONB-09", "ONB-10", "ONB-12", "ONB-13",
             "ONB-14")
APPTOKEN_IDS = ("ONB-01", "ONB-03", "ONB-04", "ONB-05", "ONB-10", "ONB-11", "ONB-14")


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


# The flawed variants (and config edits) each check must catch: tests/selftest_table.py.
