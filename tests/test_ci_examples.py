"""For CI users: the ready-to-copy CI jobs (examples/ci/, the README) and the console's
progress, live on a terminal and absent in CI logs (issue 6)."""

from __future__ import annotations

import io
import json
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from sbready.cli import build_parser
from sbready.report.junit import JUNIT_FILE
from sbready.runner import _ProgressTally, execute, terminal_progress, write_demo_config

REPO = Path(__file__).resolve().parents[1]
CI = REPO / "examples" / "ci"
JUNIT_PATH = f"reports/{JUNIT_FILE}"


def _load(name: str) -> dict[Any, Any]:
    data = yaml.safe_load((CI / name).read_text("utf-8"))
    assert isinstance(data, dict), f"{name} is not a YAML mapping"
    return data


def _assert_gating_run(line: str) -> None:
    """The command is a real `sb-readiness run` whose exit code decides the job."""
    assert "|| true" not in line and "; true" not in line, line
    words = shlex.split(line)
    assert words[:2] == ["sb-readiness", "run"], line
    args = build_parser().parse_args(words[1:])  # options the CLI really has
    assert args.config == "readiness.toml" and args.reports == "reports"


def test_github_actions_job_installs_runs_gates_and_keeps_reports() -> None:
    workflow = _load("github-actions.yml")
    assert {"push", "pull_request"} <= set(workflow[True])  # YAML 1.1 reads `on` as True
    job = workflow["jobs"]["readiness"]
    steps = job["steps"]
    python = next(s for s in steps if str(s.get("uses", "")).startswith("actions/setup-python"))
    assert float(python["with"]["python-version"]) >= 3.11
    install = next(s for s in steps if "pip install" in str(s.get("run", "")))
    assert "$SB_READINESS" in install["run"] and job["env"]["SB_READINESS"].startswith(
        "sb-readiness")
    run = next(s for s in steps if "sb-readiness run" in str(s.get("run", "")))
    _assert_gating_run(run["run"])
    assert not run.get("continue-on-error") and "if" not in run
    assert run["env"]["MYAPP_CLIENT_SECRET"] == "${{ secrets.MYAPP_CLIENT_SECRET }}"
    upload = next(s for s in steps if str(s.get("uses", "")).startswith("actions/upload-artifact"))
    assert upload["if"] == "always()" and upload["with"]["path"].rstrip("/") == "reports"
    junit = next(s for s in steps if "junit" in str(s.get("uses", "")))
    assert junit["if"] == "always()" and junit["with"]["report_paths"] == JUNIT_PATH
    assert steps.index(run) < steps.index(upload) and steps.index(run) < steps.index(junit)


def test_gitlab_job_installs_runs_gates_and_keeps_reports() -> None:
    job = _load("gitlab-ci.yml")["sb-readiness"]
    assert job["image"].startswith("python:3.1") and float(job["image"].split(":")[1]) >= 3.11
    script = job["script"]
    assert script[0] == 'python -m pip install "$SB_READINESS"'
    assert job["variables"]["SB_READINESS"].startswith("sb-readiness")
    _assert_gating_run(script[-1])
    assert not job.get("allow_failure")
    artifacts = job["artifacts"]
    assert artifacts["when"] == "always" and "reports/" in artifacts["paths"]
    assert artifacts["reports"]["junit"] == JUNIT_PATH


@pytest.mark.parametrize("name", ["github-actions.yml", "gitlab-ci.yml"])
def test_readme_shows_each_ci_file_verbatim(name: str) -> None:
    readme = (REPO / "README.md").read_text("utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", readme, re.S)
    assert (CI / name).read_text("utf-8") in blocks, f"README's copy of examples/ci/{name} differs"


def test_no_progress_when_stdout_is_not_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    assert terminal_progress() is None


def test_progress_on_a_terminal_rewrites_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    monkeypatch.setattr(sys, "stdout", screen)
    monkeypatch.setenv("TERM", "xterm")
    show = terminal_progress()
    assert show is not None
    show("sb-readiness: 1/2 checks  ONB 1/2")
    show("")
    assert screen.getvalue() == "\r\033[Ksb-readiness: 1/2 checks  ONB 1/2\r\033[K"
    assert "\n" not in screen.getvalue()  # the summary lines that follow stay untouched


def test_tally_counts_per_area_in_review_order_and_waits_for_whole_lines(
        tmp_path: Path) -> None:
    progress = tmp_path / "progress.jsonl"
    tally = _ProgressTally()
    assert tally.read(progress) is False  # pytest has not started writing
    collected = ["ERR-01", "LST-01", "ONB-01", "ONB-02", "ONB-02"]  # ONB-02 has two tests
    progress.write_text(json.dumps({"collected": collected})
                        + "\n" + json.dumps({"check": "ONB-01", "outcome": "passed"}) + "\n"
                        + '{"check": "ERR-0', "utf-8")  # a line still being written
    assert tally.read(progress) is True
    assert tally.line() == "sb-readiness: 1/4 checks  ONB 1/2  ERR 0/1  LST 0/1"
    with progress.open("a", encoding="utf-8") as stream:
        stream.write('1", "outcome": "failed"}\n')
        stream.write(json.dumps({"check": "ONB-02", "outcome": "failed"}) + "\n")
    assert tally.read(progress) is True
    assert tally.line() == "sb-readiness: 2/4 checks  ONB 1/2  ERR 1/1  LST 0/1  2 failed"
    with progress.open("a", encoding="utf-8") as stream:  # ONB-02's second test
        stream.write(json.dumps({"check": "ONB-02", "outcome": "passed"}) + "\n")
    assert tally.read(progress) is True
    assert tally.line() == "sb-readiness: 3/4 checks  ONB 2/2  ERR 1/1  LST 0/1  2 failed"
    assert tally.read(progress) is False  # nothing new


def test_plugin_writes_a_progress_line_per_finished_check(tmp_path: Path) -> None:
    (tmp_path / "test_two.py").write_text(
        "import pytest\n\n"
        "@pytest.mark.check('ONB-01')\ndef test_a():\n    pass\n\n"
        "@pytest.mark.check('INT-02')\ndef test_b():\n    assert False\n\n"
        "@pytest.mark.check('ONB-01')\ndef test_c():\n    pytest.skip('n/a')\n\n"
        "def test_without_check():\n    pass\n", "utf-8")
    (tmp_path / "pytest.ini").write_text("[pytest]\n", "utf-8")
    progress = tmp_path / "progress.jsonl"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p",
         "sbready.pytest_plugin", f"--readiness-progress={progress}", "test_two.py"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1, done.stdout + done.stderr
    events = [json.loads(line) for line in progress.read_text("utf-8").splitlines()]
    assert events == [{"collected": ["INT-02", "ONB-01", "ONB-01"]},
                      {"check": "ONB-01", "outcome": "passed"},
                      {"check": "INT-02", "outcome": "failed"},
                      {"check": "ONB-01", "outcome": "skipped"}]


@pytest.mark.slow
def test_a_run_reports_progress_as_checks_finish_and_clears_it(tmp_path: Path) -> None:
    config_path, environ = write_demo_config(tmp_path / "work")
    shown: list[str] = []
    outcome = execute(config_path, tmp_path / "reports", only=["LST-01", "LST-02"],
                      environ=environ, workdir=tmp_path / "work", html=False,
                      progress=shown.append)
    assert outcome.exit_code == 0, outcome.lines
    assert "sb-readiness: 2/2 checks  LST 2/2" in shown
    assert shown[-1] == ""  # cleared before the summary is printed
    assert all("\n" not in line for line in shown)
