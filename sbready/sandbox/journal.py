"""CONTRACT (types fixed; Journal to be implemented): every exchange the sandbox sees.

Secrets are redacted at capture: the Exchange never holds a client secret, code,
code_verifier, access/refresh/app token or password. Where a later judgement needs
the secret, the sandbox stores a derived fact in `facts` (e.g. "verifier_matches_challenge")
or a stable fingerprint ("fp:" + 12 hex chars of a per-run keyed hash). Which fact keys each
exchange kind may carry, and their types, is declared in sbready/evidence.py; `add` checks.

Memory stays bounded in a long-running sandbox (`JournalLimits`): JSON bodies are kept as
their compact (already redacted) bytes and parsed when read; the journal keeps the last
`max_exchanges` exchanges, and the response bodies of successful GETs (pages of records, the
bulk of the bytes) up to `read_body_budget` bytes in total, the oldest dropped first (their
body becomes BODY_DROPPED). Write, error and auth bodies, which the checks judge, stay as
long as their exchange.
"""

from __future__ import annotations

import bisect
import json
import logging
import os
import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Any

REDACTED = "[redacted]"
# "1": a fact key its kind does not declare (sbready/evidence.py) raises; the harness's own
# tests switch it on, a partner's run only logs it once
STRICT_FACTS_ENV = "SBREADY_STRICT_FACTS"
_log = logging.getLogger(__name__)


class UnknownFactError(ValueError):
    """A writer set a fact its exchange kind does not declare (a misspelt key)."""
BODY_DROPPED = "[body dropped: the journal keeps the most recent successful GET bodies only]"


class PackedJson(bytes):
    """The compact UTF-8 JSON text of an already redacted body; parsed when read."""


class _Body:
    """An Exchange attribute that keeps a PackedJson as bytes and answers it parsed."""

    def __init__(self, name: str) -> None:
        self._slot = f"_{name}_stored"

    def __get__(self, instance: Any, owner: Any = None) -> Any:
        if instance is None:
            return self
        stored = instance.__dict__.get(self._slot)
        return json.loads(stored) if isinstance(stored, PackedJson) else stored

    def __set__(self, instance: Any, value: Any) -> None:
        instance.__dict__[self._slot] = value


def stored_body(exchange: Exchange, name: str) -> Any:
    """The body as kept (a PackedJson, a parsed value, text or None), without parsing it."""
    return exchange.__dict__.get(f"_{name}_stored")


def body_size(value: Any) -> int:
    """Roughly how many bytes a kept body holds (its JSON length for parsed values)."""
    if value is None:
        return 0
    if isinstance(value, bytes | str):
        return len(value)
    return len(json.dumps(value, ensure_ascii=False, default=str))


@dataclass
class Exchange:
    """One request the sandbox received and what it answered, redacted."""

    seq: int  # 1, 2, 3 ... in arrival order
    started: float  # time.time() when the request arrived
    duration_ms: float
    environment: str | None  # "demo", "admin", or None for base-level paths (/app/token)
    kind: str  # "api", "authorize", "consent", "token", "getaccesstoken", "getscopes",
    #            "control", "unknown"
    client_id: str | None  # the OAuth client / app the request is attributed to
    method: str
    url: str  # full URL with secret query values redacted
    path: str  # path without query, e.g. "/demo/api/ledgeraccounts"
    api_path: str | None  # path inside the environment for api calls, e.g. "/api/ledgeraccounts"
    query: dict[str, list[str]]  # redacted
    request_headers: dict[str, str]  # lower-case names; Authorization -> "Bearer fp:..."
    request_content_type: str | None
    request_body: Any  # parsed JSON, form dict, text, or None; redacted
    status: int  # 0 when the connection was dropped without an answer
    response_headers: dict[str, str]
    response_body: Any  # parsed JSON, or text (HTML truncated to 20 kB); redacted
    operation_id: str | None  # the matched spec operation, if any
    fault: str | None = None  # description of the fault injected into this exchange, if any
    facts: dict[str, Any] = field(default_factory=dict)  # derived facts, see module doc

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (for export, attachments)."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


for _name in ("request_body", "response_body"):
    setattr(Exchange, _name, _Body(_name))  # after @dataclass: its __init__ sets through it


@dataclass(frozen=True)
class JournalLimits:
    """How much a journal keeps (see the module doc); None: no limit."""

    max_exchanges: int | None = 20_000
    read_body_budget: int | None = 32 * 1024 * 1024  # bytes of successful GET bodies

    def describe(self) -> str:
        """One line for the sandbox's banner."""
        count = "every exchange" if self.max_exchanges is None else \
            f"the last {self.max_exchanges:,} exchanges"
        budget = "all successful GET bodies" if self.read_body_budget is None else \
            f"successful GET bodies up to {self.read_body_budget / 2**20:g} MiB in total " \
            "(oldest dropped first)"
        return f"journal keeps {count}; {budget}; write, error and auth bodies with their " \
               "exchange; every body redacted and cut at 64 kB"


