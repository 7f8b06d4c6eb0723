"""`sb-readiness run` and `sb-readiness demo`: run the suites, build the report, verdict."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from checks.catalog import CHECKS, REVIEW_ORDER
from sbready import __version__
from sbready.config import ReadinessConfig, load_config
from sbready.errors import HarnessError, UsageError
from sbready.harness import BROWSER_ENV
from sbready.live import live_subset_line, load_live_config
from sbready.report.allure_labels import LANG_ENV
from sbready.report.evidence import EVIDENCE_DIR_NAME, EVIDENCE_ENV
from sbready.report.html import (
    ENVIRONMENT_FILE,
    allure_executable,
    build_front_page,
    build_html,
)
from sbready.report.i18n import check_lang, text
from sbready.report.junit import write_junit
from sbready.report.run_info import (
    HISTORY_DIR_NAME,
    LISTING_FILE,
    PROVENANCE_FILE,
    command_line,
    listing_facts,
    provenance,
    record_history,
    report_settings,
    write_json,
)
from sbready.report.verdict import (
    VERDICT_FILE,
    decide,
    read_results,
    summary_lines,
    write_verdict_json,
)

REPO_ROOT = Path(__file__).resolve().parents[1]  # the checkout, or site-packages when installed
SUITES = REPO_ROOT / "suites"
PYTEST_TIMEOUT_S = 1800  # a whole run; a hang in a partner app must not hang CI forever
PLUGIN = "sbready.pytest_plugin"  # also the pytest11 entry point's name (pyproject.toml)
PROGRESS_POLL_S = 0.2
# html.py looks for Allure in a checkout's node_modules; an installed wheel has none
ALLURE_HINT = ("Allure report skipped: Allure 3 is not installed; for it, run sb-readiness from "
               "a checkout after `bash scripts/install.sh` (npm installs Allure 3 there)")


@dataclass(frozen=True)
class RunOutcome:
    """Where a run's artefacts are and what it concluded."""

    exit_code: int  # 0 READY, 1 NOT READY
    headline: str  # "READY" or "NOT READY (...)"
    results_dir: Path
    junit_path: Path
    html_path: Path | None
    lines: tuple[str, ...]
    duration_s: float
    lang: str = "en"
    notes: tuple[str, ...] = ()  # one-line remarks printed before the verdict (no Allure, ...)


def _check_only(only: Sequence[str] | None) -> list[str]:
    ids = [value.upper() for value in only or ()]
    unknown = [value for value in ids if value not in CHECKS]
    if unknown:
        raise UsageError(f"unknown check ID {', '.join(unknown)}; IDs look like ONB-06 "
                         "(the README's checks table lists all of them)")
    return ids


