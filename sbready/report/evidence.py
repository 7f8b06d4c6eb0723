"""What each judgement leaves for the reviewer's front page, and the run's one journal.

The suite tests run in a pytest process; the front page is built afterwards from files.
`record()` (suites/support.py) writes one small JSON file per judgement into the evidence
folder the runner names in SBREADY_EVIDENCE_DIR: the sentence, findings, warnings and only
the exchanges the findings refer to ("#12 POST /demo/api/... -> 400"), shortened to what a
reviewer reads. Every exchange it was given goes once into `journal.jsonl` beside them, so
the full journal is kept once per run instead of once per check.
"""

from __future__ import annotations

import json
import os
import re
import threading
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

EVIDENCE_ENV = "SBREADY_EVIDENCE_DIR"
EVIDENCE_DIR_NAME = "sbready-evidence"  # beside allure-results, so Allure never reads it
JOURNAL_FILE = "journal.jsonl"
JOURNAL_REPORT_FILE = "sb-readiness-journal.json"

# "#12 POST ..." or "(#49 ...": the exchange numbers a finding names.
_EXCHANGE_REF = re.compile(r"(?<![\w#])#(\d{1,6})\b")
# Headers a reviewer needs to follow SB's rules; the rest is noise.
MEANINGFUL_HEADERS = (
    "authorization", "accept-version", "content-type", "tracking-identifier", "trackingtoken",
    "retry-after", "location", "www-authenticate", "x-trace-id", "traceid",
)
_BODY_LIMIT = 1200  # characters of a body shown inline; the journal has the rest
_INLINE_LIMIT = 4  # exchanges shown inline per judgement; the journal has every one
_lock = threading.Lock()
_journaled: set[tuple[int, float]] = set()


class SecretRedactor(Protocol):
    """What evidence needs from `sbready.secrets.Redactor`."""

    def redact(self, text: str) -> str:
        """`text` with every known secret replaced."""
        ...


class ExchangeLike(Protocol):
    """The fields of `sbready.sandbox.journal.Exchange` the evidence reads."""

    seq: int
    started: float
    duration_ms: float
    method: str
    url: str
    path: str
    status: int
    request_headers: dict[str, str]
    response_headers: dict[str, str]
    request_body: Any
    response_body: Any
    fault: str | None
    environment: str | None
    api_path: str | None

    def to_json(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class ShortExchange:
    """One exchange as the front page shows it: request line, a few headers, short bodies."""

    seq: int
    time: str  # "18:36:02.114"
    duration_ms: float
    method: str
    url: str
    status: int
    request_headers: dict[str, str]
    response_headers: dict[str, str]
    request_body: str
    response_body: str
    fault: str | None = None
    environment: str | None = None
    api_path: str | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ShortExchange:
        """Read back what `to_json` wrote (unknown keys ignored)."""
        known = {key: data[key] for key in cls.__dataclass_fields__ if key in data}
        return cls(**known)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {key: getattr(self, key) for key in self.__dataclass_fields__}


@dataclass(frozen=True)
class JudgementEvidence:
    """One judgement of one test: what the front page shows for it."""

    check_id: str
    passed: bool
    sentence: str
    findings: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    exchanges: tuple[ShortExchange, ...] = ()
    order: float = 0.0  # when it was recorded, to keep run order
    skipped: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def referenced_seqs(texts: Iterable[str]) -> list[int]:
    """The exchange numbers ("#12") named in `texts`, first seen first."""
    seen: dict[int, None] = {}
    for text in texts:
        for match in _EXCHANGE_REF.finditer(text):
            seen.setdefault(int(match.group(1)), None)
    return list(seen)


def _body_text(body: Any, redactor: SecretRedactor | None) -> str:
    if body is None or body == "" or body == {}:
        return ""
    text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False,
                                                         indent=1, default=str)
    text = redactor.redact(text) if redactor is not None else text
    if len(text) > _BODY_LIMIT:
        rest = len(text) - _BODY_LIMIT
        return text[:_BODY_LIMIT] + f"\n... ({rest} more characters in the journal)"
    return text


def _headers(headers: Mapping[str, str], redactor: SecretRedactor | None) -> dict[str, str]:
    kept = {name: value for name, value in headers.items() if name.lower() in MEANINGFUL_HEADERS}
    if redactor is not None:
        kept = {name: redactor.redact(str(value)) for name, value in kept.items()}
    return kept


def shorten(exchange: ExchangeLike, redactor: SecretRedactor | None = None) -> ShortExchange:
    """The exchange as a reviewer reads it: redacted, a readable time, meaningful headers."""
    url = redactor.redact(exchange.url) if redactor is not None else exchange.url
    return ShortExchange(
        seq=exchange.seq,
        time=datetime.fromtimestamp(exchange.started).strftime("%H:%M:%S.%f")[:-3],
        duration_ms=round(float(exchange.duration_ms), 1),
        method=exchange.method,
        url=url,
        status=exchange.status,
        request_headers=_headers(exchange.request_headers, redactor),
        response_headers=_headers(exchange.response_headers, redactor),
        request_body=_body_text(exchange.request_body, redactor),
        response_body=_body_text(exchange.response_body, redactor),
        fault=exchange.fault,
        environment=exchange.environment,
        api_path=exchange.api_path,
    )


