"""The journal: redaction at capture, fingerprints that follow tokens, and the control API."""

from __future__ import annotations

import json
import threading

import pytest

from sbready.sandbox.app import Sandbox
from sbready.sandbox.journal import REDACTED, Exchange, Journal
from sbready.sandbox.redact import SandboxRedactor
from tests.test_sandbox_support import *  # noqa: F403 - the shared sandbox fixtures
from tests.test_sandbox_support import (
    CALLBACK,
    SECRET,
    bearer,
    client_for,
    code_exchange_form,
    consent,
)

APP_TOKEN = "planted-app-token-" + "q" * 40
PASSWORD = "planted-password-Zx9!"


@pytest.mark.anyio
async def test_no_secret_reaches_the_journal(sandbox: Sandbox) -> None:
    sandbox.activate("demo", token=APP_TOKEN)
    planted = {SECRET, APP_TOKEN, PASSWORD}
    async with client_for(sandbox) as http:
        walk = await consent(http)
        planted |= {walk.verifier, walk.params["code"]}
        form = code_exchange_form(walk)
        tokens = (await http.post("/demo/app/token", data=form)).json()
        await http.post("/demo/app/token", data=form)  # reuse: the code appears twice
        refreshed = (
            await http.post(
                "/demo/app/token",
                data={
                    "grant_type": "refresh_token",
                    "client_id": "partner",
                    "client_secret": SECRET,
                    "refresh_token": tokens["refresh_token"],
                },
            )
        ).json()
        app_access = (
            await http.post("/demo/authentication/getaccesstoken", json={"apptoken": APP_TOKEN})
        ).json()["access_token"]
        planted |= {tokens["access_token"], tokens["refresh_token"], app_access}
        planted |= {refreshed.get("access_token", "")} - {""}
        await http.get(
            "/demo/api/administrations",
            params={"access_token": app_access, "password": PASSWORD},
            headers=bearer(app_access),
        )
        await http.post(
            "/demo/api/phonenumber",
            headers={**bearer(app_access), "X-Debug": f"client_secret={SECRET}"},
            json={"PhoneNumber": "0201234567", "password": PASSWORD, "note": APP_TOKEN},
        )
        await http.post(
            "/authentication/getscopes", headers={"IdentityToken": tokens["access_token"]}
        )
        await http.post("/demo/app/token", json={"client_secret": SECRET, "password": PASSWORD})
    exported = sandbox.journal.export_json()
    everything = exported + "".join(repr(e) for e in sandbox.journal.exchanges())
    for secret in planted:
        assert secret not in everything, f"a planted secret leaked: {secret[:6]}..."
    assert REDACTED in exported and "fp:" in exported
    api = sandbox.journal.find("api")
    assert api[0].facts["secret_in_url"] is True
    assert api[0].query["password"] == [REDACTED]
    assert api[0].request_headers["authorization"].startswith("Bearer fp:")
    assert api[1].request_body["password"] == REDACTED
    consent_exchange = sandbox.journal.find("consent")[0]
    location = consent_exchange.response_headers["location"]
    assert consent_exchange.facts["code_fp"] in location
    token_exchange = sandbox.journal.find("token")[0]
    assert token_exchange.request_body["code"] == [consent_exchange.facts["code_fp"]]
    assert token_exchange.request_body["client_secret"] == [REDACTED]
    assert token_exchange.response_body["access_token"] == token_exchange.facts["issued_access_fp"]


def test_fingerprints_are_stable_keyed_and_short() -> None:
    one, other = SandboxRedactor(), SandboxRedactor()
    value = "some-token-value-123456"
    assert one.fingerprint(value) == one.fingerprint(value)
    assert one.fingerprint(value) != other.fingerprint(value)
    assert len(one.fingerprint(value)) == len("fp:") + 12
    one.remember(value, follow=True)
    assert one.scrub(f"x {value} y") == f"x {one.fingerprint(value)} y"
    assert one.headers({"Authorization": "Basic abc"})["authorization"] == f"Basic {REDACTED}"


def _exchange(seq: int, kind: str = "api", **facts: object) -> Exchange:
    return Exchange(
        seq=seq,
        started=0.0,
        duration_ms=1.0,
        environment="demo",
        kind=kind,
        client_id="c",
        method="GET",
        url="http://x/demo/api/a",
        path="/demo/api/a",
        api_path="/api/a",
        query={},
        request_headers={},
        request_content_type=None,
        request_body=None,
        status=200,
        response_headers={},
        response_body=None,
        operation_id=None,
        facts=dict(facts),
    )


def test_journal_orders_by_arrival_filters_and_is_thread_safe() -> None:
    journal = Journal()
    seqs = [journal.next_seq() for _ in range(3)]
    journal.add(_exchange(seqs[2], "token", error="invalid_grant"))
    journal.add(_exchange(seqs[0]))
    journal.add(_exchange(seqs[1]))
    assert [e.seq for e in journal.exchanges()] == [1, 2, 3]
    assert [e.seq for e in journal.exchanges(since=1)] == [2, 3]
    assert journal.find("token", error="invalid_grant")[0].seq == 3
    assert json.loads(journal.export_json(since=2))[0]["seq"] == 3

    def writer() -> None:
        for _ in range(200):
            journal.add(_exchange(journal.next_seq()))

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert journal.last_seq() == 803 and len(journal.exchanges()) == 803
    journal.clear()
    assert journal.exchanges() == [] and journal.last_seq() == 803


