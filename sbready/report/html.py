"""The reports a run writes, and `sb-readiness report`.

`<output>/sb-readiness-report.html` is the reviewer's page (sbready/report/front.py): one
static file, verdict first, that opens from file:// with no network. Beside it,
`sb-readiness-allure.html` is the Allure 3 "awesome" single-file report with every test and
step for developers: Allure embeds its data as base64 and we strip the analytics tag its
template always adds. Allure writes into a private staging directory, so the output
directory only receives the reports, `verdict.json`, the journal and the JUnit file.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sbready
from sbready.errors import HarnessError, UsageError
from sbready.report.evidence import (
    EVIDENCE_DIR_NAME,
    JOURNAL_REPORT_FILE,
    read_evidence,
    write_journal_report,
)
from sbready.report.front import FrontPage, embedded_data, write_front_page
from sbready.report.i18n import DEFAULT_LANG, check_lang
from sbready.report.junit import write_junit
from sbready.report.verdict import (
    Verdict,
    decide,
    read_results,
    summary_lines,
    write_verdict_json,
)

REPORT_FILE = "sb-readiness-report.html"
ALLURE_FILE = "sb-readiness-allure.html"
DEFAULT_TIMEOUT_S = 180.0
# Not Allure's own environment.properties: Allure would show it a second time, split at spaces.
ENVIRONMENT_FILE = "sb-readiness-environment.properties"

_REPO_ROOT = Path(__file__).resolve().parents[2]
_ALLURE = _REPO_ROOT / "node_modules" / ".bin" / "allure"
_ALLURE_CONFIG = _REPO_ROOT / "allurerc.mjs"
_INSTALL_HINT = "run bash scripts/install.sh"

# The awesome template always adds Google Analytics; a review report must not phone home.
_SCRIPT_BLOCK = re.compile(r"<script\b([^>]*)>(.*?)</script>\s*", re.I | re.S)
_REMOTE_SRC = re.compile(r"\bsrc=[\"']?https?://", re.I)
# How the single-file report embeds each data file: d("data/...json","<base64>").
_EMBEDDED_FILE = re.compile(r'\bd\("([^"]+)","([A-Za-z0-9+/=]*)"\)')


def allure_executable() -> Path:
    """The pinned Allure 3 CLI in the repository's node_modules."""
    if not _ALLURE.exists():
        raise HarnessError(f"Allure 3 is not installed; {_INSTALL_HINT}")
    return _ALLURE


def has_results(results_dir: Path) -> bool:
    """True when the directory holds at least one Allure test result."""
    return results_dir.is_dir() and any(results_dir.glob("*-result.json"))


def _require_results(results_dir: Path) -> None:
    if not results_dir.exists():
        raise UsageError(
            f"{results_dir} does not exist; pass the Allure results directory a run wrote, "
            "e.g. `sb-readiness report reports/allure-results`."
        )
    if not has_results(results_dir):
        raise UsageError(
            f"{results_dir} holds no Allure results (*-result.json); run "
            "`sb-readiness run --config readiness.toml` (or `sb-readiness demo`) first "
            "and pass the allure-results directory it wrote."
        )


def strip_network_tags(html: str) -> str:
    """The report without remote scripts or analytics: it must work offline and privately."""

    def keep_local(block: re.Match[str]) -> str:
        attributes, body = block.group(1), block.group(2)
        if _REMOTE_SRC.search(attributes) or "gtag(" in body:
            return ""
        return block.group(0)

    return _SCRIPT_BLOCK.sub(keep_local, html)


def embedded_files(html: str) -> dict[str, bytes]:
    """The data files a single-file report embeds (path -> content), for checks and tests.

    For the reviewer's page that is its machine-readable JSON plus its visible text.
    """
    files = {name: base64.b64decode(data) for name, data in _EMBEDDED_FILE.findall(html)}
    data = embedded_data(html)
    if data is not None:
        files["data/sb-readiness.json"] = data
        files["page.html"] = html.encode("utf-8")
    return files


def _without_fixtures(results_dir: Path, staging: Path) -> Path:
    """The results without pytest's fixture containers (set-up/tear-down steps say nothing
    to a reviewer), linked or copied into `staging`; the results folder stays untouched."""
    staging.mkdir(parents=True, exist_ok=True)
    for path in Path(results_dir).resolve().iterdir():
        if path.is_file() and not path.name.endswith("-container.json"):
            try:  # Allure skips symbolic links; a hard link is as cheap
                os.link(path, staging / path.name)
            except OSError:
                shutil.copyfile(path, staging / path.name)
    return staging


def _run_allure(results_dir: Path, staging: Path, env: Mapping[str, str], timeout_s: float) -> Path:
    if not _ALLURE_CONFIG.is_file():
        raise HarnessError(f"{_ALLURE_CONFIG} is missing; reinstall sb-readiness from its "
                           "repository and run bash scripts/install.sh")
    output = staging / "allure-report"
    results_dir = _without_fixtures(results_dir, staging / "results")
    command = [
        str(allure_executable()), "generate",
        "--config", str(_ALLURE_CONFIG),
        "--output", str(output),
        "--cwd", str(staging),  # anything Allure keeps for itself stays in the staging dir
        str(results_dir.resolve()),
    ]
    try:
        # A session of its own, so a timeout kills Allure and any worker it started.
        process = subprocess.Popen(
            command, cwd=staging, env=dict(env), stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, start_new_session=True,
        )
    except OSError as error:
        raise HarnessError(f"Node.js or Allure 3 could not be started ({error}); "
                           f"{_INSTALL_HINT}") from error
    try:
        stdout, stderr = process.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired as error:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise HarnessError(f"Allure did not finish the report within {timeout_s:g} s; "
                           "the results directory may be very large") from error
    index = output / "index.html"
    if process.returncode != 0 or not index.is_file():
        tail = "\n".join((stderr or stdout or "").strip().splitlines()[-5:])
        raise HarnessError(f"Allure failed to build the report (exit {process.returncode}): "
                           f"{tail or 'no output'}")
    return index


