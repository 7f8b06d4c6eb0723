"""What every suite test does with a judgement: show it in the report, then assert it."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NoReturn

import allure
import pytest

from checks.judgement import Judgement
from sbready.evidence import Exchange
from sbready.report.allure_labels import (
    attach_json,
    attach_text,
    exchange_summary,
    mark_warnings,
)
from sbready.report.evidence import JudgementEvidence, inline_exchanges, write_evidence

if TYPE_CHECKING:
    from sbready.harness import Harness


@dataclass
class Window:
    """The exchanges a scenario caused: those that arrived between its start and its end."""

    start: int  # the journal's position when the scenario began
    end: int | None = None  # ... and when it ended (None while it runs)
    exchanges: list[Exchange] = field(default_factory=list)


@contextlib.contextmanager
def window(harness: Harness) -> Iterator[Window]:
    """Evidence window of the scenarios run inside the block: by arrival number, so an
    exchange journaled late still belongs to the step that sent it, and nothing another
    test caused earlier (test order) is judged."""
    opened = Window(start=harness.mark())
    yield opened
    opened.end = harness.mark()
    opened.exchanges = [e for e in harness.since(opened.start) if e.seq <= opened.end]


def record(
    judgement: Judgement,
    *,
    exchanges: Sequence[Exchange] = (),
    exchanges_name: str = "SB exchanges",
    redactor: Any = None,
    **extra: Any,
) -> None:
    """Attach the evidence, warnings and the judgement's sentence; fail if the check failed.

    Warnings go into the result as `warning` labels (see allure_labels.mark_warnings), so
    they reach the console, verdict.json and JUnit whether the check passed or failed.
    Only the exchanges the findings name are attached; the whole journal is kept once per
    run (sbready/report/evidence.py), not once per check.
    """
    texts = [judgement.sentence, *judgement.findings, *judgement.warnings]
    shown = inline_exchanges(texts, exchanges, redactor)
    if exchanges:
        by_seq = {exchange.seq: exchange for exchange in exchanges}
        named = [by_seq[item.seq] for item in shown if item.seq in by_seq]
        attach_text(f"{exchanges_name}: the ones the findings name ({len(named)} of "
                    f"{len(exchanges)}; all in sb-readiness-journal.json)",
                    exchange_summary(named), redactor=redactor)
    for name, value in extra.items():
        if isinstance(value, str):
            attach_text(name.replace("_", " "), value, redactor=redactor)
        else:
            attach_json(name.replace("_", " "), value, redactor=redactor)
    if judgement.evidence:
        attach_json("judged values", judgement.evidence, redactor=redactor)
    mark_warnings(judgement.warnings, redactor=redactor)
    write_evidence(JudgementEvidence(
        check_id=judgement.check_id, passed=judgement.passed, sentence=judgement.sentence,
        findings=judgement.findings, warnings=judgement.warnings, exchanges=shown,
        order=time.time(), extra={"attachments": _small(extra)},
    ), exchanges, redactor=redactor)
    # failing inside the step marks the judgement's step failed in the report; pytest.fail
    # without pytrace keeps Python (AssertionError, tracebacks) out of the test's message
    with allure.step(judgement.sentence):
        for finding in judgement.findings:
            _failed_step(finding)
        if not judgement.passed:
            pytest.fail(judgement.message(), pytrace=False)


def _small(extra: dict[str, Any]) -> dict[str, Any]:
    """The attachments small enough for the reviewer's page (the listing card reads them)."""
    return {name: value for name, value in extra.items()
            if isinstance(value, str | dict) and len(repr(value)) <= 4000}


def skip_check(reason: str, *, warnings: Sequence[str] = (), redactor: Any = None) -> NoReturn:
    """Skip the running check with `reason`, keeping `warnings` in the report and verdict.json."""
    mark_warnings(warnings, redactor=redactor)
    pytest.skip(reason)


def _failed_step(finding: str) -> None:
    # Allure marks a step failed only through an exception leaving it; pytest's own
    # failure reads "Failed: <finding>" there, with no exception class of ours.
    with contextlib.suppress(pytest.fail.Exception), allure.step(finding):
        pytest.fail(finding, pytrace=False)
