"""The sandbox's OAuth 2.0 + PKCE server: authorize, consent, token, refresh, consent withdrawal."""

from __future__ import annotations

import re

import pytest

from sbready.sandbox.app import RegisteredClient, Sandbox
from tests.test_sandbox_support import *  # noqa: F403 - the shared sandbox fixtures
from tests.test_sandbox_support import (
    CALLBACK,
    SECRET,
    ManualClock,
    bearer,
    client_for,
    code_exchange_form,
    consent,
    pkce,
    query_of,
    token_for,
)

pytestmark = pytest.mark.anyio


def _auth_params(challenge: str, **changes: str | None) -> dict[str, str]:
    params: dict[str, str | None] = {
        "client_id": "partner",
        "redirect_uri": CALLBACK,
        "response_type": "code",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "state": "st-" + "b" * 30,
    }
    params.update(changes)
    return {k: v for k, v in params.items() if v is not None}


async def test_pkce_flow_end_to_end_gives_tokens_that_open_the_api(sandbox: Sandbox) -> None:
    async with client_for(sandbox) as http:
        tokens = await token_for(http)
        assert set(tokens) == {"access_token", "expires_in", "token_type", "refresh_token"}
        assert tokens["expires_in"] == "1800" and tokens["token_type"] == "bearer"
        answer = await http.get("/demo/api/administrations", headers=bearer(tokens["access_token"]))
    assert answer.status_code == 200, answer.text
    token_exchange = sandbox.journal.find("token")[-1]
    assert token_exchange.facts["verifier_matches_challenge"] is True
    assert token_exchange.facts["body_encoding"] == "form"
    assert token_exchange.facts["fields_present"] == sorted(
        ["grant_type", "client_id", "client_secret", "redirect_uri", "code", "code_verifier"]
    )
    assert token_exchange.facts["client_secret_valid"] is True
    api = sandbox.journal.find("api")[-1]
    assert api.facts["token_state"] == "valid"
    assert api.facts["access_fp"] == token_exchange.facts["issued_access_fp"]


async def test_consent_page_names_app_environment_and_bundles(make_sandbox) -> None:  # type: ignore[no-untyped-def]
    box = make_sandbox()
    box.register_client(
        RegisteredClient(
            "narrow", SECRET, (CALLBACK,), ("Verkoopjournaalpost",), "customer", "Narrow App"
        )
    )
    _, challenge = pkce()
    async with client_for(box) as http:
        page = await http.get("/acme/app/auth", params=_auth_params(challenge, client_id="narrow"))
    assert page.status_code == 200
    assert "Narrow App" in page.text and "acme" in page.text and "Verkoopjournaalpost" in page.text
    assert page.text.count("<form") == 1
    assert (
        'name="decision" value="allow"' in page.text and 'name="decision" value="deny"' in page.text
    )
    assert re.search(r'action="/acme/app/auth"', page.text)


async def test_state_is_carried_back_and_deny_answers_access_denied(sandbox: Sandbox) -> None:
    async with client_for(sandbox) as http:
        allowed = await consent(http, state="my-state-123456")
        denied = await consent(http, decision="deny", state="other-state-98765")
    assert allowed.location.startswith(CALLBACK + "?")
    assert allowed.params["state"] == "my-state-123456" and allowed.params["code"]
    assert denied.params == {"error": "access_denied", "state": "other-state-98765"}
    assert [e.facts["decision"] for e in sandbox.journal.find("consent")] == ["allow", "deny"]


@pytest.mark.parametrize(
    ("changes", "description"),
    [
        ({"code_challenge_method": "plain"}, "code_challenge_method must be S256"),
        ({"response_type": "token"}, "response_type must be code"),
        ({"code_challenge": "short"}, "code_challenge must be 43 base64url characters"),
    ],
)
async def test_invalid_authorize_values_are_redirected_with_state(
    sandbox: Sandbox, changes: dict[str, str], description: str
) -> None:
    _, challenge = pkce()
    async with client_for(sandbox) as http:
        answer = await http.get("/demo/app/auth", params=_auth_params(challenge, **changes))
    assert answer.status_code == 302
    params = query_of(answer.headers["location"])
    assert params["error"] == "invalid_request"
    assert params["error_description"].startswith(description)
    assert params["state"] == "st-" + "b" * 30
    assert sandbox.journal.find("authorize")[-1].facts["error"].startswith(description)


