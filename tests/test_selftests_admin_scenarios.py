"""Admin Center (accountant) apps through the scenarios of issue 11: ONB-03's prospect is an
office without an account in the app, opened from its Admin Center (the sandbox has one Admin
Center, so: the same /admin, no login at the app); the 401 inside the sync and "unreachable"
(every endpoint, getscopes included) hold for a token per environment too."""

from __future__ import annotations

import os
from pathlib import Path

from tests.selftest import run_variant


def test_admin_app_passes_prospect_401_and_unreachable(tmp_path: Path, spec_dir: Path) -> None:
    os.environ.setdefault("SB_SPEC_DIR", str(spec_dir))
    checks = ("ONB-03", "ERR-01", "ERR-10")
    run = run_variant(tmp_path, level="admin", only=checks)
    assert {c: run.statuses.get(c) for c in checks} == dict.fromkeys(checks, "passed"), \
        run.messages


# prospect_error at the Admin Center (ONB-03): a row of tests/selftest_table.py.
