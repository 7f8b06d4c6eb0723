"""Fault injection: AFAS error answers, delays, and connections dropped without an answer."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest

from sbready.sandbox.app import Sandbox
from sbready.sandbox.faults import FaultRule
from tests.test_sandbox_support import *  # noqa: F403 - the shared sandbox fixtures
from tests.test_sandbox_support import (
    bearer,
    client_for,
)

PHONE = {"PhoneNumber": "020-7654321"}


async def _token(http: httpx.AsyncClient, sandbox: Sandbox) -> str:
    answer = await http.post(
        "/demo/authentication/getaccesstoken", json={"apptoken": sandbox.activate("demo")}
    )
    token: str = answer.json()["access_token"]
    return token


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("status", "exception_type"),
    [
        (401, "NotAuthenticatedException"),
        (403, "NotAuthorizedException"),
        (500, "InternalServerErrorException"),
        (503, "ServiceUnavailableException"),
    ],
)
async def test_status_faults_answer_afas_bodies_once(
    sandbox: Sandbox, status: int, exception_type: str
) -> None:
    sandbox.add_fault(FaultRule("status", status=status, path="/api/administrations"))
    async with client_for(sandbox) as http:
        token = await _token(http, sandbox)
        faulted = await http.get("/demo/api/administrations", headers=bearer(token))
        if status == 401:  # a 401 fault also kills the token it answered (faults.py)
            token = await _token(http, sandbox)
        normal = await http.get("/demo/api/administrations", headers=bearer(token))
    assert faulted.status_code == status
    assert faulted.json()["StatusCode"] == status
    assert faulted.json()["AdditionalInfo"]["ExceptionType"] == exception_type
    assert normal.status_code == 200
    exchanges = sandbox.journal.find("api")
    assert exchanges[0].fault and exchanges[0].fault.startswith(f"status {status}")
    assert exchanges[1].fault is None


@pytest.mark.anyio
async def test_429_carries_retry_after_and_rules_filter_by_operation_and_environment(
    sandbox: Sandbox,
) -> None:
    sandbox.add_fault(
        FaultRule(
            "status",
            status=429,
            retry_after=7,
            operation_id="get_administrations_1.0",
            environment="demo",
            times=2,
        )
    )
    async with client_for(sandbox) as http:
        token = await _token(http, sandbox)
        other_op = await http.get("/demo/api/ledgeraccounts", headers=bearer(token))
        first = await http.get("/demo/api/administrations", headers=bearer(token))
        second = await http.get("/demo/api/administrations", headers=bearer(token))
        third = await http.get("/demo/api/administrations", headers=bearer(token))
    assert other_op.status_code == 200
    assert first.status_code == second.status_code == 429
    assert first.headers["retry-after"] == "7"
    assert first.json()["AdditionalInfo"]["ExceptionType"] == "TooManyRequestsException"
    assert third.status_code == 200


@pytest.mark.anyio
async def test_ds3100_answers_without_processing(sandbox: Sandbox) -> None:
    sandbox.add_fault(FaultRule("ds3100", method="POST"))
    async with client_for(sandbox) as http:
        token = await _token(http, sandbox)
        ds3100 = await http.post("/demo/api/phonenumber", headers=bearer(token), json=PHONE)
    assert ds3100.status_code == 400 and ds3100.json()["ExceptionCode"] == "DS3100"
    assert sandbox.store.written("demo", "/api/phonenumber") == []


async def _post_phone(http: httpx.AsyncClient, token: str, tracking: str) -> httpx.Response:
    headers = {**bearer(token), "Tracking-Identifier": tracking}
    return await http.post("/demo/api/phonenumber", headers=headers, json=PHONE)


@pytest.mark.anyio
async def test_injected_failed_made_the_entry_and_a_same_identifier_retry_gets_the_same_answer(
    sandbox: Sandbox,
) -> None:
    sandbox.add_fault(FaultRule("write_result", method="POST"))
    tracking = str(uuid.uuid4())
    async with client_for(sandbox) as http:
        token = await _token(http, sandbox)
        failed = await _post_phone(http, token, tracking)
        retried = await _post_phone(http, token, tracking)
        held = sandbox.store.written("demo", "/api/phonenumber")
        resent = await _post_phone(http, token, str(uuid.uuid4()))
    body = failed.json()
    assert failed.status_code == 200 and body["result"] == "Failed" and body["instances"] == []
    # 6.0.0's own "error on date" shape: the entry exists, and the answer names its id
    assert len(held) == 1
    assert body["errors"][0] == ("Entity is made with one or more errors. Please correct this "
                                 "error in application or delete PhoneNumber with id: "
                                 f"{held[0]['Id']}")
    assert retried.json() == body
    first, replay, again = sandbox.journal.find("api")
    assert first.fault and "write_result Failed (entry made)" in first.fault
    assert first.facts["half_made"] is True and first.facts["created_id"] == held[0]["Id"]
    assert replay.facts["replayed"] is True and replay.facts["result"] == "Failed"
    # a new identifier is a new request: SB makes a second phone number
    assert resent.json()["result"] == "Succeeded" and not again.facts["replayed"]
    assert len(sandbox.store.written("demo", "/api/phonenumber")) == 2


@pytest.mark.anyio
async def test_injected_failed_that_made_nothing_is_not_processed_and_replays(
    sandbox: Sandbox,
) -> None:
    sandbox.add_fault(FaultRule("write_result", method="POST", made=False))
    tracking = str(uuid.uuid4())
    async with client_for(sandbox) as http:
        token = await _token(http, sandbox)
        failed = await _post_phone(http, token, tracking)
        retried = await _post_phone(http, token, tracking)
    assert failed.json()["result"] == "Failed" and failed.json()["instances"] == []
    assert "FeatureToggle not enabled" in failed.json()["errors"][0]
    assert retried.json() == failed.json()
    assert sandbox.store.written("demo", "/api/phonenumber") == []
    assert [e.facts.get("replayed") for e in sandbox.journal.find("api")] == [False, True]


@pytest.mark.anyio
async def test_injected_partially_succeeded_lists_what_was_made_with_object_errors(
    sandbox: Sandbox,
) -> None:
    sandbox.add_fault(FaultRule("write_result", result="PartiallySucceeded", method="POST"))
    headers = {"Tracking-Identifier": str(uuid.uuid4())}
    organisation = {"Name": "Gedeeltelijk B.V."}
    async with client_for(sandbox) as http:
        token = await _token(http, sandbox)
        headers.update(bearer(token, "3"))
        partial = await http.post("/demo/api/organisation", headers=headers, json=organisation)
        retried = await http.post("/demo/api/organisation", headers=headers, json=organisation)
        listed = await http.get("/demo/api/organisations", headers=bearer(token, "2"),
                                params={"filter": "Name eq 'Gedeeltelijk B.V.'"})
    body = partial.json()
    held = sandbox.store.written("demo", "/api/organisation")
    assert body["result"] == "PartiallySucceeded" and retried.json() == body
    assert [i["Id"] for i in body["instances"]] == [r["Id"] for r in held]
    assert body["instances"][0]["Code"] == "Organisatie"
    assert isinstance(body["errors"][0], dict) and "Organisatie" in body["errors"][0]
    # what the answer says was made shows in the GET too, once
    assert listed.status_code == 200, listed.text
    rows = listed.json()
    rows = rows["Result"] if isinstance(rows, dict) else rows
    assert [r["Id"] for r in rows] == [held[0]["Id"]]


@pytest.mark.anyio
async def test_no_write_result_is_injected_into_a_blob_put(sandbox: Sandbox) -> None:
    sandbox.add_fault(FaultRule("write_result", method="PUT"))
    headers = {"Blob-Content-Length": "5", "Blob-Content-Type": "text/plain",
               "Blob-Content-FileName": "a.txt"}
    async with client_for(sandbox) as http:
        token = await _token(http, sandbox)
        reserved = await http.put(f"/demo/api/blob/{uuid.uuid4()}",
                                  headers={**bearer(token, None), **headers})
    # SB answers a blob reservation {BlobAccepted, ChunkSize}, never {"result": ...}
    assert reserved.status_code == 200 and "result" not in reserved.json()
    [exchange] = sandbox.journal.find("api")
    assert exchange.fault and "not applied" in exchange.fault and "result" not in exchange.facts


@pytest.mark.anyio
async def test_injected_result_leaves_the_stores_own_failure_alone(sandbox: Sandbox) -> None:
    sandbox.add_fault(FaultRule("write_result", result="PartiallySucceeded", method="PUT"))
    async with client_for(sandbox) as http:
        token = await _token(http, sandbox)
        missing = await http.put("/demo/api/organisation", headers=bearer(token, "3"),
                                 json={"RelationId": str(uuid.uuid4()), "Name": "X"})
    assert missing.json()["result"] == "Failed"  # no such organisation: SB's own answer
    assert "not applied" in sandbox.journal.find("api")[0].facts["injected"]


@pytest.mark.anyio
async def test_delay_fault_waits_then_answers(sandbox: Sandbox) -> None:
    sandbox.add_fault(FaultRule("delay", delay=0.3))
    async with client_for(sandbox) as http:
        token = await _token(http, sandbox)
        started = time.perf_counter()
        answer = await http.get("/demo/api/administrations", headers=bearer(token))
        elapsed = time.perf_counter() - started
    assert answer.status_code == 200 and elapsed >= 0.3
    assert sandbox.journal.find("api")[0].duration_ms >= 300


@pytest.mark.anyio
async def test_in_process_response_lost_raises_remote_protocol_error_after_the_write(
    sandbox: Sandbox,
) -> None:
    sandbox.add_fault(FaultRule("response_lost", method="POST", path="/api/phonenumber"))
    tracking = str(uuid.uuid4())
    async with client_for(sandbox) as http:
        token = await _token(http, sandbox)
        headers = {**bearer(token), "Tracking-Identifier": tracking}
        with pytest.raises(httpx.RemoteProtocolError):
            await http.post("/demo/api/phonenumber", headers=headers, json=PHONE)
        retry = await http.post("/demo/api/phonenumber", headers=headers, json=PHONE)
    assert retry.status_code == 200
    lost, replayed = sandbox.journal.find("api")
    assert lost.status == 0 and lost.facts["unsent_status"] == 200
    assert lost.fault and lost.fault.startswith("response_lost")
    assert replayed.facts["replayed"] is True
    assert len(sandbox.store.written("demo", "/api/phonenumber")) == 1


@pytest.mark.anyio
async def test_in_process_timeout_holds_then_drops_without_processing(sandbox: Sandbox) -> None:
    sandbox.add_fault(FaultRule("timeout", hold=0.2, method="POST"))
    async with client_for(sandbox) as http:
        token = await _token(http, sandbox)
        started = time.perf_counter()
        with pytest.raises(httpx.RemoteProtocolError):
            await http.post("/demo/api/phonenumber", headers=bearer(token), json=PHONE)
        assert time.perf_counter() - started >= 0.2
    exchange = sandbox.journal.find("api")[0]
    assert exchange.status == 0 and exchange.fault and exchange.fault.startswith("timeout")
    assert sandbox.store.written("demo", "/api/phonenumber") == []


def test_served_response_lost_looks_like_a_dropped_connection(
    sandbox: Sandbox, served: str
) -> None:
    sandbox.add_fault(FaultRule("response_lost", method="POST"))
    app_token = sandbox.activate("demo")
    with httpx.Client(base_url=served, timeout=5) as http:
        token = http.post(
            "/demo/authentication/getaccesstoken", json={"apptoken": app_token}
        ).json()["access_token"]
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
            http.post("/demo/api/phonenumber", headers=bearer(token), json=PHONE)
        after = http.get("/demo/api/administrations", headers=bearer(token))
    assert after.status_code == 200
    assert len(sandbox.store.written("demo", "/api/phonenumber")) == 1
    assert sandbox.journal.find("api")[0].status == 0


def test_served_timeout_ends_when_the_client_gives_up(sandbox: Sandbox, served: str) -> None:
    sandbox.add_fault(FaultRule("timeout", hold=30, method="POST"))
    app_token = sandbox.activate("demo")
    with httpx.Client(base_url=served, timeout=5) as http:
        token = http.post(
            "/demo/authentication/getaccesstoken", json={"apptoken": app_token}
        ).json()["access_token"]
        started = time.perf_counter()
        with pytest.raises(httpx.ReadTimeout):
            http.post("/demo/api/phonenumber", headers=bearer(token), json=PHONE, timeout=0.3)
    deadline = time.monotonic() + 5
    while not sandbox.journal.find("api") and time.monotonic() < deadline:
        time.sleep(0.02)
    assert time.perf_counter() - started < 5  # the hold ended with the client's disconnect
    exchange = sandbox.journal.find("api")[0]
    assert exchange.status == 0
    assert sandbox.store.written("demo", "/api/phonenumber") == []


def test_fault_rules_validate_their_fields() -> None:
    with pytest.raises(ValueError, match="unknown fault kind"):
        FaultRule("explode")
    with pytest.raises(ValueError, match="write_result"):
        FaultRule("write_result", result="Succeeded")
    with pytest.raises(ValueError, match="unknown fault fields"):
        FaultRule.from_json({"kind": "status", "colour": "red"})
    rule = FaultRule.from_json({"kind": "status", "status": 429, "path": "/api/ledger*"})
    assert rule.matches(
        environment="demo", method="GET", path="/api/ledgeraccounts", operation_id=None, is_api=True
    )
    assert not rule.matches(
        environment="demo", method="POST", path="/app/token", operation_id=None, is_api=False
    )


@pytest.mark.anyio
async def test_token_endpoint_faults_only_when_targeted(sandbox: Sandbox) -> None:
    sandbox.add_fault(FaultRule("status", status=503, times=None))
    sandbox_token = sandbox.activate("demo")
    async with client_for(sandbox) as http:
        exchange = await http.post(
            "/demo/authentication/getaccesstoken", json={"apptoken": sandbox_token}
        )
        sandbox.clear_faults()
        sandbox.add_fault(FaultRule("status", status=503, path="/authentication/getaccesstoken"))
        faulted = await http.post(
            "/demo/authentication/getaccesstoken", json={"apptoken": sandbox_token}
        )
    assert exchange.status_code == 200
    assert faulted.status_code == 503
