"""The READY / NOT READY verdict, read back from Allure's result files.

Each suite test carries a `check_id` label (see allure_labels.label_check). Several tests
may judge one check; the check's status is the worst of theirs, where a definite failure
outranks a broken test (the failure is the more useful evidence), and both decide the
verdict when the check is blocker or critical. Checks that never ran are listed as
"not run": a partial run says so instead of looking complete.

Warnings (the `warning` labels, see allure_labels.mark_warnings) are collected per check
over all its tests, de-duplicated, and shown in the summary, verdict.json and JUnit. They
never change a check's status or the verdict.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from checks.catalog import AREAS, AREAS_NL, CHECKS, REVIEW_ORDER
from sbready.report.allure_labels import CHECK_ID_LABEL, WARNING_LABEL

STATUS_RANK = {"passed": 0, "skipped": 1, "unknown": 2, "broken": 3, "failed": 4}
COUNTED_STATUSES = ("passed", "failed", "broken", "skipped")
FAILING_STATUSES = ("failed", "broken")
VERDICT_FILE = "verdict.json"

_STATUS_WORD = {"failed": "FAIL", "broken": "BROKEN", "skipped": "SKIP", "unknown": "UNKNOWN"}
_MESSAGE_WIDTH = 110
# Console lines per check's warnings; the rest are counted, and verdict.json lists them all.
WARNINGS_SHOWN_PER_CHECK = 3
# "pkg.module.CheckFailed: ONB-06: evidence" -> "evidence": the exception class adds nothing.
_EXCEPTION_PREFIX = re.compile(r"^(?:[A-Za-z_][\w]*\.)*[A-Za-z_]\w*(?:Error|Exception|Failed):\s*")


@dataclass(frozen=True)
class CheckResult:
    """One check's outcome, merged over every test that carried its ID."""

    check_id: str
    status: str  # passed, failed, broken, skipped or unknown
    severity: str
    area: str
    name: str  # the test title of the worst test
    message: str | None  # statusDetails.message of the worst test
    tests: int = 1
    warnings: tuple[str, ...] = ()  # every test's warnings, first seen first, no repeats

    @property
    def decides_verdict(self) -> bool:
        """A failing blocker or critical check makes the verdict NOT READY."""
        # "unknown" (a crashed result writer) is not evidence of readiness either.
        failing = self.status in FAILING_STATUSES or self.status == "unknown"
        return failing and self.severity in ("blocker", "critical")


@dataclass(frozen=True)
class AreaCounts:
    """How the checks of one review area ended."""

    passed: int = 0
    failed: int = 0
    broken: int = 0
    skipped: int = 0
    not_run: int = 0
    warnings: int = 0  # warnings of the area's checks; not a status, never in the verdict


@dataclass(frozen=True)
class Verdict:
    """The overall judgement of one run."""

    ready: bool
    blocking: tuple[CheckResult, ...]
    areas: dict[str, AreaCounts]
    not_run: tuple[str, ...]
    results: tuple[CheckResult, ...] = field(default=())
    target: str = "sandbox"  # "live": a live subset against AFAS's development environment

    @property
    def warnings(self) -> list[tuple[str, str]]:
        """(check ID, warning) for every warning, in check order."""
        return [(r.check_id, warning) for r in self.results for warning in r.warnings]

    @property
    def headline(self) -> str:
        """"READY" or "NOT READY (2 blocker, 1 critical failures)"."""
        if self.ready:
            return "READY"
        if not self.results:
            return "NOT READY (no checks ran)"
        counts = {sev: sum(1 for r in self.blocking if r.severity == sev)
                  for sev in ("blocker", "critical")}
        parts = [f"{n} {sev}" for sev, n in counts.items() if n]
        return f"NOT READY ({', '.join(parts)} failures)"


def _label(result: dict[str, Any], name: str) -> str | None:
    for label in result.get("labels") or []:
        if label.get("name") == name:
            value = label.get("value")
            return str(value) if value is not None else None
    return None


def _labels(result: dict[str, Any], name: str) -> tuple[str, ...]:
    values = (label.get("value") for label in result.get("labels") or []
              if isinstance(label, dict) and label.get("name") == name)
    return tuple(dict.fromkeys(str(value) for value in values if value))


def _start_time(raw: dict[str, Any]) -> int:
    start = raw.get("start")
    return start if isinstance(start, int) else 0


def _check_result_from_json(raw: dict[str, Any]) -> CheckResult | None:
    check_id = _label(raw, CHECK_ID_LABEL)
    if check_id is None:
        return None  # a test that judges no check (e.g. a harness self-test)
    info = CHECKS.get(check_id)
    status = str(raw.get("status") or "unknown")
    details = raw.get("statusDetails") or {}
    return CheckResult(
        check_id=check_id,
        status=status if status in STATUS_RANK else "unknown",
        severity=_label(raw, "severity") or (info.severity if info else "normal"),
        # the catalog's (English) area: the Allure epic may be in Dutch
        area=info.area if info else (_label(raw, "epic") or "Unknown area"),
        name=str(raw.get("name") or check_id),
        message=details.get("message"),
        warnings=_labels(raw, WARNING_LABEL),
    )


