"""Working error handling: faults the sandbox injects and how the app recovers."""

from __future__ import annotations

import pytest

from checks import error_handling
from sbready.harness import Harness
from suites.support import record


@pytest.mark.check("ERR-01")
def test_expired_token(harness: Harness) -> None:
    harness.first_sync()
    expired = harness.sandbox.expire_tokens()
    sync = harness.sync()
    record(
        error_handling.expired_token_recovered(
            sync.exchanges, sync_outcome=sync.result.outcome, sync_output=sync.result.output),
        exchanges=sync.exchanges,
        sync_output=sync.result.output,
        expired_tokens=str(expired),
    )
