"""pytest wiring for the readiness suites: options, the harness fixture, check labels.

An installed pytest plugin (entry point `pytest11` in pyproject.toml), so the suites run the
same from a wheel as from a checkout. `sb-readiness run` calls pytest on suites/ with these
options; the harness's own tests (tests/) do not use them.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from sbready.errors import HarnessError, UsageError

if TYPE_CHECKING:
    from sbready.config import ReadinessConfig
    from sbready.harness import Harness

CHECK_MARKER = "check"
NOT_RUN_LIVE = pytest.StashKey[str]()  # why a check does not run against a real SB


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("sb-readiness")
    group.addoption("--readiness-config", metavar="PATH", help="the app's readiness.toml")
    group.addoption("--readiness-workdir", metavar="DIR", help="folder for this run's files")
    group.addoption("--readiness-only", action="append", default=[], metavar="CHECK-ID",
                    help="run only these check IDs")
    group.addoption("--readiness-error-file", metavar="PATH",
                    help="where to write a harness failure for the runner")
    group.addoption("--readiness-target", choices=("sandbox", "live"), default="sandbox",
                    help="the SB the checks run against: the sandbox, or [live] via the proxy")
    group.addoption("--readiness-progress", metavar="PATH",
                    help="append one JSON line per collected run and per finished check here "
                         "(the runner's live progress on a terminal)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{CHECK_MARKER}(id): the checklist ID a test proves")
    progress = config.getoption("--readiness-progress", default=None)
    if progress:
        config.pluginmanager.register(_Progress(progress), "sb-readiness-progress")


def check_id_of(item: pytest.Item) -> str | None:
    """The check ID a suite test carries, if any."""
    marker = item.get_closest_marker(CHECK_MARKER)
    return str(marker.args[0]) if marker else None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--readiness-target") == "live":
        _skip_not_run_live(config, items)
    only = {value.upper() for value in config.getoption("--readiness-only") or ()}
    if not only:
        return
    keep = [item for item in items if check_id_of(item) in only]
    config.hook.pytest_deselected(items=[item for item in items if item not in keep])
    items[:] = keep


def _skip_not_run_live(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Live: one central skip, from the catalog's live field, for checks a real SB cannot run."""
    from checks.catalog import CHECKS
    from sbready.live import load_live_config, not_run_live

    config_path = config.getoption("--readiness-config")
    if not config_path:
        return  # the harness fixture reports the missing option
    try:
        live = load_live_config(Path(config_path))
    except UsageError:
        return  # the harness fixture reports it as a usage error
    for item in items:
        check_id = check_id_of(item)
        reason = not_run_live(CHECKS[check_id], live) if check_id in CHECKS else None
        if reason:
            item.stash[NOT_RUN_LIVE] = reason


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Every suite test shows its check ID, area, severity and what AFAS looks for.

    Labelled at call time: allure-pytest resets a test's title and description after setup.
    """
    check_id = check_id_of(item)
    if check_id is not None:
        from sbready.report.allure_labels import label_check

        label_check(check_id)
        not_live = item.stash.get(NOT_RUN_LIVE, None)
        if not_live:  # skipped after labelling, so the report lists it under its check ID
            pytest.skip(not_live)
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
        if pytestconfig.getoption("--readiness-target") == "live":
            run = _start_live(pytestconfig, load_config(config_path), workdir)
        else:
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


def _start_live(pytestconfig: pytest.Config, config: ReadinessConfig, workdir: Path) -> Harness:
    """The harness with the recording proxy in front of [live] upstream (sbready/live.py)."""
    from sbready.live import load_live_config, start_live_harness

    capture = pytestconfig.pluginmanager.getplugin("capturemanager")

    def announce(message: str) -> None:
        # the consent URL is for the person at the terminal, past pytest's output capture
        with capture.global_and_fixture_disabled():
            print(message, file=sys.stderr, flush=True)

    return start_live_harness(config, workdir, load_live_config(config.path), announce=announce)


def _keep_app_output(config: pytest.Config, run: object) -> None:
    """The app's own output (redacted) lands next to the results, as evidence for the review."""
    results = config.getoption("--alluredir", default=None)
    app = getattr(run, "app", None)
    if results and app is not None:
        Path(results).parent.joinpath("app-output.txt").write_text(app.output(), "utf-8")



class _Progress:
    """Appends one JSON line per event to a file the runner reads while pytest runs: the
    checks collected, then each check's outcome as its test finishes."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.check_ids: dict[str, str] = {}  # node ID -> check ID

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.check_ids = {item.nodeid: check_id for item in session.items
                          if (check_id := check_id_of(item)) is not None}
        # one entry per test: a check with two tests is done when both are
        self._append({"collected": sorted(self.check_ids.values())})

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        check_id = self.check_ids.get(report.nodeid)
        finished = report.when == "call" or (report.when == "setup" and not report.passed)
        if check_id and finished:
            self._append({"check": check_id, "outcome": report.outcome})

    def _append(self, event: dict[str, object]) -> None:
        # one short write per line, closed at once: the reader sees whole lines
        with open(self.path, "a", encoding="utf-8") as stream:
            stream.write(json.dumps(event) + "\n")