async def test_missing_state_or_challenge_answers_missing_parameters_json(sandbox: Sandbox) -> None:
    _, challenge = pkce()
    async with client_for(sandbox) as http:
        no_state = await http.get("/demo/app/auth", params=_auth_params(challenge, state=None))
        no_pkce = await http.get(
            "/demo/app/auth", params=_auth_params(challenge, code_challenge=None)
        )
    for answer in (no_state, no_pkce):
        assert answer.status_code == 400
        assert answer.json() == {
            "error": "invalid_request",
            "error_description": "missing required request parameters",
        }
    assert sandbox.journal.find("authorize")[0].facts["state_present"] is False


@pytest.mark.parametrize(
    "changes",
    [
        {"client_id": "nobody"},
        {"redirect_uri": CALLBACK + "/"},
        {"redirect_uri": "https://evil.example/callback"},
        {"client_id": None},
    ],
)
async def test_unknown_client_or_unregistered_redirect_gets_a_page_never_a_redirect(
    sandbox: Sandbox, changes: dict[str, str | None]
) -> None:
    _, challenge = pkce()
    async with client_for(sandbox) as http:
        answer = await http.get("/demo/app/auth", params=_auth_params(challenge, **changes))
    assert answer.status_code == 400
    assert "location" not in answer.headers
    assert answer.headers["content-type"].startswith("text/html")
    facts = sandbox.journal.find("authorize")[-1].facts
    assert facts["client_known"] is False or facts["redirect_uri_registered"] is False


async def test_short_verifier_gets_afas_exact_error(sandbox: Sandbox) -> None:
    async with client_for(sandbox) as http:
        walk = await consent(http)
        answer = await http.post(
            "/demo/app/token",
            data={
                "grant_type": "authorization_code",
                "client_id": "partner",
                "client_secret": SECRET,
                "redirect_uri": CALLBACK,
                "code": walk.params["code"],
                "code_verifier": "too-short",
            },
        )
    assert answer.status_code == 400
    assert answer.json() == {
        "error": "invalid_grant",
        "error_description": "invalid code_verifier length",
    }
    assert sandbox.journal.find("token")[-1].facts["verifier_length"] == 9


async def test_verifier_mismatch_wrong_secret_and_json_body_are_refused(sandbox: Sandbox) -> None:
    other_verifier, _ = pkce()
    async with client_for(sandbox) as http:
        walk = await consent(http)
        form = {
            "grant_type": "authorization_code",
            "client_id": "partner",
            "client_secret": SECRET,
            "redirect_uri": CALLBACK,
            "code": walk.params["code"],
            "code_verifier": other_verifier,
        }
        as_json = await http.post("/demo/app/token", json=form)
        wrong_secret = await http.post("/demo/app/token", data={**form, "client_secret": "nope"})
        mismatch = await http.post("/demo/app/token", data=form)
    assert as_json.status_code == 400
    assert as_json.json()["error_description"] == "missing required request parameters"
    assert wrong_secret.status_code == 401 and wrong_secret.json()["error"] == "invalid_client"
    assert mismatch.status_code == 400 and mismatch.json()["error"] == "invalid_grant"
    facts = [e.facts for e in sandbox.journal.find("token")]
    assert facts[0]["body_encoding"] == "json"
    assert facts[1]["client_secret_valid"] is False
    assert facts[2]["verifier_matches_challenge"] is False


async def test_multipart_token_request_is_accepted(sandbox: Sandbox) -> None:
    async with client_for(sandbox) as http:
        walk = await consent(http)
        fields = code_exchange_form(walk)
        answer = await http.post(
            "/demo/app/token", files={name: (None, value) for name, value in fields.items()}
        )
    assert answer.status_code == 200, answer.text
    assert sandbox.journal.find("token")[-1].facts["body_encoding"] == "multipart"