def fault_of(exchange: ExchangeLike) -> dict[str, Any]:
    """Where a fault was injected: the journal's description and the request it hit."""
    return {
        "fault": exchange.fault,
        "method": exchange.method,
        "path": exchange.api_path or exchange.path,
        "environment": exchange.environment,
        "api": exchange.api_path is not None,
    }


def evidence_dir() -> Path | None:
    """The folder the runner asked record() to write into, or None (no front-page evidence)."""
    value = os.environ.get(EVIDENCE_ENV)
    return Path(value) if value else None


def inline_exchanges(
    texts: Sequence[str], exchanges: Sequence[ExchangeLike], redactor: SecretRedactor | None
) -> tuple[ShortExchange, ...]:
    """The exchanges `texts` name, else the faulted ones among `exchanges`, shortened."""
    by_seq = {exchange.seq: exchange for exchange in exchanges}
    chosen = [by_seq[seq] for seq in referenced_seqs(texts) if seq in by_seq]
    if not chosen:  # a finding without numbers: the injected faults say what happened
        chosen = [exchange for exchange in exchanges if exchange.fault][:2]
    return tuple(shorten(exchange, redactor) for exchange in chosen[:_INLINE_LIMIT])


def write_evidence(
    evidence: JudgementEvidence,
    exchanges: Sequence[ExchangeLike] = (),
    *,
    redactor: SecretRedactor | None = None,
    directory: Path | None = None,
) -> Path | None:
    """Write one judgement's evidence file and journal its exchanges once; None when off."""
    folder = directory or evidence_dir()
    if folder is None:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    faults = list(dict.fromkeys(
        json.dumps(fault_of(exchange), sort_keys=True) for exchange in exchanges if exchange.fault))
    data = {
        "check_id": evidence.check_id,
        "passed": evidence.passed,
        "skipped": evidence.skipped,
        "sentence": evidence.sentence,
        "findings": list(evidence.findings),
        "warnings": list(evidence.warnings),
        "exchanges": [exchange.to_json() for exchange in evidence.exchanges],
        "order": evidence.order,
        "extra": {**evidence.extra, "faults": [json.loads(f) for f in faults]},
    }
    text = json.dumps(data, ensure_ascii=False, default=str)
    text = redactor.redact(text) if redactor is not None else text
    path = folder / f"{evidence.check_id}-{uuid.uuid4().hex[:12]}.json"
    path.write_text(text, encoding="utf-8")
    _journal(folder, exchanges, redactor)
    return path


def _journal(folder: Path, exchanges: Sequence[ExchangeLike],
             redactor: SecretRedactor | None) -> None:
    lines: list[str] = []
    with _lock:
        for exchange in exchanges:
            key = (exchange.seq, exchange.started)
            if key in _journaled:
                continue
            _journaled.add(key)
            line = json.dumps(exchange.to_json(), ensure_ascii=False, default=str)
            lines.append(redactor.redact(line) if redactor is not None else line)
        if lines:
            with (folder / JOURNAL_FILE).open("a", encoding="utf-8") as journal:
                journal.write("\n".join(lines) + "\n")


def read_evidence(folder: Path) -> dict[str, list[JudgementEvidence]]:
    """Every judgement's evidence, per check ID, in the order they were recorded."""
    found: dict[str, list[JudgementEvidence]] = {}
    if not folder.is_dir():
        return found
    items: list[JudgementEvidence] = []
    for path in folder.glob("*-*.json"):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            items.append(JudgementEvidence(
                check_id=str(data["check_id"]),
                passed=bool(data["passed"]),
                sentence=str(data.get("sentence") or ""),
                findings=tuple(str(f) for f in data.get("findings") or ()),
                warnings=tuple(str(w) for w in data.get("warnings") or ()),
                exchanges=tuple(ShortExchange.from_json(e) for e in data.get("exchanges") or ()),
                order=float(data.get("order") or 0.0),
                skipped=bool(data.get("skipped")),
                extra=dict(data.get("extra") or {}),
            ))
        except (OSError, ValueError, KeyError, TypeError):
            continue  # one unreadable file must not cost the reviewer the report
    for item in sorted(items, key=lambda i: i.order):
        found.setdefault(item.check_id, []).append(item)
    return found


def write_journal_report(folder: Path, output: Path) -> Path | None:
    """The run's whole journal as one JSON list in arrival order (`output`); None if empty."""
    source = folder / JOURNAL_FILE
    if not source.is_file():
        return None
    entries = []
    for line in source.read_text(encoding="utf-8").splitlines():
        try:
            entries.append(json.loads(line))
        except ValueError:
            continue
    entries.sort(key=lambda e: (float(e.get("started") or 0), int(e.get("seq") or 0)))
    output.write_text(json.dumps(entries, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return output
