"""Working onboarding: the consent flow as AFAS opens it, and the wrong variants."""

from __future__ import annotations

import pytest

from checks import onboarding
from checks.evidence import of_kind
from sbready.harness import Harness
from suites.support import record


@pytest.mark.check("ONB-02")
def test_known_customer_connects(harness: Harness) -> None:
    walk = harness.connected()
    result = walk.result
    record(
        onboarding.known_customer_connected(
            harness.afas_base_url(),
            authorize_url=result.authorize_url,
            blocked_host=result.blocked_host,
            walk_error=result.error,
            final_status=result.final.status if result.final else None,
            final_url=result.final.url if result.final else None,
            exchanges=walk.exchanges,
        ),
        exchanges=walk.exchanges,
        browser_hops=[hop.__dict__ for hop in result.hops],
    )


@pytest.mark.check("ONB-06")
def test_authorize_request(harness: Harness) -> None:
    first = harness.connected()
    second = harness.walk()  # a second attempt: state and challenge must be fresh
    attempts = of_kind(first.exchanges + second.exchanges, "authorize")
    record(
        onboarding.authorize_request_well_formed(
            attempts, client_id=harness.config.app.client_id,
            redirect_uri=harness.config.app.redirect_uri,
        ),
        exchanges=attempts,
    )


@pytest.mark.check("ONB-07")
def test_token_request(harness: Harness) -> None:
    walk = harness.connected()
    token_requests = of_kind(walk.exchanges, "token")
    record(onboarding.token_request_well_formed(token_requests),
           exchanges=walk.exchanges)


@pytest.mark.check("ONB-08")
def test_callback_state(harness: Harness) -> None:
    harness.connected()  # the app has a working connection the tampering must not replace
    tampered = []
    exchanges = []
    for how in ("wrong", "missing"):
        walk = harness.walk(callback_state=how)  # type: ignore[arg-type]
        consents = [e for e in of_kind(walk.exchanges, "consent") if e.facts.get("code_fp")]
        code_fp = consents[-1].facts["code_fp"] if consents else None
        final = walk.result.final
        tampered.append((how, code_fp, final.status if final else None))
        exchanges += walk.exchanges
    record(onboarding.callback_state_verified(tampered, exchanges), exchanges=exchanges,
           tampered_callbacks=[list(t) for t in tampered])
