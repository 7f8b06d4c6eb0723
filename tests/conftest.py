"""Fixtures for the harness's own tests."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

SB_VERSIONS = (
    "2.1.0", "2.2.0", "3.1.0", "3.2.0", "4.0.0", "5.0.0", "5.1.0", "5.2.0", "5.3.0", "6.0.0",
)


# the harness's own tests run the journal strict: a fact key no evidence class declares fails
os.environ.setdefault("SBREADY_STRICT_FACTS", "1")

_SHARED_SPECS = Path(__file__).resolve().parents[2] / "shared" / "sb-openapi"
if "SB_SPEC_DIR" not in os.environ and (_SHARED_SPECS / "6.0.0.json").is_file():
    # the suites run in subprocesses: without this a plain `pytest` would try to download
    os.environ["SB_SPEC_DIR"] = str(_SHARED_SPECS)


@pytest.fixture(scope="session")
def spec_dir() -> Path:
    """AFAS's spec files, found through SB_SPEC_DIR (never committed to this repository)."""
    configured = os.environ.get("SB_SPEC_DIR")
    path = Path(configured) if configured else _SHARED_SPECS
    if not (path / "6.0.0.json").is_file():
        pytest.fail(f"AFAS's spec files are not in {path}; set SB_SPEC_DIR=../shared/sb-openapi.")
    return path


@pytest.fixture(scope="session")
def good_demo(tmp_path_factory: pytest.TempPathFactory, spec_dir: Path) -> Any:
    """The good demo partner app (OAuth, customer level) through every check, with the HTML."""
    from tests.selftest import run_variant

    return run_variant(tmp_path_factory.mktemp("good-demo"), html=True)


# Under xdist (`-n N --dist loadscope`), tests that share one harness run go to one worker:
# pytest 9 no longer lets xdist's `loadgroup` rename node ids, so the grouping is a scheduler.
GOOD_DEMO_FILES = frozenset({  # tests of the session-wide good demo run (fixture good_demo)
    "tests/test_selftests.py", "tests/test_selftests_dialects.py",
    "tests/test_selftests_error_handling.py", "tests/test_selftests_integration.py",
    "tests/test_selftests_onboarding.py",
})
TABLE_FILE = "tests/test_selftest_table.py"
SHARED_RUN_MARK = "~"  # a table row's id "<run key>~<row id>": rows sharing one run


def shared_run_scope(nodeid: str) -> str:
    """The xdist scope of a test: its shared harness run, else its file (module fixtures)."""
    path, _, rest = nodeid.partition("::")
    if path in GOOD_DEMO_FILES:
        return "good_demo"
    if path == TABLE_FILE:
        param = rest.partition("[")[2].rstrip("]")
        return param.partition(SHARED_RUN_MARK)[0] if SHARED_RUN_MARK in param else nodeid
    return path


def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    """loadscope, with the scope of `shared_run_scope`."""
    from xdist.scheduler import LoadScopeScheduling

    class SharedRunScheduling(LoadScopeScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            return shared_run_scope(nodeid)

    return SharedRunScheduling(config, log)  # type: ignore[arg-type]
