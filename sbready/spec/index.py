"""CONTRACT (to be implemented): the operation index other code asks about SB operations.

Types below are fixed; implementations fill in the functions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Operation:
    """One SB operation of one SB version, as the harness needs to know it."""

    method: str  # upper case: GET, POST, PUT, DELETE
    path: str  # the spec's template, e.g. "/api/blob/{uuid}"
    operation_id: str | None  # e.g. "post_salesjournalentry_2.0_create"; None for auth ops
    endpoint_version: str | None  # "2.0" from the operationId; None when it carries none
    bundles: tuple[str, ...]  # the operation's tags, e.g. ("Verkoopjournaalpost", ...)
    request_schema: dict[str, Any] | None  # resolved JSON schema of the JSON/form body
    request_content_type: str | None  # e.g. "application/json", "multipart/form-data"
    response_schema: dict[str, Any] | None  # resolved JSON schema of the 200 response
    response_content_type: str | None
    response_examples: tuple[Any, ...]  # example values of the 200 response, in spec order
    pages: bool  # takes skip/take
    filters: bool  # takes filter
    sorts: bool  # takes sortField
    tracks_changes: bool  # takes ?TrackingToken= (and answers {TrackingToken, Result})
    takes_tracking_identifier: bool  # takes the Tracking-Identifier header
    parameters: tuple[dict[str, Any], ...] = field(default=())  # resolved parameter objects

    @property
    def is_api(self) -> bool:
        """True for /api/... operations (the ones that need Bearer and Accept-Version)."""
        return self.path.startswith("/api/")

    @property
    def accept_version(self) -> str | None:
        """The Accept-Version value to send: "2" for endpoint 2.0, "1.1" for 1.1; None if unversioned."""
        if self.endpoint_version is None:
            return None
        major, _, minor = self.endpoint_version.partition(".")
        return major if minor in ("", "0") else self.endpoint_version

    def accepts_version(self, header_value: str | None) -> bool:
        """Our documented assumption of SB's rule: the major must match; a minor, if sent, too.

        AFAS's own examples send both "3" and "3.0" for a 3.0 endpoint and "1" for 1.1.
        """
        if self.endpoint_version is None:
            return True
        if not header_value:
            return False
        want_major, _, want_minor = self.endpoint_version.partition(".")
        got_major, _, got_minor = header_value.strip().partition(".")
        if got_major != want_major:
            return False
        return got_minor == "" or got_minor == (want_minor or "0")


class OperationIndex:
    """CONTRACT: all operations of one (normalised) SB spec; implemented in this module.

    Required API (implementation fills these in):
      OperationIndex.from_document(doc: dict, sb_version: str) -> OperationIndex
      .sb_version: str
      .operations: list[Operation]
      .match(method: str, path: str) -> Operation | None   # concrete path, e.g. /api/blob/<uuid>
      .by_operation_id(operation_id: str) -> Operation | None
      .api_operations() -> list[Operation]
    And a module-level diff_versions(old: OperationIndex, new: OperationIndex) -> VersionDiff.
    """
