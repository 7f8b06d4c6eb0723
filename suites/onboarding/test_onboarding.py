"""Working onboarding: the consent flow as AFAS opens it, and the wrong variants.

Evidence windows: each test judges the walks, hand-offs and syncs it names: the cached
baseline (`harness.connected()`, `harness.onboarded()`, `harness.first_sync()`) and what it
runs itself, taken with `suites.support.window` (by arrival number); never the journal since
the start of the session, whose content would depend on the test order.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import pytest

from checks import onboarding
from checks.evidence import of_kind
from sbready.driver.decoy import decoy_server
from sbready.driver.onboarding import Hop, host_port
from sbready.evidence import consent_facts
from sbready.harness import (
    ADMIN_ENVIRONMENT,
    CUSTOMER_ENVIRONMENT,
    PROSPECT_ENVIRONMENT,
    Harness,
)
from suites.connection import known_customer, require_connection, require_consent_flow
from suites.support import record, window


@pytest.mark.check("ONB-02")
def test_known_customer_connects(harness: Harness) -> None:
    # the first API call is seen during the onboarding, or else in the first sync (many apps
    # only store the tokens in the callback); the judgement says which
    connection = known_customer(harness)
    record(connection.judgement, exchanges=connection.exchanges, **connection.attachments)


def _oauth_only(harness: Harness) -> tuple[str, str]:
    app = harness.config.app
    if app.auth != "oauth" or not app.client_id or not app.redirect_uri:
        pytest.skip("the app uses app tokens; the OAuth checks do not apply")
    require_consent_flow(harness)  # one root cause: ONB-02 names a flow that never got here
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
        consents = [e for e in of_kind(walk.exchanges, "consent") if consent_facts(e).code_fp]
        code_fp = consent_facts(consents[-1]).code_fp if consents else None
        final = walk.result.final
        tampered.append((how, code_fp, final.status if final else None))
        exchanges += walk.exchanges
    record(onboarding.callback_state_verified(tampered, exchanges), exchanges=exchanges,
           tampered_callbacks=[list(t) for t in tampered])


# ---- ONB-01, 03, 04, 05, 09: the pages AFAS's customers and prospects see ------------------


@pytest.mark.check("ONB-01")
def test_onboarding_url_answers(harness: Harness) -> None:
    walk = harness.walk(login=False)  # the first answer: AFAS opens the URL, nothing more
    result = walk.result
    record(
        onboarding.onboarding_url_answers(
            harness.config.app.onboarding_url, mode=harness.config.app.mode,
            first=result.hops[0] if result.hops else None,
            timeout_s=harness.config.thresholds.onboarding_timeout, walk_error=result.error,
        ),
        browser_hops=_hops(walk.result.hops),
    )


@pytest.mark.check("ONB-03")
def test_prospect_landing(harness: Harness) -> None:
    # an Admin Center app's prospect is an office without an account in the app, opened from
    # its Admin Center (the sandbox has one, so: the same /admin, no login at the app)
    environment = ADMIN_ENVIRONMENT if harness.config.app.level == "admin" else (
        PROSPECT_ENVIRONMENT)
    base = harness.afas_base_url(environment)
    walk = harness.walk(environment=environment, login=False)
    record(onboarding.prospect_sees_landing(base, walk.result.hops, walk_error=walk.result.error),
           browser_hops=_hops(walk.result.hops))


def _bad_base_urls(harness: Harness) -> list[tuple[str, str]]:
    """(what, raw query) pairs: afasBaseUrl missing, empty and malformed in several ways."""
    no_environment = quote(harness.sandbox_url, safe="")
    return [
        ("afasBaseUrl missing", ""),
        ("afasBaseUrl empty", "afasBaseUrl="),
        ("afasBaseUrl not a URL", "afasBaseUrl=not%20a%20url"),
        ("afasBaseUrl without an environment", f"afasBaseUrl={no_environment}"),
        ("afasBaseUrl with a non-numeric port",
         "afasBaseUrl=https%3A%2F%2Fx.afasfocus.nl%3Aport%2Fdemo"),
    ]


@pytest.mark.check("ONB-04")
def test_bad_base_url(harness: Harness) -> None:
    walker = harness.walker(login=False)
    cases = []
    for what, raw_query in _bad_base_urls(harness):
        result = walker.walk(harness.config.app.onboarding_url, None, raw_query=raw_query)
        cases.append((what, result.hops, result.error))
    record(onboarding.bad_base_url_rejected(cases),
           browser_hops={what: _hops(hops) for what, hops, _ in cases})


@pytest.mark.check("ONB-05")
def test_foreign_host_refused(harness: Harness) -> None:
    extra: dict[str, str] = {}
    with window(harness) as scenario, decoy_server() as decoy:
        foreign = f"{decoy.base_url}/{CUSTOMER_ENVIRONMENT}"
        walk = harness.walk(afas_base_url=foreign)
        if harness.config.app.auth == "apptoken" and harness.config.apptoken is not None:
            # an app-token app learns the address at the hand-off: paste a token with the
            # foreign address, then sync; a trusting app sends the token to the decoy
            handoff = harness.hand_over_elsewhere(foreign)
            extra["hand_off_to_the_foreign_host"] = handoff.result.detail
            if harness.config.sync is not None:
                extra["sync_after_it"] = harness.sync().result.output
        received = [request.describe() for request in decoy.requests]
    result = walk.result
    record(
        onboarding.foreign_host_refused(
            decoy.base_url, result.hops, blocked_url=result.blocked_url,
            decoy_requests=received, walk_error=result.error,
        ),
        exchanges=scenario.exchanges,
        browser_hops=_hops(result.hops),
        decoy_requests=received,
        **extra,
    )


def _consent_flow_only(harness: Harness, why: str) -> str:
    app = harness.config.app
    if app.auth != "oauth" or not app.client_id:
        pytest.skip(f"the app uses app tokens: {why}")
    require_consent_flow(harness)
    return app.client_id


@pytest.mark.check("ONB-09")
def test_denied_consent(harness: Harness) -> None:
    _consent_flow_only(harness, "there is no consent page to decline")
    walk = harness.walk(consent="deny")
    result = walk.result
    record(onboarding.denied_consent_handled(
               result.hops, consent_submitted=result.consent_submitted, walk_error=result.error),
           exchanges=walk.exchanges, browser_hops=_hops(result.hops))


# ---- ONB-10: secrets ---------------------------------------------------------------------------


def _without_code(url: str) -> str:
    """`url` without its `code` parameter: the code belongs on the callback URL."""
    parts = urlsplit(url)
    pairs = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "code"]
    return urlunsplit(parts._replace(query=urlencode(pairs)))


def _sandbox_token_leaks(harness: Harness, hops: list[Hop]) -> list[str]:
    """Browser hops that show a token the sandbox issued (the walker does not know those)."""
    known = harness.sandbox.redactor.contains_known
    sandbox_host = host_port(harness.sandbox_url)
    leaks = []
    for hop in hops:
        at = f"{hop.method} {hop.url} -> {hop.status}"
        if known(_without_code(hop.url)):
            leaks.append(f"{at}: an SB token in the URL")
        if hop.location and known(_without_code(hop.location)):
            leaks.append(f"{at}: an SB token in the redirect")
        if hop.host != sandbox_host and known(hop.body):
            leaks.append(f"{at}: an SB token in the page")
    return leaks


@pytest.mark.check("ONB-10")
def test_no_secret_exposed(harness: Harness) -> None:
    # window: the baseline onboarding, the first sync (the tokens in use) and, for OAuth, a
    # second consent; not whatever other tests happened to run before (test order)
    hops: list[Hop] = []
    exchanges = list(harness.onboarded())
    if harness.config.app.auth == "apptoken":
        handoff = harness.app_token_connected()
        hops += handoff.result.walk.hops if handoff.result.walk else []
    else:
        hops += harness.connected().result.hops
    if harness.config.sync is not None:
        exchanges += harness.first_sync().exchanges
    if harness.config.app.auth != "apptoken":
        with window(harness) as again:
            hops += harness.walk().result.hops  # a second consent: as a returning customer
        exchanges += again.exchanges
    record(onboarding.secrets_not_exposed(hops, exchanges,
                                          leaks=_sandbox_token_leaks(harness, hops)),
           exchanges=[e for e in exchanges if e.kind != "api"],
           browser_hops=_hops(hops, harness))


# ---- ONB-11: app tokens and admin-level tokens ------------------------------------------------


@pytest.mark.check("ONB-11")
def test_token_per_app_kind(harness: Harness) -> None:
    app = harness.config.app
    if app.level == "admin":
        # the Admin Center consent (or app token), getscopes, a token per environment, then
        # a sync of all
        onboarded = harness.onboarded()
        sync = harness.first_sync()
        exchanges = onboarded + sync.exchanges
        record(onboarding.admin_tokens_per_environment(
                   exchanges, app_token=app.auth == "apptoken"),
               exchanges=exchanges, sync_output=sync.result.output)
        return
    if app.auth != "apptoken":
        pytest.skip("OAuth customer app: its tokens come from the code flow (ONB-06, ONB-07); "
                    "ONB-11 covers app-token and admin-level apps")
    handoff = harness.app_token_connected()
    harness.sandbox.expire_tokens(environment=CUSTOMER_ENVIRONMENT)  # the renewal path too
    with window(harness) as after_expiry:
        renewal = harness.sync()
    exchanges = handoff.exchanges + after_expiry.exchanges
    record(onboarding.app_token_exchanged(exchanges, environment=CUSTOMER_ENVIRONMENT),
           exchanges=exchanges, hand_off=handoff.result.detail,
           sync_after_expiry=renewal.result.output)


# ---- ONB-13, ONB-12 (last: it replaces the connection) --------------------------------------


@pytest.mark.check("ONB-13")
def test_redirect_uri(harness: Harness) -> None:
    _client_id, redirect_uri = _oauth_only(harness)
    # window: the baseline consent and a second one (as ONB-06); each authorize request in
    # it must carry the registered redirect_uri
    first = harness.connected()
    with window(harness) as second:
        harness.walk()
    attempts = of_kind(first.exchanges + second.exchanges, "authorize")
    record(onboarding.redirect_uri_exact(redirect_uri, mode=harness.config.app.mode,
                                         attempts=attempts),
           exchanges=attempts)


@pytest.mark.check("ONB-12")
def test_consent_withdrawn_and_given_again(harness: Harness) -> None:
    client_id = _consent_flow_only(harness, "there is no consent to withdraw (AFAS "
                                   "deactivation means a new token hand-off)")
    require_connection(harness)
    harness.first_sync()  # a working connection to lose
    # an admin-level app is blocked in the Admin Center too: its Admin Center refresh token
    # would otherwise mint new customer tokens without a new consent
    places = [CUSTOMER_ENVIRONMENT] + (
        [ADMIN_ENVIRONMENT] if harness.config.app.level == "admin" else [])
    for environment in places:
        harness.sandbox.withdraw_consent(client_id, environment)
    for environment in places:
        harness.sandbox.restore_consent(client_id, environment)
    harness.give_work()  # an app that calls SB only when it has work must call it now
    marks = [harness.mark()]
    blocked = harness.sync()
    marks.append(harness.mark())
    walk = harness.walk()  # the customer connects again from the App Center
    marks.append(harness.mark())
    after = harness.sync()
    exchanges = harness.since(marks[0])
    # by arrival number: an exchange journaled late still belongs to the step that sent it
    blocked_part = [e for e in exchanges if e.seq <= marks[1]]
    walk_part = [e for e in exchanges if marks[1] < e.seq <= marks[2]]
    after_part = [e for e in exchanges if e.seq > marks[2]]
    final = walk.result.final
    record(
        onboarding.consent_withdrawal_recovered(
            blocked_outcome=blocked.result.outcome, blocked_output=blocked.result.output,
            blocked_exchanges=blocked_part,
            walk_final_status=final.status if final else None, walk_error=walk.result.error,
            walk_exchanges=walk_part,
            after_outcome=after.result.outcome, after_output=after.result.output,
            after_exchanges=after_part,
        ),
        exchanges=exchanges,
        sync_after_withdrawal=blocked.result.output,
        sync_after_new_consent=after.result.output,
    )


def _hops(hops: list[Hop], harness: Harness | None = None) -> list[dict[str, object]]:
    """Browser hops as attachment rows (bodies left out: the excerpt is enough), with tokens
    the sandbox issued scrubbed (a leaking app puts them where the walker cannot know them)."""
    scrub = harness.sandbox.redactor.scrub if harness is not None else str
    return [{k: scrub(v) if isinstance(v, str) else v for k, v in hop.__dict__.items()
             if k != "body"} for hop in hops]
