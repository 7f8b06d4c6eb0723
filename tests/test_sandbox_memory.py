"""The journal stays bounded in a long-running sandbox and still redacts at capture."""

from __future__ import annotations

import json

import pytest

from sbready.sandbox.app import Sandbox
from sbready.sandbox.http_capture import _journal_body
from sbready.sandbox.journal import (
    BODY_DROPPED,
    Exchange,
    Journal,
    JournalLimits,
    PackedJson,
    stored_body,
)
from sbready.sandbox.redact import SandboxRedactor
from tests.test_sandbox_support import *  # noqa: F403 - the shared sandbox fixtures
from tests.test_sandbox_support import bearer, client_for


def _exchange(seq: int, method: str = "GET", body: object = None, status: int = 200) -> Exchange:
    packed = PackedJson(json.dumps(body).encode()) if body is not None else None
    return Exchange(
        seq=seq, started=0.0, duration_ms=1.0, environment="demo", kind="api", client_id="c",
        method=method, url=f"http://sb/demo/api/x/{seq}", path="/demo/api/x", api_path="/api/x",
        query={}, request_headers={}, request_content_type=None, request_body=packed,
        status=status, response_headers={}, response_body=packed, operation_id="x",
    )


def test_the_journal_keeps_at_most_max_exchanges_the_newest() -> None:
    journal = Journal(JournalLimits(max_exchanges=100, read_body_budget=None))
    for _ in range(500):
        journal.add(_exchange(journal.next_seq()))
    kept = [exchange.seq for exchange in journal.exchanges()]
    assert kept[-1] == 500
    assert 100 <= len(kept) <= 106  # trimmed in small batches
    assert kept == list(range(kept[0], 501))
    assert [e.seq for e in journal.exchanges(since=495)] == [496, 497, 498, 499, 500]


def test_get_bodies_beyond_the_budget_are_dropped_oldest_first_write_bodies_stay() -> None:
    journal = Journal(JournalLimits(max_exchanges=None, read_body_budget=10_000))
    page = {"Result": [{"Id": n, "Description": "x" * 80} for n in range(30)]}  # ~3 kB
    journal.add(_exchange(journal.next_seq(), "POST", {"InvoiceNumber": "F-1"}))
    for _ in range(10):
        journal.add(_exchange(journal.next_seq(), "GET", page))
    exchanges = journal.exchanges()
    assert exchanges[0].response_body == {"InvoiceNumber": "F-1"}  # a write's answer stays
    gets = exchanges[1:]
    kept = [e for e in gets if e.response_body != BODY_DROPPED]
    assert 1 <= len(kept) <= 3 and kept == gets[-len(kept):]  # the newest ones
    assert all(e.response_body == page for e in kept)
    assert all(e.status == 200 and e.url for e in gets)  # the exchange itself stays


@pytest.mark.anyio
async def test_api_bodies_are_kept_as_bytes_and_read_parsed(sandbox: Sandbox) -> None:
    token = sandbox.activate("demo", token="memory-app-token-" + "m" * 30)
    async with client_for(sandbox) as http:
        access = (await http.post("/demo/authentication/getaccesstoken",
                                  json={"apptoken": token})).json()["access_token"]
        answer = await http.get("/demo/api/ledgeraccounts", params={"take": "100"},
                                headers=bearer(access))
    assert answer.status_code == 200
    exchange = sandbox.journal.find("api")[-1]
    assert isinstance(stored_body(exchange, "response_body"), PackedJson)
    body = exchange.response_body
    records = body["Result"] if isinstance(body, dict) else body
    assert len(records) == 100 and records == (answer.json()["Result"] if isinstance(
        answer.json(), dict) else answer.json())
    assert access not in json.dumps(exchange.to_json())


def test_bodies_holding_secrets_take_the_careful_path() -> None:
    redactor = SandboxRedactor()
    secret = "planted-access-token-" + "z" * 30
    redactor.remember(secret, follow=True)
    raw = json.dumps({"Description": f"token {secret} in a record"}).encode()
    kept = _journal_body(redactor, raw, "application/json")
    assert secret not in json.dumps(kept if not isinstance(kept, bytes) else kept.decode())
    assert redactor.fingerprint(secret) in bytes(kept).decode()
    escaped = b'{"\\u0070assword": "hunter2-hunter2", "Name": "x"}'  # "password", escaped
    assert b"hunter2" not in bytes(_journal_body(redactor, escaped, "application/json"))
    clean = b'{"Name":"Bakkerij De Korenschoof B.V."}'
    assert isinstance(_journal_body(redactor, clean, "application/json"), PackedJson)


def test_the_banner_line_says_what_the_journal_keeps() -> None:
    line = JournalLimits().describe()
    assert "the last 20,000 exchanges" in line
    assert "successful GET bodies up to 32 MiB in total (oldest dropped first)" in line


@pytest.mark.anyio
async def test_a_secret_written_into_a_record_is_redacted_on_the_fast_path(
        sandbox: Sandbox) -> None:
    token = sandbox.activate("demo", token="leaky-app-token-" + "k" * 30)
    async with client_for(sandbox) as http:
        access = (await http.post("/demo/authentication/getaccesstoken",
                                  json={"apptoken": token})).json()["access_token"]
        environment = sandbox.store.environment("demo")
        assert environment is not None
        environment.add("organisation", {"Id": "00000000-0000-4000-8000-00000000beef",
                                         "Name": f"Lek {access} B.V."})
        answer = await http.get("/demo/api/organisations",
                                params={"take": "500", "sortField": "Name descending"},
                                headers=bearer(access, version="2"))
    assert access in answer.text  # the app gets its data back as SB would send it
    exchange = sandbox.journal.find("api")[-1]
    kept = json.dumps(exchange.response_body)
    assert access not in kept
    assert sandbox.redactor.fingerprint(access) in kept
