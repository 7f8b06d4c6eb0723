"""CONTRACT (types fixed; Journal to be implemented): every exchange the sandbox sees.

Secrets are redacted at capture: the Exchange never holds a client secret, code,
code_verifier, access/refresh/app token or password. Where a later judgement needs
the secret, the sandbox stores a derived fact in `facts` (e.g. "verifier_matches_challenge")
or a stable fingerprint ("fp:" + 12 hex chars of a per-run keyed hash).
"""

from __future__ import annotations

import bisect
import json
import threading
from dataclasses import dataclass, field
from typing import Any

REDACTED = "[redacted]"


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


class Journal:
    """The sandbox's record of exchanges, in arrival order; safe to read from other threads.

    Sequence numbers are handed out when a request arrives (`next_seq`); the exchange is
    added when it completes, so a held request appears late but with its arrival number.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._exchanges: list[Exchange] = []
        self._last_seq = 0

    def next_seq(self) -> int:
        """Reserve the sequence number of a request that just arrived."""
        with self._lock:
            self._last_seq += 1
            return self._last_seq

    def add(self, exchange: Exchange) -> None:
        """Record a completed exchange (its seq came from `next_seq`)."""
        with self._lock:
            # Held requests complete late: insert by arrival number, not completion.
            bisect.insort(self._exchanges, exchange, key=lambda item: item.seq)

    def exchanges(self, since: int = 0) -> list[Exchange]:
        """Completed exchanges with seq > `since`, in seq order."""
        with self._lock:
            return [exchange for exchange in self._exchanges if exchange.seq > since]

    def last_seq(self) -> int:
        """The highest sequence number handed out so far (0 before any request)."""
        with self._lock:
            return self._last_seq

    def clear(self) -> None:
        """Forget every exchange; numbering continues so old marks stay meaningful."""
        with self._lock:
            self._exchanges.clear()

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
        """Exchanges matching every given attribute and fact value."""
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