class Journal:
    """The sandbox's record of exchanges, in arrival order; safe to read from other threads.

    Sequence numbers are handed out when a request arrives (`next_seq`); the exchange is
    added when it completes, so a held request appears late but with its arrival number.
    """

    def __init__(self, limits: JournalLimits | None = None, *,
                 strict_facts: bool | None = None) -> None:
        self.limits = limits or JournalLimits()
        # None: from the environment (STRICT_FACTS_ENV), so tests can switch every journal
        self.strict_facts = os.environ.get(STRICT_FACTS_ENV, "") == "1" \
            if strict_facts is None else strict_facts
        self.fact_errors: list[str] = []  # undeclared fact keys seen, once per kind and keys
        self._fact_keys_seen: set[tuple[str, tuple[str, ...]]] = set()
        self._lock = threading.Lock()
        self._exchanges: list[Exchange] = []
        self._last_seq = 0
        self._read_bodies: deque[tuple[Exchange, int]] = deque()  # oldest first
        self._read_bytes = 0

    def next_seq(self) -> int:
        """Reserve the sequence number of a request that just arrived."""
        with self._lock:
            self._last_seq += 1
            return self._last_seq

    def add(self, exchange: Exchange) -> None:
        """Record a completed exchange (its seq came from `next_seq`).

        Raises UnknownFactError for an undeclared fact key when `strict_facts` is on.
        """
        self._check_facts(exchange)
        budget = self.limits.read_body_budget
        size = 0
        if budget is not None and exchange.method == "GET" and exchange.status == 200:
            size = body_size(stored_body(exchange, "response_body"))
        with self._lock:
            # Held requests complete late: insert by arrival number, not completion.
            bisect.insort(self._exchanges, exchange, key=_seq)
            if size:
                self._read_bodies.append((exchange, size))
                self._read_bytes += size
                while budget is not None and self._read_bytes > budget and self._read_bodies:
                    oldest, oldest_size = self._read_bodies.popleft()
                    oldest.response_body = BODY_DROPPED
                    self._read_bytes -= oldest_size
            most = self.limits.max_exchanges
            if most is not None and len(self._exchanges) > most + max(1, most // 16):
                del self._exchanges[:len(self._exchanges) - most]  # in batches: amortised

    def _check_facts(self, exchange: Exchange) -> None:
        from sbready.evidence import unknown_facts  # evidence imports this module

        unknown = unknown_facts(exchange.kind, exchange.facts)
        if not unknown:
            return
        line = f"{exchange.kind} exchange #{exchange.seq} sets undeclared facts {unknown}"
        key = (exchange.kind, tuple(unknown))
        with self._lock:
            new = key not in self._fact_keys_seen
            self._fact_keys_seen.add(key)
            if new:  # one line per kind and keys: bounded in a long-running sandbox
                self.fact_errors.append(line)
        if self.strict_facts:
            raise UnknownFactError(f"{line}: declare them in sbready/evidence.py")
        if new:  # logged once: never fails a partner's run
            _log.warning("%s; declare them in sbready/evidence.py", line)

    def exchanges(self, since: int = 0) -> list[Exchange]:
        """Completed exchanges with seq > `since`, in seq order."""
        with self._lock:
            start = bisect.bisect_right(self._exchanges, since, key=_seq)
            return self._exchanges[start:]

    def last_seq(self) -> int:
        """The highest sequence number handed out so far (0 before any request)."""
        with self._lock:
            return self._last_seq

    def clear(self) -> None:
        """Forget every exchange; numbering continues so old marks stay meaningful."""
        with self._lock:
            self._exchanges.clear()
            self._read_bodies.clear()
            self._read_bytes = 0

    def find(
        self,
        kind: str | None = None,
        *,
        since: int = 0,
        environment: str | None = None,
        client_id: str | None = None,
        operation_id: str | None = None,
        **facts: Any,
    ) -> list[Exchange]:
        """Exchanges matching every given attribute and fact value.

        A fact name no exchange kind declares (sbready/evidence.py) raises KeyError: a
        misspelt name would otherwise match nothing, silently.
        """
        if facts:
            from sbready.evidence import declared_fact  # evidence imports this module

            for name in facts:
                declared_fact(name)
        return [
            exchange
            for exchange in self.exchanges(since)
            if (kind is None or exchange.kind == kind)
            and (environment is None or exchange.environment == environment)
            and (client_id is None or exchange.client_id == client_id)
            and (operation_id is None or exchange.operation_id == operation_id)
            and all(exchange.facts.get(name) == value for name, value in facts.items())
        ]

    def export_json(self, since: int = 0) -> str:
        """The exchanges with seq > `since` as a JSON array (already redacted)."""
        return json.dumps(
            [exchange.to_json() for exchange in self.exchanges(since)],
            ensure_ascii=False,
            indent=1,
            default=str,
        )


def _seq(exchange: Exchange) -> int:
    return exchange.seq