def execute(
    config_path: Path,
    reports: Path,
    *,
    only: Sequence[str] | None = None,
    environ: Mapping[str, str] | None = None,
    workdir: Path | None = None,
    html: bool = True,
    target: str = "sandbox",
    lang: str | None = None,
    history: Path | None = None,
    rerun_base: str | None = None,
    browser: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> RunOutcome:
    """Run the suites in a fresh pytest process against the config's app; build the report.

    `target="live"`: against [live] upstream through the recording proxy (sbready/live.py).
    `lang` (default: [report] lang, else English) is the report's and summary's language;
    `history` (default: `sb-readiness-history` beside the reports folder) keeps one record
    per run so the report shows each check's trend. `progress` gets a one-line status per
    finished check (the terminal's live progress); None keeps the run quiet.
    """
    started = time.monotonic()
    wall_start = time.time()
    env = dict(os.environ if environ is None else environ)
    config = load_config(config_path, environ=env)  # config mistakes fail here, before anything
    settings = report_settings(config)
    language = check_lang(lang, "--lang") if lang else settings.lang
    live = load_live_config(config_path, env) if target == "live" else None
    ids = _check_only(only)
    reports.mkdir(parents=True, exist_ok=True)
    results_dir = reports / "allure-results"
    shutil.rmtree(results_dir, ignore_errors=True)
    evidence_dir = reports / EVIDENCE_DIR_NAME
    shutil.rmtree(evidence_dir, ignore_errors=True)
    env[EVIDENCE_ENV] = str(evidence_dir)  # record() leaves the front page's evidence here
    env[LANG_ENV] = language  # Allure titles, areas and descriptions in the report's language
    if browser:  # --browser: the harness walks the onboarding in it (sbready/harness.py)
        env[BROWSER_ENV] = browser
    walker = _walker_line(env.get(BROWSER_ENV) or config.browser)  # no Chromium: stop here
    pytest_junit = reports / "pytest-junit.xml"
    workdir = workdir or Path(tempfile.mkdtemp(prefix="sb-readiness-"))
    error_file = workdir / "harness-error.txt"
    error_file.unlink(missing_ok=True)
    # an empty ini of our own: no ini file above an installed package (a partner's project
    # around its venv) can add options to the suites' run
    ini = workdir / "sb-readiness-pytest.ini"
    workdir.mkdir(parents=True, exist_ok=True)
    ini.write_text("[pytest]\n", encoding="utf-8")
    progress_file = workdir / "progress.jsonl"
    progress_file.unlink(missing_ok=True)
    command = [
        sys.executable, "-m", "pytest", str(SUITES), "-q", "-p", "no:cacheprovider",
        "-p", PLUGIN, "-c", str(ini), f"--rootdir={REPO_ROOT}", f"--confcutdir={REPO_ROOT}",
        f"--alluredir={results_dir}", f"--junitxml={pytest_junit}",
        f"--readiness-config={config_path}", f"--readiness-workdir={workdir}",
        f"--readiness-error-file={error_file}", "-o", "junit_family=xunit2",
        "--tb=short",  # the judgement's message is the evidence; no argument dumps
    ] + [f"--readiness-only={check_id}" for check_id in ids] + [f"--readiness-target={target}"]
    if progress is not None:
        command.append(f"--readiness-progress={progress_file}")
    # from a checkout, pytest runs in it as before; installed, in the run's own folder
    cwd = REPO_ROOT if (REPO_ROOT / "pyproject.toml").is_file() else workdir
    completed = _run_pytest(command, cwd=cwd, env=env, live=live is not None,
                            progress=progress, progress_file=progress_file)
    if progress is not None:
        progress("")  # the checks are done; the summary follows on a clean line
    (reports / "pytest-output.txt").write_text(completed.stdout + completed.stderr, "utf-8")
    if error_file.exists():
        code, _, message = error_file.read_text("utf-8").partition("\n")
        if code.strip() == str(UsageError.exit_code):
            raise UsageError(message.strip())
        raise HarnessError(message.strip())
    if completed.returncode not in (0, 1):
        tail = (completed.stdout + completed.stderr).strip().splitlines()[-5:]
        raise HarnessError(f"pytest ended with code {completed.returncode}: " + " | ".join(tail))
    env_info = _env_info(config)
    env_info["Onboarding walker"] = walker
    if live is not None:  # the report's banner says what it ran against, and how
        env_info["Target"] = f"live: {live.afas_base_url} through the recording proxy"
        env_info["Writes"] = ("ALLOWED: the checks' writes were processed by AFAS SB"
                              if live.allow_writes else "refused by the proxy (read-only)")
    (results_dir / ENVIRONMENT_FILE).write_text(
        "".join(f"{key}={value}\n" for key, value in env_info.items()), "utf-8")
    results = read_results(results_dir)
    verdict = replace(decide(results, expected=ids or None), target=target)
    lines = tuple(summary_lines(results, verdict=verdict, lang=language))
    if live is not None:
        not_live = sum(1 for r in results if "not run live:" in (r.message or ""))
        lines += (live_subset_line(live, not_live, len(results) - not_live),)
    write_verdict_json(verdict, reports)
    junit_path = write_junit(verdict, reports)
    write_json(evidence_dir, LISTING_FILE, listing_facts(config))
    write_json(evidence_dir, PROVENANCE_FILE, {**provenance(
        config, settings=settings, command=command_line(), started=wall_start,
        ended=time.time(), complete=not verdict.not_run), "target": env_info.get("Target"),
        "writes": env_info.get("Writes"),
        "rerun": rerun_base or f"sb-readiness run --config {config_path}"})
    history_dir = history or reports.parent / HISTORY_DIR_NAME
    runs = record_history(history_dir, verdict, wall_start)
    html_path = None
    notes: tuple[str, ...] = ()
    if html:
        with_allure = _allure_installed()
        if with_allure:
            build_html(results_dir, reports,
                       title=f"{config.app.name}: {text('title', language)}",
                       env_info=env_info, lang=language)
        else:  # installed without node: the reviewer's page, verdict and JUnit still come
            notes = (ALLURE_HINT,)
        html_path = build_front_page(
            results_dir, reports, verdict, lang=language, history=runs,
            history_dir=str(history_dir), with_allure=with_allure,
            rerun_base=None)  # read back from the provenance just written
    return RunOutcome(0 if verdict.ready else 1, verdict.headline, results_dir, junit_path,
                      html_path, lines, time.monotonic() - started, language, notes)


def _allure_installed() -> bool:
    try:
        allure_executable()
    except HarnessError:
        return False
    return True


def _run_pytest(
    command: list[str], *, cwd: Path, env: Mapping[str, str], live: bool,
    progress: Callable[[str], None] | None, progress_file: Path,
) -> subprocess.CompletedProcess[str]:
    """pytest in a subprocess, within PYTEST_TIMEOUT_S; with `progress`, a status line per
    finished check read from the plugin's progress file while it runs."""
    if progress is None:
        try:
            # live: stderr stays on the terminal, where the consent URL is printed for a person
            completed = subprocess.run(command, cwd=cwd, env=env, timeout=PYTEST_TIMEOUT_S,
                                       stdout=subprocess.PIPE, text=True,
                                       stderr=None if live else subprocess.PIPE)
        except subprocess.TimeoutExpired as error:
            raise HarnessError(
                f"the checks did not finish within {PYTEST_TIMEOUT_S} s") from error
        completed.stderr = completed.stderr or ""
        return completed
    deadline = time.monotonic() + PYTEST_TIMEOUT_S
    tally = _ProgressTally()
    # files, not pipes: nothing to drain while the progress loop runs
    with tempfile.TemporaryFile("w+", encoding="utf-8") as out, \
            tempfile.TemporaryFile("w+", encoding="utf-8") as err:
        process = subprocess.Popen(command, cwd=cwd, env=env, text=True, stdout=out,
                                   stderr=None if live else err)
        try:
            while process.poll() is None:
                if time.monotonic() > deadline:
                    process.kill()
                    process.wait(timeout=10)
                    raise HarnessError(
                        f"the checks did not finish within {PYTEST_TIMEOUT_S} s")
                if tally.read(progress_file):
                    progress(tally.line())
                time.sleep(PROGRESS_POLL_S)
        except BaseException:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)
            raise
        if tally.read(progress_file):
            progress(tally.line())
        out.seek(0)
        err.seek(0)
        return subprocess.CompletedProcess(command, process.returncode, out.read(), err.read())


