"""Run the readiness suites against a demo partner app variant and read back each check."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sbready.report.verdict import read_results
from sbready.runner import RunOutcome, execute, write_demo_config


@dataclass(frozen=True)
class VariantRun:
    """One run of the suites: per-check status and message, and the run's artefacts."""

    statuses: dict[str, str]
    messages: dict[str, str]
    outcome: RunOutcome
    environ: dict[str, str]


def run_variant(
    folder: Path,
    *,
    flaws: Sequence[str] = (),
    only: Sequence[str] = (),
    edit_config: Callable[[str], str] | None = None,
    auth: str = "oauth",
    html: bool = False,
    level: str = "customer",
) -> VariantRun:
    """Run `only` checks against the demo app with `flaws` switched on (or its config edited).

    `level="admin"` runs the demo app as an Admin Center (accountant) app.
    """
    workdir = folder / "work"
    workdir.mkdir(parents=True, exist_ok=True)
    config_path, environ = write_demo_config(workdir, flaws=flaws, auth=auth, level=level)
    if edit_config is not None:
        config_path.write_text(edit_config(config_path.read_text("utf-8")), "utf-8")
    outcome = execute(config_path, folder / "reports", only=only, environ=environ,
                      workdir=workdir, html=html)
    results = read_results(outcome.results_dir)
    return VariantRun(
        {r.check_id: r.status for r in results},
        {r.check_id: r.message or "" for r in results},
        outcome,
        environ,
    )

