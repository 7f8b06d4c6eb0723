"""The known customer's connection (ONB-02), judged once and shared by every suite.

Checks that need a working connection (integration, error handling, consent withdrawal) are
not run when ONB-02 failed: one root cause gives one failure, and their skip reason names it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from checks import onboarding
from checks.evidence import of_kind
from checks.judgement import Judgement
from sbready.harness import Harness
from sbready.sandbox.journal import Exchange


@dataclass(frozen=True)
class Connection:
    """ONB-02's judgement and the evidence the report shows with it."""

    judgement: Judgement
    exchanges: list[Exchange]
    attachments: dict[str, Any]


def known_customer(harness: Harness) -> Connection:
    """The ONB-02 judgement of this run (computed once): onboarding, then the first API call,
    seen during the onboarding or else in the first sync."""
    return harness.once("known_customer", lambda: _judge(harness))  # type: ignore[no-any-return]


def _first_sync_exchanges(harness: Harness, onboarded: list[Exchange]) -> list[Exchange] | None:
    """The first sync's exchanges when the onboarding itself made no successful API call."""
    if onboarding.first_call_succeeded(onboarded) or harness.config.sync is None:
        return None
    return harness.first_sync().exchanges


def _judge(harness: Harness) -> Connection:
    if harness.config.app.auth == "apptoken":
        handoff = harness.app_token_connected()
        first_sync = (_first_sync_exchanges(harness, handoff.exchanges)
                      if handoff.result.ok else None)
        judgement = onboarding.app_token_customer_connected(
            harness.afas_base_url(), handed_over=handoff.result.ok,
            detail=handoff.result.detail, exchanges=handoff.exchanges, first_sync=first_sync)
        return Connection(judgement, handoff.exchanges + (first_sync or []),
                          {"hand_off_output": handoff.result.output})
    walk = harness.connected()
    result = walk.result
    reached = result.authorize_url is not None and not result.blocked_host
    first_sync = _first_sync_exchanges(harness, walk.exchanges) if reached else None
    judgement = onboarding.known_customer_connected(
        harness.afas_base_url(),
        authorize_url=result.authorize_url,
        blocked_host=result.blocked_host,
        walk_error=result.error,
        final_status=result.final.status if result.final else None,
        final_url=result.final.url if result.final else None,
        exchanges=walk.exchanges,
        first_sync=first_sync,
    )
    return Connection(judgement, walk.exchanges + (first_sync or []),
                      {"browser_hops": [hop.__dict__ for hop in result.hops]})


def require_connection(harness: Harness) -> None:
    """Skip the calling check when the known customer never got a token (ONB-02 failed before
    any token was issued): there is no connection to judge, and ONB-02 names the cause.

    When tokens were issued but API calls fail, the checks still run: they say why.
    """
    connection = known_customer(harness)
    judgement = connection.judgement
    if judgement.passed or onboarding.token_issued(connection.exchanges):
        return
    # the root cause in ONB-02's own words; its findings are in ONB-02's result
    pytest.skip(f"not run: no working connection (ONB-02 failed: "
                f"{judgement.sentence.rstrip('.')})")


def require_consent_flow(harness: Harness) -> None:
    """Skip an OAuth request check when the onboarding never reached the sandbox's /app/auth
    (ONB-02 failed on that): there is no authorize or token request to judge."""
    connection = known_customer(harness)
    if connection.judgement.passed or of_kind(connection.exchanges, "authorize"):
        return
    pytest.skip(f"not run: the onboarding never reached the consent flow (ONB-02 failed: "
                f"{connection.judgement.sentence.rstrip('.')})")
