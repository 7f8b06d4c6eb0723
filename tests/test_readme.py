"""The README stays true: its checks table matches the suites, its commands exist."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _checks_table() -> str:
    spec = importlib.util.spec_from_file_location("checks_table", ROOT / "scripts/checks_table.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return str(module.table())


def test_readme_checks_table_matches_the_suites() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    assert _checks_table() in readme, (
        "README's checks table is stale; regenerate it with .venv/bin/python "
        "scripts/checks_table.py")


def test_readme_commands_are_the_ones_ci_runs() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    assert "bash scripts/install.sh && .venv/bin/sb-readiness demo" in readme
    assert "bash scripts/test.sh" in readme
    assert "bash scripts/test.sh" in (ROOT / ".ci/run").read_text("utf-8")