class _ProgressTally:
    """Checks done per review area, from the plugin's progress lines (sbready/pytest_plugin)."""

    def __init__(self) -> None:
        self.offset = 0
        self.total: dict[str, int] = {}  # check IDs per area prefix
        self.done: dict[str, int] = {}
        self.tests_left: dict[str, int] = {}  # a check is done when all its tests are
        self.failed: set[str] = set()

    def read(self, path: Path) -> bool:
        """Take in the whole lines added since the last read; True when something changed."""
        try:
            with path.open("rb") as stream:
                stream.seek(self.offset)
                chunk = stream.read()
        except FileNotFoundError:
            return False
        complete = chunk[: chunk.rfind(b"\n") + 1]
        self.offset += len(complete)
        for line in complete.decode("utf-8").splitlines():
            self._take(json.loads(line))
        return bool(complete)

    def _take(self, event: dict[str, object]) -> None:
        collected = event.get("collected")
        if isinstance(collected, list):
            for test_check in map(str, collected):
                if test_check not in self.tests_left:
                    prefix = test_check.split("-")[0]
                    self.total[prefix] = self.total.get(prefix, 0) + 1
                self.tests_left[test_check] = self.tests_left.get(test_check, 0) + 1
        check_id = event.get("check")
        if isinstance(check_id, str) and self.tests_left.get(check_id, 0) > 0:
            self.tests_left[check_id] -= 1
            if self.tests_left[check_id] == 0:
                prefix = check_id.split("-")[0]
                self.done[prefix] = self.done.get(prefix, 0) + 1
            if event.get("outcome") == "failed":
                self.failed.add(check_id)

    def line(self) -> str:
        """E.g. "sb-readiness: 27/39 checks  ONB 14/14  INT 10/10  ERR 3/10  LST 0/5  1 failed"
        (areas in AFAS's review order, by their ID prefix so it fits a narrow terminal)."""
        order = [p for p in REVIEW_ORDER if p in self.total]
        order += [p for p in self.total if p not in order]
        done, total = sum(self.done.values()), sum(self.total.values())
        parts = [f"{prefix} {self.done.get(prefix, 0)}/{self.total[prefix]}" for prefix in order]
        failed = f"  {len(self.failed)} failed" if self.failed else ""
        return f"sb-readiness: {done}/{total} checks  " + "  ".join(parts) + failed


def _walker_line(browser: str | None) -> str:
    """Which walker walks the onboarding, and which Chromium (a UsageError naming what to
    install when the browser walker has none)."""
    if browser != "chromium":
        return "without JavaScript"
    from sbready.driver.browser import find_chromium

    return f"headless Chromium through Playwright: {find_chromium()[1]}"