async def test_code_reuse_fails_and_revokes_the_tokens_of_the_first_exchange(
    sandbox: Sandbox,
) -> None:
    async with client_for(sandbox) as http:
        walk = await consent(http)
        form = code_exchange_form(walk)
        first = await http.post("/demo/app/token", data=form)
        second = await http.post("/demo/app/token", data=form)
        access = first.json()["access_token"]
        api = await http.get("/demo/api/administrations", headers=bearer(access))
        refresh = await http.post(
            "/demo/app/token",
            data={
                "grant_type": "refresh_token",
                "client_id": "partner",
                "client_secret": SECRET,
                "refresh_token": first.json()["refresh_token"],
            },
        )
    assert first.status_code == 200
    assert second.status_code == 400 and second.json()["error"] == "invalid_grant"
    assert api.status_code == 401 and api.json()["StatusCode"] == 401
    assert refresh.status_code == 400 and refresh.json()["error"] == "invalid_grant"
    assert sandbox.journal.find("token")[1].facts["code_reused"] is True
    assert sandbox.journal.find("api")[-1].facts["token_state"] == "revoked"


async def test_expired_code_and_other_redirect_uri_are_invalid_grant(
    sandbox: Sandbox, clock: ManualClock
) -> None:
    async with client_for(sandbox) as http:
        late = await consent(http)
        clock.now += 61
        expired = await http.post(
            "/demo/app/token",
            data=code_exchange_form(late),
        )
        other = await consent(http)
        mismatch = await http.post(
            "/demo/app/token",
            data=code_exchange_form(other, redirect_uri=CALLBACK + "?x=1"),
        )
        other_env = await consent(http, "acme")
        wrong_env = await http.post(
            "/demo/app/token",
            data=code_exchange_form(other_env),
        )
    for answer in (expired, mismatch, wrong_env):
        assert answer.status_code == 400 and answer.json()["error"] == "invalid_grant"
    assert expired.json()["error_description"] == "authorization code expired"


async def test_refresh_gives_a_new_access_token_without_a_new_refresh_token(
    sandbox: Sandbox, clock: ManualClock
) -> None:
    async with client_for(sandbox) as http:
        tokens = await token_for(http)
        clock.now += 1801
        expired = await http.get(
            "/demo/api/administrations", headers=bearer(tokens["access_token"])
        )
        refreshed = await http.post(
            "/demo/app/token",
            data={
                "grant_type": "refresh_token",
                "client_id": "partner",
                "client_secret": SECRET,
                "refresh_token": tokens["refresh_token"],
            },
        )
        again = await http.get(
            "/demo/api/administrations", headers=bearer(refreshed.json()["access_token"])
        )
        elsewhere = await http.get(
            "/acme/api/administrations", headers=bearer(refreshed.json()["access_token"])
        )
    assert expired.status_code == 401
    assert refreshed.status_code == 200
    assert set(refreshed.json()) == {"access_token", "expires_in", "token_type"}
    assert again.status_code == 200
    assert elsewhere.status_code == 401
    states = [e.facts["token_state"] for e in sandbox.journal.find("api")]
    assert states == ["expired", "valid", "other_environment"]
    assert sandbox.journal.find("token")[-1].facts["refresh_fp"] is not None


async def test_expire_tokens_makes_live_tokens_expired(sandbox: Sandbox) -> None:
    async with client_for(sandbox) as http:
        tokens = await token_for(http)
        assert sandbox.expire_tokens(environment="demo") == 1
        answer = await http.get("/demo/api/administrations", headers=bearer(tokens["access_token"]))
    assert answer.status_code == 401
    assert sandbox.journal.find("api")[-1].facts["token_state"] == "expired"


