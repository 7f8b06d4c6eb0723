"""The sandbox's /api/ gates (404, 401, 403, Accept-Version), app tokens and idempotency."""

from __future__ import annotations

import json
import uuid

import pytest

from sbready.sandbox.app import Lifetimes, Sandbox
from tests.test_sandbox_support import *  # noqa: F403 - the shared sandbox fixtures
from tests.test_sandbox_support import (
    ManualClock,
    bearer,
    client_for,
)

pytestmark = pytest.mark.anyio
PHONE = {"PhoneNumber": "020-1234567"}


async def _app_access_token(http, sandbox: Sandbox, env: str = "demo", **activation) -> str:  # type: ignore[no-untyped-def]
    app_token = sandbox.activate(env, **activation)
    answer = await http.post(f"/{env}/authentication/getaccesstoken", json={"apptoken": app_token})
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["access_token"]
    return token


async def test_app_token_exchange_gives_a_600_second_token_for_its_environment(
    sandbox: Sandbox, clock: ManualClock
) -> None:
    app_token = sandbox.activate("demo", name="Kassa App")
    async with client_for(sandbox) as http:
        answer = await http.post(
            "/demo/authentication/getaccesstoken", json={"apptoken": app_token, "scope": "demo"}
        )
        elsewhere = await http.post(
            "/acme/authentication/getaccesstoken", json={"apptoken": app_token}
        )
        wrong = await http.post(
            "/demo/authentication/getaccesstoken", json={"apptoken": "nope" * 10}
        )
        garbage = await http.post(
            "/demo/authentication/getaccesstoken",
            content=b"{not json",
            headers={"content-type": "application/json"},
        )
        token = answer.json()["access_token"]
        works = await http.get("/demo/api/administrations", headers=bearer(token))
        clock.now += 601
        expired = await http.get("/demo/api/administrations", headers=bearer(token))
    assert answer.status_code == 200
    # observed dialect (the default): a string, as AFAS's authentication guide shows
    assert answer.json()["expires_in"] == "600" and answer.json()["token_type"] == "bearer"
    assert elsewhere.status_code == 401 and elsewhere.json()["StatusCode"] == 401
    assert wrong.status_code == 401
    assert wrong.json()["AdditionalInfo"]["ExceptionType"] == "NotAuthenticatedException"
    assert garbage.status_code == 400
    assert works.status_code == 200 and expired.status_code == 401
    exchange = sandbox.journal.find("getaccesstoken")[0]
    assert exchange.client_id == "Kassa App"
    assert exchange.facts["apptoken_fp"].startswith("fp:")
    assert sandbox.journal.find("api")[0].facts["access_fp"] == exchange.facts["issued_access_fp"]


async def test_api_gates_answer_afas_bodies(sandbox: Sandbox) -> None:
    async with client_for(sandbox) as http:
        token = await _app_access_token(http, sandbox, bundles=["Verkoopjournaalpost"])
        unknown = await http.get("/demo/api/doesnotexist", headers=bearer(token))
        removed = await http.get("/demo/api/journalentry", headers=bearer(token))
        no_token = await http.get("/demo/api/administrations", headers={"Accept-Version": "1"})
        basic = await http.get(
            "/demo/api/administrations",
            headers={"Authorization": "Basic dXNlcjpwdw==", "Accept-Version": "1"},
        )
        garbage = await http.get("/demo/api/administrations", headers=bearer("garbage"))
        other_env = await http.get("/acme/api/administrations", headers=bearer(token))
        outside = await http.get("/demo/api/creditorbalance", headers=bearer(token))
    assert unknown.status_code == 404 and removed.status_code == 404
    assert unknown.json()["AdditionalInfo"]["ExceptionType"] == "NotFoundException"
    for answer in (no_token, basic, garbage, other_env):
        assert answer.status_code == 401
        assert answer.json()["Message"] == "Er is geen ingelogde gebruiker."
    assert outside.status_code == 403
    assert outside.json()["Message"] == "De ingelogde gebruiker heeft niet voldoende rechten."
    facts = [e.facts for e in sandbox.journal.find("api")]
    assert [f["token_state"] for f in facts[2:6]] == [
        "missing",
        "missing",
        "unknown",
        "other_environment",
    ]
    assert facts[3]["bearer"] is False and facts[6]["in_grant"] is False