@pytest.mark.anyio
async def test_large_bodies_are_bounded_in_the_journal(sandbox: Sandbox) -> None:
    async with client_for(sandbox) as http:
        await http.post(
            "/demo/nowhere", content=b"a" * 200_000, headers={"content-type": "text/plain"}
        )
        await http.post("/demo/nowhere", json={"password": PASSWORD, "padding": "p" * 100_000})
    body = sandbox.journal.find("unknown")[0].request_body
    assert isinstance(body, str) and len(body) <= 64 * 1024
    big_json = sandbox.journal.find("unknown")[1].request_body
    assert isinstance(big_json, str) and len(big_json) <= 64 * 1024
    assert PASSWORD not in big_json and REDACTED in big_json


@pytest.mark.anyio
async def test_authorize_and_consent_share_the_pending_request_id(sandbox: Sandbox) -> None:
    async with client_for(sandbox) as http:
        await consent(http)
    authorize = sandbox.journal.find("authorize")[0]
    decided = sandbox.journal.find("consent")[0]
    assert authorize.facts["pending_request_id"]
    assert authorize.facts["pending_request_id"] == decided.facts["pending_request_id"]
    assert authorize.facts["error"] is None and authorize.facts["client_known"] is True
    assert decided.client_id == "partner" and decided.facts["decision"] == "allow"


@pytest.mark.anyio
async def test_http_control_api_requires_the_key_and_drives_the_sandbox(make_sandbox) -> None:  # type: ignore[no-untyped-def]
    box: Sandbox = make_sandbox(control_key="k" * 20)
    key = {"X-Sbready-Key": "k" * 20}
    async with client_for(box) as http:
        assert (await http.post("/_sbready/reset")).status_code == 401
        assert (
            await http.get("/_sbready/journal", headers={"X-Sbready-Key": "bad"})
        ).status_code == 401
        registered = await http.post(
            "/_sbready/clients",
            headers=key,
            json={
                "client_id": "ctl",
                "client_secret": "ctl-secret-123456",
                "redirect_uris": [CALLBACK],
                "bundles": ["Verkoopjournaalpost"],
            },
        )
        activated = await http.post("/_sbready/activate", headers=key, json={"environment": "demo"})
        app_token = activated.json()["app_token"]
        exchanged = await http.post(
            "/demo/authentication/getaccesstoken", json={"apptoken": app_token}
        )
        access = exchanged.json()["access_token"]
        fault = await http.post(
            "/_sbready/faults", headers=key, json={"kind": "status", "status": 503}
        )
        faulted = await http.get("/demo/api/administrations", headers=bearer(access))
        await http.post("/_sbready/faults", headers=key, json={"kind": "status", "status": 500})
        cleared = await http.delete("/_sbready/faults", headers=key)
        expired = await http.post("/_sbready/expire", headers=key, json={"environment": "demo"})
        after_expiry = await http.get("/demo/api/administrations", headers=bearer(access))
        withdrawn = await http.post(
            "/_sbready/consent/withdraw",
            headers=key,
            json={"client_id": "ctl", "environment": "demo"},
        )
        restored = await http.post(
            "/_sbready/consent/restore",
            headers=key,
            json={"client_id": "ctl", "environment": "demo"},
        )
        journal = await http.get("/_sbready/journal", headers=key, params={"since": 0})
        later = await http.get("/_sbready/journal", headers=key, params={"since": 2})
        bad_fault = await http.post("/_sbready/faults", headers=key, json={"kind": "boom"})
        bad_since = await http.get("/_sbready/journal", headers=key, params={"since": "x"})
        reset = await http.post("/_sbready/reset", headers=key)
        after_reset = await http.get("/_sbready/journal", headers=key)
    assert registered.json() == {"registered": "ctl"} and "ctl" in box.auth.clients
    assert fault.status_code == 200 and fault.json()["id"].startswith("fault-")
    assert faulted.status_code == 503
    assert cleared.json() == {"cleared": True} and box.faults.active() == {}
    assert expired.json() == {"expired": 1} and after_expiry.status_code == 401
    assert withdrawn.status_code == 200 and restored.status_code == 200
    kinds = [item["kind"] for item in journal.json()]
    assert kinds == ["getaccesstoken", "api", "api"]  # control calls are not journaled
    assert [item["seq"] for item in later.json()] == [3]
    assert bad_fault.status_code == 400 and "unknown fault kind" in bad_fault.json()["error"]
    assert bad_since.status_code == 400
    assert reset.status_code == 200 and after_reset.json() == []
    assert "ctl" in box.auth.clients  # reset keeps registered clients
