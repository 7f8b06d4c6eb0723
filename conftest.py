"""pytest wiring for the readiness suites: options, the harness fixture, check labels.

`sb-readiness run` calls pytest on suites/ with these options; the harness's own tests
(tests/) do not use them.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from sbready.errors import HarnessError, UsageError

CHECK_MARKER = "check"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("sb-readiness")
    group.addoption("--readiness-config", metavar="PATH", help="the app's readiness.toml")
    group.addoption("--readiness-workdir", metavar="DIR", help="folder for this run's files")
    group.addoption("--readiness-only", action="append", default=[], metavar="CHECK-ID",
                    help="run only these check IDs")
    group.addoption("--readiness-error-file", metavar="PATH",
                    help="where to write a harness failure for the runner")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{CHECK_MARKER}(id): the checklist ID a test proves")


def check_id_of(item: pytest.Item) -> str | None:
    """The check ID a suite test carries, if any."""
    marker = item.get_closest_marker(CHECK_MARKER)
    return str(marker.args[0]) if marker else None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    only = {value.upper() for value in config.getoption("--readiness-only") or ()}
    if not only:
        return
    keep = [item for item in items if check_id_of(item) in only]
    config.hook.pytest_deselected(items=[item for item in items if item not in keep])
    items[:] = keep


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Every suite test shows its check ID, area, severity and what AFAS looks for.

    Labelled at call time: allure-pytest resets a test's title and description after setup.
    """
    check_id = check_id_of(item)
    if check_id is not None:
        from sbready.report.allure_labels import label_check

        label_check(check_id)
    yield


def _fail_run(config: pytest.Config, message: str, code: int) -> None:
    error_file = config.getoption("--readiness-error-file")
    if error_file:
        Path(error_file).write_text(f"{code}\n{message}\n", encoding="utf-8")
    pytest.exit(message, returncode=code)


@pytest.fixture(scope="session")
def harness(pytestconfig: pytest.Config) -> Iterator[object]:
    """The sandbox and the app under test, started once per run."""
    from sbready.config import load_config
    from sbready.harness import start_harness

    config_path = pytestconfig.getoption("--readiness-config")
    if not config_path:
        _fail_run(pytestconfig, "no --readiness-config was given; pass the app's "
                  "readiness.toml (or use `sb-readiness run --config FILE`)", 2)
    workdir_option = pytestconfig.getoption("--readiness-workdir")
    workdir = Path(workdir_option or tempfile.mkdtemp(prefix="sb-readiness-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        run = start_harness(load_config(config_path), workdir)
    except UsageError as error:
        _fail_run(pytestconfig, str(error), UsageError.exit_code)
    except HarnessError as error:
        _fail_run(pytestconfig, str(error), HarnessError.exit_code)
    try:
        yield run
    finally:
        run.stop()
        _keep_app_output(pytestconfig, run)


def _keep_app_output(config: pytest.Config, run: object) -> None:
    """The app's own output (redacted) lands next to the results, as evidence for the review."""
    results = config.getoption("--alluredir", default=None)
    app = getattr(run, "app", None)
    if results and app is not None:
        Path(results).parent.joinpath("app-output.txt").write_text(app.output(), "utf-8")
