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


def _oauth_only(harness: Harness) -> tuple[str, str]:
    app = harness.config.app
    if app.auth != "oauth" or not app.client_id or not app.redirect_uri:
        pytest.skip("the app uses app tokens; the OAuth checks do not apply")
    return app.client_id, app.redirect_uri


@pytest.mark.check("ONB-06")
def test_authorize_request(harness: Harness) -> None:
    client_id, redirect_uri = _oauth_only(harness)
    first = harness.connected()
    second = harness.walk()  # a second attempt: state and challenge must be fresh
    attempts = of_kind(first.exchanges + second.exchanges, "authorize")
    record(
        onboarding.authorize_request_well_formed(
            attempts, client_id=client_id, redirect_uri=redirect_uri,
        ),
        exchanges=attempts,
    )


@pytest.mark.check("ONB-07")
def test_token_request(harness: Harness) -> None:
    _oauth_only(harness)
    walk = harness.connected()
    token_requests = of_kind(walk.exchanges, "token")
    record(onboarding.token_request_well_formed(token_requests),
           exchanges=walk.exchanges)


@pytest.mark.check("ONB-08")
def test_callback_state(harness: Harness) -> None:
    _oauth_only(harness)
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