async def test_withdrawn_consent_kills_refresh_and_block_unblock_allows_new_consent(
    sandbox: Sandbox,
) -> None:
    refresh_form = {"grant_type": "refresh_token", "client_id": "partner", "client_secret": SECRET}
    async with client_for(sandbox) as http:
        tokens = await token_for(http)
        sandbox.withdraw_consent("partner", "demo")
        dead_api = await http.get(
            "/demo/api/administrations", headers=bearer(tokens["access_token"])
        )
        dead_refresh = await http.post(
            "/demo/app/token", data={**refresh_form, "refresh_token": tokens["refresh_token"]}
        )
        sandbox.restore_consent("partner", "demo")
        still_dead = await http.post(
            "/demo/app/token", data={**refresh_form, "refresh_token": tokens["refresh_token"]}
        )
        fresh = await token_for(http)
        works = await http.get("/demo/api/administrations", headers=bearer(fresh["access_token"]))
    assert dead_api.status_code == 401
    assert dead_refresh.status_code == 400 and dead_refresh.json()["error"] == "invalid_grant"
    assert still_dead.status_code == 400
    assert works.status_code == 200


async def test_admin_center_scopes_and_per_environment_tokens(make_sandbox) -> None:  # type: ignore[no-untyped-def]
    box: Sandbox = make_sandbox()
    box.register_client(
        RegisteredClient("accountant", SECRET, (CALLBACK,), None, "admin", "Accountant App")
    )
    async with client_for(box) as http:
        walk = await consent(http, "admin", client_id="accountant")
        admin = await http.post(
            "/app/token",
            data={
                "grant_type": "authorization_code",
                "client_id": "accountant",
                "client_secret": SECRET,
                "redirect_uri": CALLBACK,
                "code": walk.params["code"],
                "code_verifier": walk.verifier,
            },
        )
        assert admin.status_code == 200, admin.text
        scopes = await http.post(
            "/authentication/getscopes", headers=bearer(admin.json()["access_token"], None)
        )
        by_identity = await http.post(
            "/authentication/getscopes", headers={"IdentityToken": admin.json()["access_token"]}
        )
        anonymous = await http.post("/authentication/getscopes")
        per_env = await http.post(
            "/acme/app/token",
            data={
                "grant_type": "refresh_token",
                "client_id": "accountant",
                "client_secret": SECRET,
                "refresh_token": admin.json()["refresh_token"],
            },
        )
        acme_token = per_env.json()["access_token"]
        in_acme = await http.get("/acme/api/administrations", headers=bearer(acme_token))
        in_demo = await http.get("/demo/api/administrations", headers=bearer(acme_token))
    assert scopes.status_code == 200
    # the Admin Center itself first (the spec's example), then the customer environments
    assert [(item["Name"], item["Path"]) for item in scopes.json()] == [
        ("Beheer", "admin"), ("Demo Administratie B.V.", "demo"), ("Acme Holding B.V.", "acme")]
    assert by_identity.status_code == 200
    assert anonymous.status_code == 401
    assert per_env.status_code == 200 and "refresh_token" not in per_env.json()
    assert in_acme.status_code == 200
    assert in_demo.status_code == 401
    token_exchanges = box.journal.find("token")
    assert token_exchanges[0].environment is None and token_exchanges[1].environment == "acme"


async def test_customer_client_cannot_use_admin_center(sandbox: Sandbox) -> None:
    _, challenge = pkce()
    async with client_for(sandbox) as http:
        answer = await http.get("/admin/app/auth", params=_auth_params(challenge))
    assert answer.status_code == 400 and "customer environments" in answer.text


async def test_consent_request_is_single_use(sandbox: Sandbox) -> None:
    _, challenge = pkce()
    async with client_for(sandbox) as http:
        page = await http.get("/demo/app/auth", params=_auth_params(challenge))
        request_id = re.search(r'name="request" value="([^"]+)"', page.text)
        assert request_id
        first = await http.post(
            "/demo/app/auth", data={"request": request_id.group(1), "decision": "allow"}
        )
        second = await http.post(
            "/demo/app/auth", data={"request": request_id.group(1), "decision": "allow"}
        )
    assert first.status_code == 302 and second.status_code == 400
