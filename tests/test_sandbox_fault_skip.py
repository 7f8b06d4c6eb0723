"""Faults inside a sync: `skip` lets the first requests through; a 401 kills the token."""

from __future__ import annotations

import httpx
import pytest

from sbready.sandbox.app import Sandbox
from sbready.sandbox.faults import FaultRule
from tests.test_sandbox_support import *  # noqa: F403 - the shared sandbox fixtures
from tests.test_sandbox_support import bearer, client_for

pytestmark = pytest.mark.anyio


async def _token(http: httpx.AsyncClient, sandbox: Sandbox, app_token: str) -> str:
    answer = await http.post("/demo/authentication/getaccesstoken", json={"apptoken": app_token})
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["access_token"]
    return token


async def test_skip_lets_the_first_matching_requests_through(sandbox: Sandbox) -> None:
    sandbox.add_fault(FaultRule("status", status=503, skip=2, times=1))
    async with client_for(sandbox) as http:
        token = await _token(http, sandbox, sandbox.activate("demo"))
        statuses = [(await http.get("/demo/api/administrations", headers=bearer(token)))
                    .status_code for _ in range(4)]
    assert statuses == [200, 200, 503, 200]


async def test_a_401_fault_makes_the_presented_token_invalid(sandbox: Sandbox) -> None:
    sandbox.add_fault(FaultRule("status", status=401, skip=1, times=1))
    async with client_for(sandbox) as http:
        app_token = sandbox.activate("demo")
        token = await _token(http, sandbox, app_token)
        first = await http.get("/demo/api/administrations", headers=bearer(token))
        faulted = await http.get("/demo/api/administrations", headers=bearer(token))
        same_token = await http.get("/demo/api/administrations", headers=bearer(token))
        fresh = await http.get("/demo/api/administrations",
                               headers=bearer(await _token(http, sandbox, app_token)))
    assert (first.status_code, faulted.status_code) == (200, 401)
    # SB rejects that token from then on: a retry must renew it first
    assert same_token.status_code == 401 and fresh.status_code == 200
    api = sandbox.journal.find("api")
    assert api[1].facts["token_invalidated"] is True
    assert api[2].fault is None and api[2].facts["token_state"] == "expired"


async def test_path_star_makes_every_sb_endpoint_unreachable(sandbox: Sandbox) -> None:
    app_token = sandbox.activate("demo")
    sandbox.add_fault(FaultRule("status", status=503, path="*", times=None))
    async with client_for(sandbox) as http:
        exchange = await http.post("/demo/authentication/getaccesstoken",
                                   json={"apptoken": app_token})
        refresh = await http.post("/demo/app/token", data={"grant_type": "refresh_token"})
        api = await http.get("/demo/api/administrations", headers=bearer("x" * 40))
    assert exchange.status_code == 503 and refresh.status_code == 503
    # the bearer gate comes first: an unknown token is refused before any fault
    assert api.status_code == 401


def test_skip_is_validated_and_read_from_json() -> None:
    assert FaultRule.from_json({"kind": "status", "status": 401, "skip": 1}).skip == 1
    for bad in (-1, True, 1.5):
        with pytest.raises(ValueError, match="skip must be a whole number"):
            FaultRule("status", skip=bad)  # type: ignore[arg-type]
