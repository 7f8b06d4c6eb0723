"""Admin Center (accountant) level apps, end to end: the demo app as `level = "admin"`.

The harness hands the app `<sandbox>/admin`; the good demo app consents at the Admin Center,
reads getscopes and gets a token per environment, so ONB-11 passes, and so do checks that
apply to any OAuth app: ONB-02, INT-01, ERR-01, INT-08 (writes counted across the
office's environments: 3 in demo and 3 in acme) and ONB-12 (consent withdrawn in the Admin
Center and the customer).
The shared_admin_token flaw uses the Admin Center token in every environment and must fail
ONB-11, naming the reuse. The same app as an Admin Center app-token app exchanges its token at
`<sandbox>/admin`, skips getscopes' own Admin Center item, and exchanges it again per
environment; there ERR-02 deactivates the token in the Admin Center.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from examples.demo_partner.store import Store
from tests.selftest import VariantRun, run_variant

ADMIN_IDS = ("ONB-02", "ONB-11", "INT-01", "INT-08", "ERR-01", "ERR-02", "ONB-12")


@pytest.fixture(scope="session")
def admin_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the good admin run keeps its work files (the demo app's database)."""
    return tmp_path_factory.mktemp("good-admin")


@pytest.fixture(scope="session")
def good_admin(admin_folder: Path) -> VariantRun:
    """The good demo app as an admin-level OAuth app."""
    return run_variant(admin_folder, only=ADMIN_IDS, level="admin")


@pytest.mark.parametrize("check_id", ADMIN_IDS)
def test_good_admin_app_passes(good_admin: VariantRun, check_id: str) -> None:
    assert good_admin.statuses.get(check_id) == "passed", good_admin.messages.get(check_id)


def test_good_admin_app_stores_a_connection_per_environment(
    good_admin: VariantRun, admin_folder: Path
) -> None:
    assert good_admin.statuses.get("ONB-11") == "passed"
    store = Store(admin_folder / "work" / "demo.sqlite")
    try:
        connections = store.connections()
    finally:
        store.close()
    # the sandbox's getscopes lists demo and acme; the Admin Center itself is no connection
    assert sorted(c.environment for c in connections) == ["acme", "demo"]
    assert len({c.access_token for c in connections}) == 2  # a token each, not one shared


# ---- Admin Center app tokens: exchanged at /admin, then once per environment ----------------

ADMIN_APPTOKEN_IDS = ("ONB-02", "ONB-11", "INT-01", "INT-08", "ERR-01", "ERR-02")


@pytest.fixture(scope="session")
def apptoken_admin_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the good Admin Center app-token run keeps its work files."""
    return tmp_path_factory.mktemp("good-admin-apptoken")


@pytest.fixture(scope="session")
def good_apptoken_admin(apptoken_admin_folder: Path) -> VariantRun:
    """The good demo app as an Admin Center app-token app."""
    return run_variant(apptoken_admin_folder, only=ADMIN_APPTOKEN_IDS, level="admin",
                       auth="apptoken")


@pytest.mark.parametrize("check_id", ADMIN_APPTOKEN_IDS)
def test_good_apptoken_admin_app_passes(good_apptoken_admin: VariantRun, check_id: str) -> None:
    assert good_apptoken_admin.statuses.get(check_id) == "passed", (
        good_apptoken_admin.messages.get(check_id))


def test_good_apptoken_admin_app_has_an_apptoken_connection_per_environment(
    good_apptoken_admin: VariantRun, apptoken_admin_folder: Path
) -> None:
    assert good_apptoken_admin.statuses.get("ONB-11") == "passed"
    store = Store(apptoken_admin_folder / "work" / "demo.sqlite")
    try:
        connections = store.connections()
    finally:
        store.close()
    # getscopes lists the Admin Center itself too; the app keeps only the customer ones
    assert sorted(c.environment for c in connections) == ["acme", "demo"]
    assert {c.kind for c in connections} == {"apptoken"}
    assert len({c.access_token for c in connections}) == 2


# The flaws ONB-11 must catch on Admin Center apps: rows of tests/selftest_table.py.
