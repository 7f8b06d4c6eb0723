"""Allure labels and attachments for the suite tests: one check ID per test, evidence as prose.

Every suite test calls `label_check` first, so the report groups tests by review area
(epic) and check (feature), and the verdict can find each test's check through the
`check_id` label. Attachments pass through an optional redactor before they reach the
results directory, so a secret the journal missed still never lands in the report.

Warnings (worth telling the partner, never a failure) are written by `mark_warnings`, the
one place that encodes them: one `warning` label per warning (its value is the warning
text; the verdict, verdict.json, JUnit and the console read these), one `warning` tag (a
marker in the report's test list) and a readable step "Warning: ..." per warning. Any
status can carry them: passed, failed or skipped.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import allure

from checks.catalog import CHECKS, CheckInfo, area_name, check_text
from sbready.sandbox.journal import Exchange

CHECK_ID_LABEL = "check_id"
WARNING_LABEL = "warning"  # one label per warning; the value is the warning's text
WARNING_TAG = "warning"  # one tag per warned test, so the report's list marks it
LANG_ENV = "SBREADY_REPORT_LANG"  # "nl": Dutch titles, areas and descriptions in Allure

_SEVERITY_LEVELS = {
    "blocker": allure.severity_level.BLOCKER,
    "critical": allure.severity_level.CRITICAL,
    "normal": allure.severity_level.NORMAL,
    "minor": allure.severity_level.MINOR,
}

# Facts worth a column in the readable summary; the full facts stay in the JSON attachment.
_SUMMARY_FACT_LIMIT = 4


class SecretRedactor(Protocol):
    """What the attachments need from `sbready.secrets.Redactor`."""

    def redact(self, text: str) -> str:
        """`text` with every known secret replaced."""
        ...

    def redact_json(self, value: Any) -> Any:
        """A copy of a JSON-like value with every known secret replaced."""
        ...


class CheckJudgement(Protocol):
    """What `report_judgement` needs from `checks.judgement.Judgement`."""

    @property
    def check_id(self) -> str: ...
    @property
    def passed(self) -> bool: ...
    @property
    def sentence(self) -> str: ...
    @property
    def findings(self) -> tuple[str, ...]: ...
    @property
    def warnings(self) -> tuple[str, ...]: ...
    @property
    def evidence(self) -> dict[str, Any]: ...


class CheckFailed(AssertionError):
    """A check's judgement failed; the message is the evidence sentence, prefixed by the ID."""

    def __init__(self, check_id: str, evidence: str) -> None:
        super().__init__(f"{check_id}: {evidence}")
        self.check_id = check_id
        self.evidence = evidence


def _lang() -> str:
    # the runner passes the report's language to the pytest process
    return "nl" if os.environ.get(LANG_ENV, "").lower() == "nl" else "en"


def check_description(info: CheckInfo, lang: str = "en") -> str:
    """The markdown description a reviewer sees on the test page (English or Dutch)."""
    from sbready.report.i18n import text

    title, passes_when, must_fail_for = check_text(info.id, lang)
    area = area_name(info.id.split("-")[0], lang)
    consequence = text("decides" if info.decides_verdict else "reported", lang)
    return (
        f"**{info.id} — {title}** ({area}, {text('severity', lang)} {info.severity})\n\n"
        f"**{text('passes_when', lang)}:** {passes_when}\n\n"
        f"**{text('fails_for', lang)}:** {must_fail_for}\n\n"
        f"{consequence}"
    )


def label_check(check_id: str, *, scenario: str | None = None) -> None:
    """Label the running test as evidence for `check_id` (title, area, severity, description).

    `scenario` tells apart several tests of one check, e.g. "wrong state"; it is appended
    to the title. An unknown ID is a programming error in a suite, hence KeyError.
    """
    info = CHECKS[check_id]
    lang = _lang()
    title = f"{info.id} {check_text(check_id, lang)[0]}"
    allure.dynamic.title(f"{title} — {scenario}" if scenario else title)
    allure.dynamic.epic(area_name(check_id.split("-")[0], lang))
    allure.dynamic.feature(title)
    allure.dynamic.severity(_SEVERITY_LEVELS[info.severity])
    allure.dynamic.label(CHECK_ID_LABEL, info.id)
    allure.dynamic.tag(info.id)
    allure.dynamic.description(check_description(info, lang))


def _redacted_text(text: str, redactor: SecretRedactor | None) -> str:
    return redactor.redact(text) if redactor is not None else text