def _worse(current: CheckResult, other: CheckResult) -> CheckResult:
    tests = current.tests + other.tests
    pick = other if STATUS_RANK[other.status] > STATUS_RANK[current.status] else current
    warnings = tuple(dict.fromkeys((*current.warnings, *other.warnings)))
    return CheckResult(pick.check_id, pick.status, pick.severity, pick.area, pick.name,
                       pick.message, tests, warnings)


def _catalog_order(check_id: str) -> tuple[int, str]:
    ids = list(CHECKS)
    return (ids.index(check_id), "") if check_id in CHECKS else (len(ids), check_id)


def read_results(results_dir: Path) -> list[CheckResult]:
    """One CheckResult per check ID found in Allure's *-result.json files, catalog order.

    Unreadable result files are skipped: Allure itself tolerates them and the HTML build
    should not fail on one truncated file.
    """
    raws: list[dict[str, Any]] = []
    for path in sorted(Path(results_dir).glob("*-result.json")):
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(raw, dict):
            raws.append(raw)
    # In the order the tests ran (file names are random), so merged warnings read in run order.
    raws.sort(key=_start_time)
    merged: dict[str, CheckResult] = {}
    for raw in raws:
        result = _check_result_from_json(raw)
        if result is None:
            continue
        known = merged.get(result.check_id)
        merged[result.check_id] = result if known is None else _worse(known, result)
    return sorted(merged.values(), key=lambda r: _catalog_order(r.check_id))


def decide(results: Sequence[CheckResult], *, expected: Iterable[str] | None = None) -> Verdict:
    """The verdict over `results`; `expected` (default: the whole catalog) finds "not run"."""
    expected_ids = list(CHECKS if expected is None else expected)
    ran = {r.check_id for r in results}
    not_run = tuple(check_id for check_id in expected_ids if check_id not in ran)
    tally_keys = (*COUNTED_STATUSES, "not_run", "warnings")
    tallies: dict[str, dict[str, int]] = {
        area: dict.fromkeys(tally_keys, 0) for area in AREAS.values()
    }
    for result in results:
        area = tallies.setdefault(result.area, dict.fromkeys(tally_keys, 0))
        # "unknown" is rare (a crashed writer); it counts as broken, honest but not hidden.
        key = result.status if result.status in COUNTED_STATUSES else "broken"
        area[key] += 1
        area["warnings"] += len(result.warnings)
    for check_id in not_run:
        if check_id in CHECKS:
            tallies[CHECKS[check_id].area]["not_run"] += 1
    blocking = tuple(r for r in results if r.decides_verdict)
    return Verdict(
        ready=bool(results) and not blocking,
        blocking=blocking,
        areas={area: AreaCounts(**counts) for area, counts in tallies.items()},
        not_run=not_run,
        results=tuple(results),
    )


def _shortened(line: str) -> str:
    return line[: _MESSAGE_WIDTH - 3] + "..." if len(line) > _MESSAGE_WIDTH else line


def first_line(message: str | None, check_id: str = "") -> str:
    """The first line of a failure message without the exception class or repeated ID."""
    if not message:
        return "(no message)"
    line = message.strip().splitlines()[0] if message.strip() else ""
    line = _EXCEPTION_PREFIX.sub("", line)
    if check_id and line.startswith(f"{check_id}: "):
        line = line[len(check_id) + 2:]
    return _shortened(line) or "(no message)"


def warning_lines(results: Sequence[CheckResult], *, lang: str = "en") -> list[str]:
    """One "WARN INT-09: ..." line per warning, at most a few per check, then how many more."""
    from sbready.report.nl import translate

    lines: list[str] = []
    for result in results:
        for warning in result.warnings[:WARNINGS_SHOWN_PER_CHECK]:
            line = " ".join(translate(warning, lang).split())  # one line, whatever was written
            lines.append(_shortened(f"WARN {result.check_id}: {line}"))
        hidden = len(result.warnings) - WARNINGS_SHOWN_PER_CHECK
        if hidden > 0 and lang == "nl":
            lines.append(f"WARN {result.check_id}: ... en nog {hidden} waarschuwing"
                         f"{'en' if hidden > 1 else ''} (alle in verdict.json)")
        elif hidden > 0:
            lines.append(f"WARN {result.check_id}: ... and {hidden} more "
                         f"warning{'s' if hidden > 1 else ''} (all in verdict.json)")
    return lines