def _env_info(config: ReadinessConfig) -> dict[str, str]:
    app = config.app
    return {
        "App": app.name,
        "SB version": str(app.spec or app.sb_version),
        "Auth": f"{app.auth} ({app.level})",
        "Sandbox dialect": config.sandbox.dialect,
        "sb-readiness": __version__,
        "Run at": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    }


def _print(outcome: RunOutcome) -> int:
    lang = outcome.lang
    for line in outcome.lines:
        print(line)
    for note in outcome.notes:
        print(note)
    # verdict.json holds every warning in full; the summary shows a few per check
    print(f"{text('c_verdict_file', lang)}: {outcome.junit_path.parent / VERDICT_FILE}")
    print(f"JUnit: {outcome.junit_path}")
    print(text("c_took", lang, seconds=outcome.duration_s))
    if outcome.html_path:
        print(f"{text('c_report', lang)}: {outcome.html_path}")
    # the last line, for people and CI logs alike
    prefix = f"{text('c_verdict', lang)}: "
    print(next((line for line in reversed(outcome.lines) if line.startswith(prefix)),
               f"Verdict: {outcome.headline}"))
    return outcome.exit_code


def run_command(config: str, reports: str, only: Sequence[str] | None,
                target: str = "sandbox", lang: str | None = None,
                history: str | None = None, browser: str | None = None) -> int:
    """`sb-readiness run --config FILE [--target live]`: the partner's app against the sandbox,
    or against [live] upstream through the recording proxy."""
    path = Path(config)
    if not path.is_file():
        raise UsageError(f"the config file {config} does not exist; pass the path of your "
                         "readiness.toml (see the README for every key)")
    return _print(execute(path.resolve(), Path(reports).resolve(), only=only, target=target,
                          lang=lang, history=Path(history).resolve() if history else None,
                          rerun_base=f"sb-readiness run --config {config}", browser=browser,
                          # live: the consent URL on stderr must not share a line with it
                          progress=terminal_progress() if target != "live" else None))


def demo_command(
    reports: str, only: Sequence[str] | None, auth: str = "oauth", level: str = "customer",
    lang: str | None = None, history: str | None = None, onboarding: str = "html",
    browser: str | None = None,
) -> int:
    """`sb-readiness demo`: the built-in demo partner app against the sandbox.

    `onboarding="js"` builds the login form by script; it is walked in Chromium unless
    `browser="none"`."""
    workdir = Path(tempfile.mkdtemp(prefix="sb-readiness-demo-"))
    walk_in = browser or ("chromium" if onboarding == "js" else None)
    config_path, environ = write_demo_config(
        workdir, auth=auth, level=level, onboarding=onboarding,
        browser=walk_in if walk_in != "none" else None)
    if browser:
        environ[BROWSER_ENV] = browser
    options = "".join(f" --{name} {value}" for name, value in
                      (("auth", auth), ("level", level), ("onboarding", onboarding),
                       ("browser", browser or ""))
                      if value not in ("oauth", "customer", "html", ""))
    return _print(execute(config_path, Path(reports).resolve(), only=only, environ=environ,
                          workdir=workdir, lang=lang,
                          history=Path(history).resolve() if history else None,
                          rerun_base=f"sb-readiness demo{options}",
                          progress=terminal_progress()))


def terminal_progress() -> Callable[[str], None] | None:
    """A live status line on a terminal; None (no progress output) in CI, pipes and files."""
    if not sys.stdout.isatty() or os.environ.get("TERM") == "dumb":
        return None

    def show(line: str) -> None:
        # one line rewritten in place; "" clears it, so the summary starts on a clean line
        width = shutil.get_terminal_size((100, 20)).columns - 1
        sys.stdout.write("\r\033[K" + line[:width])
        sys.stdout.flush()

    return show


def write_demo_config(
    workdir: Path, *, flaws: Sequence[str] = (), auth: str = "oauth", level: str = "customer",
    onboarding: str = "html", browser: str | None = None,
) -> tuple[Path, dict[str, str]]:
    """Write the demo partner app's readiness.toml (and its TLS files) into `workdir`."""
    # the example app, imported only for the demo: the machinery does not depend on it
    from examples.demo_partner.readiness import demo_config
    from sbready.tls import make_local_tls

    make_local_tls(workdir / "tls")
    text, variables = demo_config(workdir, flaws=flaws, auth=auth, level=level,
                                  onboarding=onboarding, browser=browser)
    config_path = workdir / "readiness.toml"
    config_path.write_text(text, encoding="utf-8")
    return config_path, {**os.environ, **variables}
