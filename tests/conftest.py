"""Fixtures for the harness's own tests."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

SB_VERSIONS = (
    "2.1.0", "2.2.0", "3.1.0", "3.2.0", "4.0.0", "5.0.0", "5.1.0", "5.2.0", "5.3.0", "6.0.0",
)


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


# Fixtures that are cheap to rebuild in every xdist worker: they never decide a test's group.
_CHEAP_SHARED = frozenset({"spec_dir", "index_600", "tmp_path_factory", "anyio_backend",
                           "worker_id", "testrun_uid"})


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "xdist_group(name): run these tests in one xdist worker")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests that share an expensive session or module fixture (a whole harness run) go to
    one xdist worker (`-n N --dist loadgroup`), so each shared run happens once."""
    for item in items:
        if item.get_closest_marker("xdist_group") is not None:
            continue  # the test names its group itself
        group = _shared_run(item)
        if group is not None:
            item.add_marker(pytest.mark.xdist_group(group))


def _shared_run(item: pytest.Item) -> str | None:
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return None
    module_group = None
    for name in getattr(item, "fixturenames", ()):
        definitions = info.name2fixturedefs.get(name)
        if not definitions or name in _CHEAP_SHARED:
            continue
        scope = definitions[-1].scope
        if scope == "session":
            return f"session:{name}"  # e.g. the good demo run, shared by several files
        if scope == "module" and module_group is None:
            module_group = f"module:{item.nodeid.split('::')[0]}"
    return module_group