def headline_in(verdict: Verdict, lang: str = "en") -> str:
    """The headline in `lang`: "NIET GEREED (2 blocker, 1 critical failures)" in Dutch."""
    if lang != "nl":
        return verdict.headline
    if verdict.ready:
        return "GEREED"
    if not verdict.results:
        return "NIET GEREED (er zijn geen checks uitgevoerd)"
    counts = {sev: sum(1 for r in verdict.blocking if r.severity == sev)
              for sev in ("blocker", "critical")}
    parts = [f"{n} {sev}" for sev, n in counts.items() if n]
    return f"NIET GEREED ({', '.join(parts)}-fouten)"


def _area_in(area: str, lang: str) -> str:
    prefix = next((key for key, name in AREAS.items() if name == area), None)
    return AREAS_NL[prefix] if lang == "nl" and prefix else area


def summary_lines(results: Sequence[CheckResult], *, verdict: Verdict | None = None,
                  lang: str = "en") -> list[str]:
    """The terminal summary: a per-area table, one line per non-passing check, the verdict.

    `lang="nl"` gives the Dutch area names, headers and verdict; findings are translated
    where sbready/report/nl.py has a pattern.
    """
    from sbready.report.i18n import text
    from sbready.report.nl import translate

    verdict = verdict or decide(results)
    order = [AREAS[prefix] for prefix in REVIEW_ORDER if AREAS[prefix] in verdict.areas]
    order += [area for area in verdict.areas if area not in order]
    area_width = max(len(_area_in(area, lang)) for area in verdict.areas)
    columns = [text(key, lang) for key in ("c_passed", "c_failed", "c_broken", "c_skipped",
                                            "c_not_run", "c_warnings")]
    widths = [max(len(column), 6) for column in columns]
    header = f"{text('c_area', lang):<{area_width}}  " + "  ".join(
        f"{column:>{width}}" for column, width in zip(columns, widths, strict=True))
    if lang != "nl":  # the English header as it always was (CI logs are grepped)
        header = f"{'Area':<{area_width}}  passed  failed  broken  skipped  not run  warnings"
        widths = [6, 6, 6, 7, 7, 8]
    lines = [header, "-" * len(header)]
    for area in order:
        c = verdict.areas[area]
        values = (c.passed, c.failed, c.broken, c.skipped, c.not_run, c.warnings)
        lines.append(f"{_area_in(area, lang):<{area_width}}  " + "  ".join(
            f"{value:>{width}}" for value, width in zip(values, widths, strict=True)))
    non_passing = [r for r in results if r.status != "passed"]
    if non_passing:
        lines.append("")
    for result in sorted(non_passing, key=lambda r: -STATUS_RANK[r.status]):
        word = _STATUS_WORD.get(result.status, result.status.upper())
        message = first_line(result.message, result.check_id)
        if lang == "nl":
            word = {"FAIL": "FOUT", "SKIP": "NVT"}.get(word, word)
            message = _shortened(translate(message, lang))
        lines.append(f"{word:<7}{result.check_id:<8}{result.severity:<9}{message}")
    warned = warning_lines(results, lang=lang)
    if warned:
        lines.append("")
        lines += warned
    if verdict.not_run:
        lines.append("")
        lines += textwrap.wrap(text("not_run", lang, count=len(verdict.not_run),
                                    ids=", ".join(verdict.not_run)),
                               width=_MESSAGE_WIDTH, subsequent_indent="  ")
    lines.append("")
    lines.append(f"{text('c_verdict', lang)}: {headline_in(verdict, lang)}")
    if verdict.ready and verdict.not_run:
        lines.append("(" + text("ready_partial", lang, ran=len(results),
                                count=len(verdict.not_run)) + ")")
    return lines


def verdict_json(verdict: Verdict) -> dict[str, Any]:
    """The machine-readable verdict for CI."""
    return {
        "verdict": "READY" if verdict.ready else "NOT READY",
        "headline": verdict.headline,
        "target": verdict.target,
        "ready": verdict.ready,
        "complete": not verdict.not_run,
        "blocking": [r.check_id for r in verdict.blocking],
        "not_run": list(verdict.not_run),
        "areas": {area: asdict(counts) for area, counts in verdict.areas.items()},
        # Worth telling the partner, never part of the verdict.
        "warnings": [{"id": check_id, "message": message}
                     for check_id, message in verdict.warnings],
        "checks": [
            {
                "id": r.check_id,
                "status": r.status,
                "severity": r.severity,
                "area": r.area,
                "title": CHECKS[r.check_id].title if r.check_id in CHECKS else r.name,
                "tests": r.tests,
                "message": first_line(r.message, r.check_id) if r.status != "passed" else None,
            }
            for r in verdict.results
        ],
    }


def write_verdict_json(verdict: Verdict, directory: Path) -> Path:
    """Write `verdict.json` into `directory` and return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / VERDICT_FILE
    path.write_text(json.dumps(verdict_json(verdict), indent=2) + "\n", encoding="utf-8")
    return path
