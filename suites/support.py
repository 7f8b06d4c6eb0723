"""What every suite test does with a judgement: show it in the report, then assert it."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

import allure

from checks.judgement import Judgement
from sbready.report.allure_labels import attach_exchanges, attach_json, attach_text
from sbready.sandbox.journal import Exchange


def record(
    judgement: Judgement,
    *,
    exchanges: Sequence[Exchange] = (),
    exchanges_name: str = "SB exchanges",
    redactor: Any = None,
    **extra: Any,
) -> None:
    """Attach the evidence and the judgement's sentence; fail the test if the check failed."""
    if exchanges:
        attach_exchanges(exchanges_name, exchanges, redactor=redactor)
    for name, value in extra.items():
        if isinstance(value, str):
            attach_text(name.replace("_", " "), value, redactor=redactor)
        else:
            attach_json(name.replace("_", " "), value, redactor=redactor)
    if judgement.evidence:
        attach_json("judged values", judgement.evidence, redactor=redactor)
    for warning in judgement.warnings:
        with allure.step(f"Warning: {warning}"):
            pass
    # the assertion inside the step marks the judgement's step failed in the report
    with allure.step(judgement.sentence):
        for finding in judgement.findings:
            _failed_step(finding)
        assert judgement.passed, judgement.message()


class _Finding(AssertionError):
    """One offending value, shown as a failed step under the judgement."""


def _failed_step(finding: str) -> None:
    # Allure marks a step failed only through an exception leaving it.
    with contextlib.suppress(_Finding), allure.step(finding):
        raise _Finding(finding)
