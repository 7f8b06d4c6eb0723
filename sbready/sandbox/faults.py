"""Faults the sandbox injects into API exchanges, to see how the app under test copes.

Kinds:
- "status": answer `status` (401, 403, 429, 500, 503, ...) with AFAS's error body;
  429 (and any status given `retry_after`) carries a Retry-After header.
- "ds3100": answer 400 with AFAS's DS3100 validation body, without processing.
- "write_result": answer 200 with result `result` ("Failed" or "PartiallySucceeded") as SB
  documents it and consistent with the store (see writes.py): a Failed with `made=True` (the
  default, 6.0.0's "Entity is made with one or more errors ... delete ... with id") and a
  PartiallySucceeded are processed, so what the answer says was made exists; a Failed with
  `made=False` is not processed. A retry with the same Tracking-Identifier gets the same answer.
  Meant for writes whose documented answer carries result/instances/errors (not blob PUTs).
- "delay": wait `delay` seconds, then answer normally.
- "timeout": hold the request `hold` seconds (or until the client gives up), then close the
  connection without an answer; the request is not processed.
- "response_lost": process the request normally (the write lands), then close the
  connection without an answer.
- "body": answer `status` (200 unless given) with the JSON `body` instead of the store's
  answer, without processing (e.g. spec-valid but unusual list answers).

A rule applies to /api/ requests; it applies to the auth endpoints (token, app-token
exchange, getscopes) only when its `path` names them explicitly (e.g. path="/app/token";
path="*" matches every SB endpoint). `skip=N` lets the first N matching requests through
untouched (e.g. a 401 on the sync's second API call, after the app has its token).
A "status" 401 also makes the access token the request presented invalid: SB rejects that
token from then on, so a retry with the same token fails too (our assumption).
"""

from __future__ import annotations

import fnmatch
import re
import threading
from dataclasses import dataclass
from typing import Any

FAULT_KINDS = ("status", "ds3100", "write_result", "delay", "timeout", "response_lost", "body")
_WRITE_RESULTS = ("Failed", "PartiallySucceeded")


@dataclass(frozen=True)
class FaultRule:
    """What to inject, into which requests, how many times (`times=None`: every time)."""

    kind: str
    operation_id: str | None = None
    method: str | None = None
    path: str | None = None  # regex (full match) or glob on the path inside the environment
    environment: str | None = None
    times: int | None = 1
    skip: int = 0  # let this many matching requests through before the fault applies
    status: int | None = None
    retry_after: float | None = None
    delay: float = 0.0
    hold: float = 10.0
    result: str | None = None
    made: bool = True  # write_result Failed: SB made the entry anyway (AFAS's own examples)
    body: Any = None  # the JSON a "body" fault answers

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            kinds = ", ".join(FAULT_KINDS)
            raise ValueError(f"unknown fault kind {self.kind!r}; use one of {kinds}")
        if self.times is not None and self.times < 1:
            raise ValueError("times must be at least 1 (or None for every matching request)")
        if self.kind == "body" and self.status is not None and not 200 <= self.status <= 599:
            raise ValueError(f"a body fault needs an HTTP status, not {self.status}")
        if self.kind == "status" and self.status is not None and not 400 <= self.status <= 599:
            raise ValueError(f"a status fault needs a 4xx or 5xx status, not {self.status}")
        if self.kind == "write_result" and self.result not in (None, *_WRITE_RESULTS):
            raise ValueError(f"write_result must be one of {', '.join(_WRITE_RESULTS)}")
        if self.kind == "write_result" and self.result == "PartiallySucceeded" and not self.made:
            raise ValueError("a PartiallySucceeded always made something; drop made=False")
        if isinstance(self.skip, bool) or not isinstance(self.skip, int) or self.skip < 0:
            raise ValueError("skip must be a whole number >= 0 (matching requests let through)")
        if self.delay < 0 or self.hold < 0:
            raise ValueError("delay and hold must not be negative")

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FaultRule:
        """A rule from the control API's JSON (same names as the constructor)."""
        if not isinstance(data, dict) or "kind" not in data:
            raise ValueError('a fault needs a JSON object with at least "kind"')
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown fault fields {', '.join(unknown)}")
        try:
            return cls(**data)
        except TypeError as error:
            raise ValueError(str(error)) from error

    @property
    def answer_status(self) -> int:
        """The status a "status" fault answers (503 unless given)."""
        return self.status or 503

    def describe(self) -> str:
        """One line for the journal's `fault` field."""
        if self.kind == "status":
            extra = f", Retry-After {self.retry_after:g}" if self.retry_after is not None else ""
            return f"status {self.answer_status}{extra}"
        if self.kind == "write_result":
            result = self.result or "Failed"
            made = " (entry made)" if self.made else " (nothing made)"
            return f"write_result {result}{made if result == 'Failed' else ''}"
        if self.kind == "delay":
            return f"delay {self.delay:g} s"
        if self.kind == "timeout":
            return f"timeout: held {self.hold:g} s, then dropped without an answer"
        if self.kind == "response_lost":
            return "response_lost: processed, then dropped without an answer"
        if self.kind == "body":
            return f"body: answered {self.status or 200} with a given body"
        return "ds3100"

    def matches(
        self, *, environment: str, method: str, path: str, operation_id: str | None, is_api: bool
    ) -> bool:
        """True when this rule targets the request."""
        if not is_api and not (self.path and _path_matches(self.path, path)):
            return False
        return (
            (self.environment is None or self.environment == environment)
            and (self.method is None or self.method.upper() == method.upper())
            and (self.operation_id is None or self.operation_id == operation_id)
            and (self.path is None or _path_matches(self.path, path))
        )


def _path_matches(pattern: str, path: str) -> bool:
    if fnmatch.fnmatchcase(path, pattern):
        return True
    try:
        return re.fullmatch(pattern, path) is not None
    except re.error:
        return False


class FaultBook:
    """The active fault rules; each matching request consumes one occurrence."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: dict[str, tuple[FaultRule, int | None]] = {}
        self._skipped: dict[str, int] = {}  # rule id -> matching requests let through so far
        self._counter = 0

    def add(self, rule: FaultRule) -> str:
        """Activate `rule`; returns its id (e.g. "fault-1")."""
        with self._lock:
            self._counter += 1
            rule_id = f"fault-{self._counter}"
            self._rules[rule_id] = (rule, rule.times)
            return rule_id

    def clear(self) -> None:
        """Remove every rule."""
        with self._lock:
            self._rules.clear()
            self._skipped.clear()

    def active(self) -> dict[str, FaultRule]:
        """The rules with occurrences left, by id."""
        with self._lock:
            return {rule_id: rule for rule_id, (rule, _) in self._rules.items()}

    def take(
        self, *, environment: str, method: str, path: str, operation_id: str | None, is_api: bool
    ) -> tuple[str, FaultRule] | None:
        """The first matching rule (oldest first), consuming one of its occurrences."""
        with self._lock:
            for rule_id, (rule, left) in self._rules.items():
                if not rule.matches(
                    environment=environment,
                    method=method,
                    path=path,
                    operation_id=operation_id,
                    is_api=is_api,
                ):
                    continue
                if self._skipped.get(rule_id, 0) < rule.skip:
                    self._skipped[rule_id] = self._skipped.get(rule_id, 0) + 1
                    continue  # let it through; a later rule may still match
                if left is None:
                    return rule_id, rule
                if left <= 1:
                    del self._rules[rule_id]
                    self._skipped.pop(rule_id, None)
                else:
                    self._rules[rule_id] = (rule, left - 1)
                return rule_id, rule
        return None