@pytest.mark.parametrize(
    ("sent", "ok"),
    [("2", True), ("2.0", True), ("1", False), ("2.1", False), (None, False)],
)
async def test_accept_version_must_match_the_endpoint_version(
    sandbox: Sandbox, sent: str | None, ok: bool
) -> None:
    async with client_for(sandbox) as http:
        token = await _app_access_token(http, sandbox)
        answer = await http.post(
            "/demo/api/salesjournalentry", headers=bearer(token, sent), json={"InvoiceNumber": "1"}
        )
    facts = sandbox.journal.find("api")[-1].facts
    assert facts["version_ok"] is ok and facts["accept_version"] == sent
    if ok:
        assert answer.status_code != 400 or answer.json().get("ExceptionCode") == "DS3100"
        return
    assert answer.status_code == 400
    message = answer.json()["Message"]
    assert "endpoint version 2.0 of POST /api/salesjournalentry; send Accept-Version: 2" in message
    if sent:
        assert message.startswith(f"Accept-Version '{sent}' does not match")


async def test_odd_accept_header_still_gets_json(sandbox: Sandbox) -> None:
    async with client_for(sandbox) as http:
        token = await _app_access_token(http, sandbox)
        answer = await http.get(
            "/demo/api/administrations", headers={**bearer(token), "Accept": "text/xml"}
        )
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/json")
    assert isinstance(answer.json(), list | dict)


async def test_tracking_identifier_replays_the_first_answer_without_a_second_write(
    sandbox: Sandbox,
) -> None:
    tracking = str(uuid.uuid4())
    async with client_for(sandbox) as http:
        token = await _app_access_token(http, sandbox)
        headers = {**bearer(token), "Tracking-Identifier": tracking}
        first = await http.post("/demo/api/phonenumber", headers=headers, json=PHONE)
        second = await http.post("/demo/api/phonenumber", headers=headers, json=PHONE)
        other_env_token = await _app_access_token(http, sandbox, "acme")
        acme = await http.post(
            "/acme/api/phonenumber",
            headers={**bearer(other_env_token), "Tracking-Identifier": tracking},
            json=PHONE,
        )
        untracked = await http.post("/demo/api/phonenumber", headers=bearer(token), json=PHONE)
    assert first.status_code == 200, first.text
    assert second.status_code == first.status_code and second.content == first.content
    assert acme.status_code == 200
    assert untracked.status_code == 200 and untracked.content != first.content
    replays = [e.facts["replayed"] for e in sandbox.journal.find("api")]
    assert replays == [False, True, False, False]
    demo_writes = [
        e for e in sandbox.journal.find("api", environment="demo") if not e.facts["replayed"]
    ]
    assert len(demo_writes) == 2  # the tracked write once, the untracked one once


async def test_never_a_5xx_for_odd_requests(sandbox: Sandbox) -> None:
    async with client_for(sandbox) as http:
        token = await _app_access_token(http, sandbox)
        answers = [
            await http.post("/demo/api/phonenumber", headers=bearer(token), content=b"\xff\x00{"),
            await http.post(
                "/demo/api/phonenumber",
                headers={**bearer(token), "content-type": "multipart/form-data; boundary=x"},
                content=b"--x\r\ngarbage",
            ),
            await http.get("/demo/api/administrations?skip=-1&take=abc", headers=bearer(token)),
            await http.request("PATCH", "/demo/api/administrations", headers=bearer(token)),
            await http.post(
                "/demo/app/token", content=b"\x00\x01", headers={"content-type": "x/y"}
            ),
            await http.post(
                "/demo/app/token",
                content=b"--b\r\nbroken",
                headers={"content-type": "multipart/form-data; boundary=b"},
            ),
            await http.get("/nowhere/app/auth"),
            await http.get("/"),
            await http.post("/demo/authentication/getaccesstoken", json=["apptoken"]),
        ]
    assert all(answer.status_code < 500 for answer in answers), [a.status_code for a in answers]
    assert not any(e.facts.get("sandbox_error") for e in sandbox.journal.exchanges())


async def test_unknown_paths_are_journaled_as_unknown(sandbox: Sandbox) -> None:
    async with client_for(sandbox) as http:
        answer = await http.get("/demo/somewhere/else")
    assert answer.status_code == 404 and answer.json()["StatusCode"] == 404
    assert sandbox.journal.find("unknown")[0].path == "/demo/somewhere/else"


async def test_short_lifetimes_apply(make_sandbox, clock: ManualClock) -> None:  # type: ignore[no-untyped-def]
    box: Sandbox = make_sandbox(clock=clock, lifetimes=Lifetimes(app_access=5))
    async with client_for(box) as http:
        token = await _app_access_token(http, box)
        clock.now += 6
        answer = await http.get("/demo/api/administrations", headers=bearer(token))
    assert answer.status_code == 401
    assert json.loads(box.journal.export_json())[-1]["facts"]["token_state"] == "expired"
