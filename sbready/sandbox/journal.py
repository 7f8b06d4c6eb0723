"""CONTRACT (types fixed; Journal to be implemented): every exchange the sandbox sees.

Secrets are redacted at capture: the Exchange never holds a client secret, code,
code_verifier, access/refresh/app token or password. Where a later judgement needs
the secret, the sandbox stores a derived fact in `facts` (e.g. "verifier_matches_challenge")
or a stable fingerprint ("fp:" + 12 hex chars of a per-run keyed hash).
"""

from __future__ import annotations

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
