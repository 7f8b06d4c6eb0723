"""CONTRACT (to be implemented by the store owner): the SB data behind /api/ operations.

The HTTP layer (sbready/sandbox/app.py) authenticates, authorises (bundles), checks
Accept-Version, applies faults and Tracking-Identifier idempotency, then calls
`ApiStore.handle`. The store never raises for bad input: it answers AFAS's 400 bodies.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sbready.spec.index import Operation, OperationIndex

Dialect = Literal["observed", "schema"]


@dataclass(frozen=True)
class ApiRequest:
    """One /api/ request as the store sees it."""

    method: str
    api_path: str  # concrete path inside the environment, e.g. "/api/blob/3b64..."
    path_params: Mapping[str, str]  # e.g. {"uuid": "3b64..."}
    query: Mapping[str, str]  # last value per name
    headers: Mapping[str, str]  # lower-case names
    body: bytes
    content_type: str | None


@dataclass
class StoreResponse:
    """What the store answers; the HTTP layer serialises JSON bodies."""

    status: int
    body: Any  # JSON-able value, or bytes for blob downloads
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)  # e.g. {"result": "Failed"}


class ApiStore:
    """Stateful, seeded SB data for several environments of one SB version."""

    def __init__(
        self,
        index: OperationIndex,
        *,
        dialect: Dialect = "observed",
        environments: Sequence[str] = ("demo",),
        seed: int = 1,
    ) -> None:
        raise NotImplementedError

    def handle(self, environment: str, operation: Operation, request: ApiRequest) -> StoreResponse:
        """Answer one /api/ request (reads, writes, blobs) for one environment."""
        raise NotImplementedError

    def reset(self) -> None:
        """Back to the seed data in every environment."""
        raise NotImplementedError

    def written(self, environment: str, api_path: str) -> list[dict[str, Any]]:
        """Records that writes created through `api_path` (e.g. "/api/salesjournalentry")."""
        raise NotImplementedError
