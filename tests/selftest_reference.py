"""The reference apps' part of the self-test table: each app that declares flaws
(examples/<app>/flaws.py), how the table runs it, and the rows that prove checks on it.

Each reference app is written independently of the demo, so a row here proves a check on a
second codebase (tests/selftest_table.py explains the table). Every app keeps its rows in its
own module, tests/selftest_rows_<app>.py, exporting APP (an App) and CATCHES.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from tests.selftest_table import App, Catch

_ROW_MODULES = sorted(path.stem for path in Path(__file__).parent.glob("selftest_rows_*.py"))

APPS: list[App] = []
CATCHES: list[Catch] = []
for _name in _ROW_MODULES:
    _module = importlib.import_module(f"tests.{_name}")
    APPS.append(_module.APP)
    CATCHES.extend(_module.CATCHES)
