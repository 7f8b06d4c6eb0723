"""What a check returns: a sentence a reviewer reads, plus the offending values."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from checks.catalog import check_info


@dataclass(frozen=True)
class Judgement:
    """The outcome of one check over recorded evidence."""

    check_id: str
    passed: bool
    sentence: str  # one sentence: what was expected, what came
    findings: tuple[str, ...] = ()  # one line per offending value, where it was seen
    warnings: tuple[str, ...] = ()  # worth telling the partner, not a failure
    evidence: dict[str, Any] = field(default_factory=dict)  # small, redacted values

    def message(self) -> str:
        """The failure text for pytest/Allure/JUnit: sentence, then findings."""
        lines = [f"{self.check_id}: {self.sentence}"]
        lines += [f"  - {finding}" for finding in self.findings]
        return "\n".join(lines)


def passed(
    check_id: str, sentence: str, *, warnings: list[str] | None = None, **evidence: Any
) -> Judgement:
    """A passing judgement."""
    check_info(check_id)  # an unknown ID is a programming error, caught at once
    return Judgement(check_id, True, sentence, (), tuple(warnings or ()), evidence)


def failed(
    check_id: str,
    sentence: str,
    findings: list[str] | None = None,
    *,
    warnings: list[str] | None = None,
    **evidence: Any,
) -> Judgement:
    """A failing judgement; the sentence says what AFAS expects and what the app did."""
    check_info(check_id)
    return Judgement(
        check_id, False, sentence, tuple(findings or ()), tuple(warnings or ()), evidence
    )


def judge(
    check_id: str,
    findings: list[str],
    ok: str,
    bad: str,
    *,
    warnings: list[str] | None = None,
    **evidence: Any,
) -> Judgement:
    """Pass with `ok` when there are no findings, else fail with `bad` and the findings.

    `warnings` travel with either outcome; they never decide it.
    """
    if findings:
        return failed(check_id, bad, findings, warnings=warnings, **evidence)
    return passed(check_id, ok, warnings=warnings, **evidence)