def mark_warnings(warnings: Sequence[str], *, redactor: SecretRedactor | None = None) -> None:
    """Put each warning into the running test's Allure result (label, tag, readable step).

    Repeated warnings are written once. Nothing is written when there are none, so the
    `warning` tag marks exactly the tests that warned.
    """
    unique = list(dict.fromkeys(_redacted_text(warning, redactor).strip()
                                for warning in warnings if warning.strip()))
    if not unique:
        return
    allure.dynamic.label(WARNING_LABEL, *unique)
    allure.dynamic.tag(WARNING_TAG)
    for warning in unique:
        with allure.step(f"Warning: {warning}"):
            pass


def _json_text(value: Any, redactor: SecretRedactor | None) -> str:
    if redactor is not None:
        value = redactor.redact_json(value)
    text = json.dumps(value, indent=2, ensure_ascii=False, default=str, sort_keys=False)
    # Second pass over the serialised text catches secrets inside values redact_json skipped.
    return _redacted_text(text, redactor)


def attach_text(name: str, text: str, *, redactor: SecretRedactor | None = None) -> None:
    """Attach plain text (redacted) to the running test."""
    allure.attach(_redacted_text(text, redactor), name=name,
                  attachment_type=allure.attachment_type.TEXT)


def attach_json(name: str, value: Any, *, redactor: SecretRedactor | None = None) -> None:
    """Attach a JSON-ready value (redacted, pretty-printed) to the running test."""
    allure.attach(_json_text(value, redactor), name=name,
                  attachment_type=allure.attachment_type.JSON)


def attach_exchanges(
    name: str, exchanges: Sequence[Exchange], *, redactor: SecretRedactor | None = None
) -> None:
    """Attach the full journal entries (already redacted at capture, redacted again here)."""
    attach_json(name, [exchange.to_json() for exchange in exchanges], redactor=redactor)


def _key_facts(exchange: Exchange) -> str:
    notes: list[str] = [exchange.kind]
    if exchange.operation_id:
        notes.append(exchange.operation_id)
    if exchange.fault:
        notes.append(f"fault: {exchange.fault}")
    facts: Mapping[str, Any] = exchange.facts
    for key, value in list(facts.items())[:_SUMMARY_FACT_LIMIT]:
        notes.append(f"{key}={value}")
    if len(facts) > _SUMMARY_FACT_LIMIT:
        notes.append(f"+{len(facts) - _SUMMARY_FACT_LIMIT} more facts")
    return "; ".join(notes)


def exchange_summary(exchanges: Sequence[Exchange]) -> str:
    """A text table, one line per exchange: seq, method, path, status and key facts."""
    header = ("seq", "method", "path", "status", "notes")
    rows = [
        (
            str(exchange.seq),
            exchange.method,
            exchange.path,
            str(exchange.status) if exchange.status else "dropped",
            _key_facts(exchange),
        )
        for exchange in exchanges
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(4)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row[:4], widths, strict=True))
        + "  "
        + row[4]
        for row in [header, *rows]
    ]
    if not rows:
        lines.append("(no exchanges recorded)")
    return "\n".join(line.rstrip() for line in lines) + "\n"


def attach_exchange_summary(
    name: str, exchanges: Sequence[Exchange], *, redactor: SecretRedactor | None = None
) -> None:
    """Attach `exchange_summary` as text, so a reviewer reads the traffic like prose."""
    attach_text(name, exchange_summary(exchanges), redactor=redactor)


def judgement_text(judgement: CheckJudgement) -> str:
    """The judgement as prose: sentence, then one line per finding and per warning."""
    lines = [judgement.sentence]
    lines += [f"  - {finding}" for finding in judgement.findings]
    lines += [f"  warning: {warning}" for warning in judgement.warnings]
    return "\n".join(lines)


def report_judgement(judgement: CheckJudgement, *, redactor: SecretRedactor | None = None) -> None:
    """Attach a check's judgement and evidence; raise CheckFailed when it failed.

    The failure message is the (redacted) sentence and findings, so the Allure status
    message, the terminal summary and JUnit all carry the same evidence.
    """
    attach_text("Judgement", judgement_text(judgement), redactor=redactor)
    mark_warnings(judgement.warnings, redactor=redactor)
    if judgement.evidence:
        attach_json("Evidence", judgement.evidence, redactor=redactor)
    if not judgement.passed:
        lines = [judgement.sentence, *(f"  - {finding}" for finding in judgement.findings)]
        raise CheckFailed(judgement.check_id, _redacted_text("\n".join(lines), redactor))
