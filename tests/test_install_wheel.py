"""sb-readiness installed as a wheel, outside any checkout, runs `demo` and `run` (issue 6).

Builds the wheel from a copy of the source, installs it into a fresh venv (dependencies from
the package registry pip is configured for), and runs the installed command from a folder
that is not the checkout, with no path back to it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
STEP_TIMEOUT_S = 240  # per step; the whole test usually takes about a minute
# not needed in a wheel, and large or other agents' scratch
_NOT_SOURCE = shutil.ignore_patterns(
    ".git", ".venv", "node_modules", "build", "dist", "reports", "*.egg-info", "__pycache__",
    ".mypy_cache", ".ruff_cache", ".hypothesis", ".pytest_cache", "sb-readiness-history",
)

REGISTRY_HINT = "is the package registry pip uses reachable (pip config list)?"


def _step(what: str, command: list[str], *, cwd: Path, env: Mapping[str, str],
          codes: tuple[int, ...] = (0,), hint: str = "") -> subprocess.CompletedProcess[str]:
    """One command of the install; failing, the test names the step, a likely cause and the
    command's last lines (not a traceback from a later step that found nothing)."""
    try:
        done = subprocess.run(command, cwd=cwd, env=dict(env), text=True, capture_output=True,
                              timeout=STEP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{what} did not finish within {STEP_TIMEOUT_S} s: {' '.join(command)}")
    if done.returncode not in codes:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
        pytest.fail(f"{what} failed (exit code {done.returncode}); {hint or 'see its output'}"
                    f"\ncommand: {' '.join(command)}\n{tail}", pytrace=False)
    return done


def _clean_env(venv: Path) -> dict[str, str]:
    """The environment of a user with the venv on PATH and nothing pointing at the checkout."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "PYTEST_ADDOPTS",
                          "PYTEST_PLUGINS")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["SB_SPEC_DIR"] = os.environ.get("SB_SPEC_DIR") or str(REPO.parent / "shared/sb-openapi")
    return env


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A fresh venv with the wheel installed, and the environment to run it in."""
    base = tmp_path_factory.mktemp("wheel")
    source = base / "source"
    shutil.copytree(REPO, source, ignore=_NOT_SOURCE)  # no stale build/ in the wheel
    wheels = base / "wheels"
    _step("building the wheel",
          [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), "."],
          cwd=source, env=os.environ, hint=f"setuptools comes from the registry; {REGISTRY_HINT}")
    wheel = next(wheels.glob("sb_readiness-*.whl"), None)
    assert wheel is not None, f"pip wheel wrote no sb_readiness wheel into {wheels}"
    venv = base / "venv"
    _step("creating a venv", [sys.executable, "-m", "venv", str(venv)], cwd=base,
          env=os.environ, hint="on Debian the python3-venv package provides ensurepip")
    env = _clean_env(venv)
    _step("installing the wheel and its dependencies",
          [str(venv / "bin/python"), "-m", "pip", "install", "-q", str(wheel)], cwd=base, env=env,
          hint=REGISTRY_HINT)
    shutil.rmtree(source)  # from here on there is no checkout but the one the test runs in
    return venv, env


@pytest.mark.slow
def test_installed_package_is_not_the_checkout(installed: tuple[Path, dict[str, str]],
                                               tmp_path: Path) -> None:
    venv, env = installed
    probe = _step("importing the installed package", [
        str(venv / "bin/python"), "-c",
        "import json, sbready, examples.demo_partner.readiness as r; "
        "print(json.dumps([sbready.__file__, str(r.demo_listing_dir())]))"],
        cwd=tmp_path, env=env)
    package, listing = json.loads(probe.stdout)
    assert Path(package).is_relative_to(venv) and not Path(package).is_relative_to(REPO)
    assert (Path(listing) / "logo.png").is_file(), "the demo's listing files are not package data"
    assert (Path(listing) / "description.md").is_file()
    plugins = _step("listing pytest's plugins", [str(venv / "bin/python"), "-m", "pytest",
                    "--help"], cwd=tmp_path, env=env)
    assert "--readiness-config" in plugins.stdout, "the pytest11 entry point did not load"


@pytest.mark.slow
def test_installed_demo_is_ready_without_allure(installed: tuple[Path, dict[str, str]],
                                                tmp_path: Path) -> None:
    venv, env = installed
    started = time.monotonic()
    done = _step("sb-readiness demo", [str(venv / "bin/sb-readiness"), "demo", "--reports",
                 "R"], cwd=tmp_path, env=env, codes=(0, 1, 2, 3))
    took = time.monotonic() - started
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-3000:]
    assert output.rstrip().splitlines()[-1] == "Verdict: READY"
    assert "unrecognized arguments" not in output
    assert "\r" not in output and "checks  ONB" not in output  # not a terminal: no progress
    assert "Allure report skipped" in output and "npm" in output  # one line on how to get it
    reports = tmp_path / "R"
    verdict = json.loads((reports / "verdict.json").read_text("utf-8"))
    assert verdict["ready"] is True
    assert (reports / "sb-readiness-junit.xml").is_file()
    assert (reports / "sb-readiness-report.html").is_file()
    assert not (reports / "sb-readiness-allure.html").exists()
    print(f"installed demo took {took:.1f} s")


@pytest.mark.slow
def test_installed_run_with_a_config(installed: tuple[Path, dict[str, str]],
                                     tmp_path: Path) -> None:
    """`sb-readiness run --config` on the installed demo's config, a few checks (the
    regression: pytest refused --readiness-config without the root conftest.py)."""
    venv, env = installed
    work = tmp_path / "app"
    written = _step("writing the demo's readiness.toml", [
        str(venv / "bin/python"), "-c",
        "import json, sys; from pathlib import Path; from sbready.runner import "
        "write_demo_config; work = Path(sys.argv[1]); path, env = write_demo_config(work); "
        # `run` gives each run a fresh workdir: the config names the demo's files itself
        "path.write_text(path.read_text().replace('{workdir}', str(work))); "
        "print(json.dumps({k: v for k, v in env.items() if k.startswith('DEMO_PARTNER_')}))",
        str(work)], cwd=tmp_path, env=env)
    run_env = {**env, **json.loads(written.stdout)}
    done = _step("sb-readiness run", [
        str(venv / "bin/sb-readiness"), "run", "--config", str(work / "readiness.toml"),
        "--reports", "R", "--only", "LST-01", "--only", "ONB-01"],
        cwd=tmp_path, env=run_env, codes=(0, 1, 2, 3))
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-3000:]
    assert output.rstrip().splitlines()[-1] == "Verdict: READY"
    verdict = json.loads((tmp_path / "R/verdict.json").read_text("utf-8"))
    statuses = {check["id"]: check["status"] for check in verdict["checks"]}
    assert statuses.get("LST-01") == "passed" and statuses.get("ONB-01") == "passed", statuses
    missing = _step("sb-readiness run with a missing config", [
        str(venv / "bin/sb-readiness"), "run", "--config", "nowhere.toml"],
        cwd=tmp_path, env=env, codes=(2,))
    assert "does not exist" in missing.stderr and "Traceback" not in missing.stderr


def test_machinery_does_not_import_the_example_apps() -> None:
    """Only `sb-readiness demo` (and the self-tests) import examples.demo_partner."""
    probe = subprocess.run([sys.executable, "-c",
                            "import sys, sbready.cli, sbready.runner, sbready.config, "
                            "sbready.harness, sbready.pytest_plugin; "
                            "print(sorted(m for m in sys.modules if m.startswith('examples')))"],
                           cwd=REPO, capture_output=True, text=True, timeout=60)
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.strip() == "[]"