def build_html(
    results_dir: Path,
    output_dir: Path,
    *,
    title: str,
    env_info: Mapping[str, str],
    timeout_s: float = DEFAULT_TIMEOUT_S,
    lang: str = DEFAULT_LANG,
) -> Path:
    """Build `output_dir/sb-readiness-allure.html`, one self-contained file; return its path.

    `env_info` (SB version, dialect, app name, harness version, date, ...) appears in the
    report header. Raises UsageError for a missing/empty results dir and HarnessError when
    Allure is missing, fails or exceeds `timeout_s`.
    """
    results_dir = Path(results_dir)
    _require_results(results_dir)
    env = dict(os.environ)
    env.update(
        SBREADY_REPORT_NAME=title,
        SBREADY_REPORT_VARIABLES=json.dumps(dict(env_info)),
        SBREADY_REPORT_LANG=lang,
        NO_COLOR="1",
        ALLURE_NO_ANALYTICS="true",  # honoured by some Allure plugins; the rest is stripped
    )
    with tempfile.TemporaryDirectory(prefix="sbready-allure-") as staging:
        index = _run_allure(results_dir, Path(staging), env, timeout_s)
        html = strip_network_tags(index.read_text(encoding="utf-8"))
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    report = output_dir / ALLURE_FILE
    report.write_text(html, encoding="utf-8")
    return report


def evidence_folder(results_dir: Path) -> Path:
    """Where record() left the front page's evidence for these results (beside them)."""
    return Path(results_dir).resolve().parent / EVIDENCE_DIR_NAME


def build_front_page(
    results_dir: Path, output_dir: Path, verdict: Verdict, *, lang: str = DEFAULT_LANG,
    history: list[dict[str, Any]] | None = None, history_dir: str = "",
    rerun_base: str | None = None, with_allure: bool = True,
) -> Path:
    """Write the reviewer's page (and the run's journal) into `output_dir`; return its path."""
    from sbready.report.run_info import LISTING_FILE, PROVENANCE_FILE, read_json

    evidence_dir = evidence_folder(results_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    journal = write_journal_report(evidence_dir, output_dir / JOURNAL_REPORT_FILE)
    listing = read_json(evidence_dir, LISTING_FILE) or {}
    provenance = read_json(evidence_dir, PROVENANCE_FILE) or {}
    # the run recorded how to rerun it; `sb-readiness report` reuses that
    rerun = rerun_base or provenance.get("rerun") or "sb-readiness run --config readiness.toml"
    page = FrontPage(
        lang=lang,
        app_name=str(listing.get("name") or ""),
        listing=listing,
        provenance=provenance,
        history=history or [],
        history_dir=history_dir,
        rerun_base=rerun,
        allure_file=ALLURE_FILE if with_allure else None,
        journal_file=journal.name if journal else None,
    )
    return write_front_page(output_dir / REPORT_FILE, verdict, read_evidence(evidence_dir), page)


def read_environment_properties(results_dir: Path) -> dict[str, str]:
    """The run information a run wrote into its results (key=value lines), if any."""
    path = results_dir / ENVIRONMENT_FILE
    if not path.is_file():
        return {}
    info: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith(("#", "!")) and "=" in line:
            key, value = line.split("=", 1)
            info[key.strip()] = value.strip()
    return info


def report_command(results_dir: str, output: str | None, lang: str | None = None,
                   history: str | None = None) -> int:
    """`sb-readiness report RESULTS_DIR [--output DIR] [--lang nl|en] [--history DIR]`.

    Rebuilds the reviewer's page, the Allure report, verdict.json and JUnit; without --output
    everything lands next to the results directory (its parent). The history is read, not
    extended (the run that made the results recorded itself). Returns 0 READY, 1 NOT READY.
    """
    from sbready.report.run_info import load_history

    results = Path(results_dir)
    _require_results(results)
    language = check_lang(lang, "--lang") if lang else DEFAULT_LANG
    output_dir = Path(output) if output else results.resolve().parent
    env_info = {
        **read_environment_properties(results),
        "Harness version": sbready.__version__,
        "Report built": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }
    app = env_info.get("App") or env_info.get("App name")
    title = f"sb-readiness report: {app}" if app else "sb-readiness report"

    check_results = read_results(results)
    verdict = decide(check_results)
    started = time.monotonic()
    build_html(results, output_dir, title=title, env_info=env_info, lang=language)
    history_dir = Path(history) if history else None
    runs = load_history(history_dir) if history_dir and history_dir.is_dir() else []
    report = build_front_page(results, output_dir, verdict, lang=language, history=runs,
                              history_dir=str(history_dir or ""))
    elapsed = time.monotonic() - started
    verdict_path = write_verdict_json(verdict, output_dir)
    junit_path = write_junit(verdict, output_dir)

    for line in summary_lines(check_results, verdict=verdict, lang=language):
        print(line)
    print()
    if language == "nl":
        print(f"Rapport:        {report}  (gebouwd in {elapsed:.1f} s; opent in elke browser)")
        print(f"Allure:         {output_dir / ALLURE_FILE}")
        print(f"Oordeelbestand: {verdict_path}")
        print(f"JUnit:          {junit_path}")
    else:
        print(f"Report:       {report}  (built in {elapsed:.1f} s; opens in any browser)")
        print(f"Allure:       {output_dir / ALLURE_FILE}")
        print(f"Verdict file: {verdict_path}")
        print(f"JUnit:        {junit_path}")
    return 0 if verdict.ready else 1
