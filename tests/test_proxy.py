"""The recording proxy with the sandbox as its upstream: reads, the read-only guard, faults,
redaction, the control API. The proxy knows nothing about the sandbox: it only sees traffic."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from sbready.errors import UsageError
from sbready.proxy.app import RecordingProxy, check_upstream
from sbready.sandbox.app import Sandbox
from sbready.sandbox.faults import FaultRule
from sbready.sandbox.server import serve
from sbready.spec.index import OperationIndex
from tests.test_sandbox_support import CALLBACK, SECRET, customer_client, index_600, pkce

__all__ = ["index_600"]
PHONE = {"PhoneNumber": "020-7654321"}


@dataclass
class Pair:
    """A sandbox (the upstream) and the proxy in front of it, both served on loopback."""

    sandbox: Sandbox
    proxy: RecordingProxy
    url: str  # the proxy's base URL

    def upstream_paths(self, method: str) -> list[str]:
        """The API paths the upstream's own journal saw with `method`."""
        return [e.path for e in self.sandbox.journal.exchanges()
                if e.method == method and e.kind == "api"]


def _pair(index: OperationIndex, *, allow_writes: bool,
          browser_to_upstream: bool = False) -> Generator[Pair, None, None]:
    sandbox = Sandbox(index)
    sandbox.register_client(customer_client())
    with serve(sandbox.app) as upstream:
        proxy = RecordingProxy(upstream.base_url, index=index, allow_writes=allow_writes,
                               browser_to_upstream=browser_to_upstream)
        with serve(proxy.app) as served:
            yield Pair(sandbox, proxy, served.base_url)


@pytest.fixture
def pair(index_600: OperationIndex) -> Iterator[Pair]:
    yield from _pair(index_600, allow_writes=False)


@pytest.fixture
def writable(index_600: OperationIndex) -> Iterator[Pair]:
    yield from _pair(index_600, allow_writes=True)


def _app_token(pair: Pair) -> tuple[str, str]:
    app_token = pair.sandbox.activate("demo")
    answer = httpx.post(f"{pair.url}/demo/authentication/getaccesstoken",
                        json={"apptoken": app_token}, timeout=5)
    assert answer.status_code == 200
    return app_token, str(answer.json()["access_token"])


def _headers(token: str, version: str = "1", **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Accept-Version": version, **extra}


def test_reads_pass_and_are_journaled_with_the_sandboxs_kinds_and_facts(pair: Pair) -> None:
    _, token = _app_token(pair)
    answer = httpx.get(f"{pair.url}/demo/api/ledgeraccounts", params={"take": "5"},
                       headers=_headers(token), timeout=5)
    assert answer.status_code == 200 and len(answer.json()) == 5
    exchange, read = pair.proxy.journal.exchanges()
    assert (exchange.kind, exchange.environment) == ("getaccesstoken", "demo")
    assert exchange.facts["issued_access_fp"].startswith("fp:")
    assert exchange.facts["issued_for"] == "demo"
    assert (read.kind, read.environment, read.api_path) == ("api", "demo", "/api/ledgeraccounts")
    assert read.operation_id == "get_ledgeraccounts_1.0"
    assert read.facts["access_fp"] == exchange.facts["issued_access_fp"]
    assert read.facts["version_ok"] is True and read.facts["returned"] == 5
    assert read.facts["forwarded"] is True
    assert read.request_headers["authorization"] == f"Bearer {read.facts['access_fp']}"
    assert pair.upstream_paths("GET") == ["/demo/api/ledgeraccounts"]


def test_oauth_flow_through_the_proxy_links_code_verifier_and_tokens(pair: Pair) -> None:
    verifier, challenge = pkce()
    query = {"client_id": "partner", "redirect_uri": CALLBACK, "response_type": "code",
             "code_challenge": challenge, "code_challenge_method": "S256",
             "state": "s" * 32}
    with httpx.Client(base_url=pair.url, timeout=5) as browser:
        page = browser.get("/demo/app/auth?" + urlencode(query))
        assert page.status_code == 200
        request_id = re.search(r'name="request" value="([^"]+)"', page.text)
        assert request_id is not None
        decision = browser.post("/demo/app/auth", data={"request": request_id.group(1),
                                                          "decision": "allow"})
    assert decision.status_code == 302
    code = parse_qs(urlsplit(decision.headers["location"]).query)["code"][0]
    token = httpx.post(f"{pair.url}/demo/app/token", timeout=5, data={
        "grant_type": "authorization_code", "client_id": "partner", "client_secret": SECRET,
        "redirect_uri": CALLBACK, "code": code, "code_verifier": verifier})
    assert token.status_code == 200
    authorize, consent, exchange = pair.proxy.journal.exchanges()
    assert (authorize.kind, consent.kind, exchange.kind) == ("authorize", "consent", "token")
    assert authorize.client_id == "partner" and authorize.facts["state_present"] is True
    assert exchange.facts["verifier_matches_challenge"] is True
    assert exchange.facts["code_fp"] == consent.facts["code_fp"] != None  # noqa: E711
    assert exchange.facts["grant_type"] == "authorization_code"
    assert exchange.facts["client_secret_valid"] is True
    assert exchange.facts["issued_refresh_fp"].startswith("fp:")
    journal = pair.proxy.journal.export_json()
    for secret in (SECRET, verifier, code, token.json()["access_token"],
                   token.json()["refresh_token"]):
        assert secret not in journal


def test_the_authorize_request_is_journaled_and_the_browser_sent_to_afas(
    index_600: OperationIndex
) -> None:
    pairs = _pair(index_600, allow_writes=False, browser_to_upstream=True)
    pair = next(pairs)
    _, challenge = pkce()
    query = urlencode({"client_id": "partner", "redirect_uri": CALLBACK,
                       "response_type": "code", "code_challenge": challenge,
                       "code_challenge_method": "S256", "state": "s" * 32})
    try:
        answer = httpx.get(f"{pair.url}/demo/app/auth?{query}", timeout=5)
    finally:
        pairs.close()
    assert answer.status_code == 302
    assert answer.headers["location"] == f"{pair.proxy.upstream}/demo/app/auth?{query}"
    authorize = pair.proxy.journal.exchanges()[-1]
    assert authorize.kind == "authorize" and authorize.client_id == "partner"
    assert authorize.query["code_challenge"] == [challenge]
    assert authorize.facts["sent_to_upstream"] is True
    assert pair.sandbox.journal.exchanges() == []  # the browser goes there itself


def test_a_write_without_allow_writes_is_refused_and_never_reaches_sb(pair: Pair) -> None:
    _, token = _app_token(pair)
    answer = httpx.post(f"{pair.url}/demo/api/phonenumber", json=PHONE,
                        headers=_headers(token), timeout=5)
    assert answer.status_code == 403
    message = answer.json()["Message"]
    assert "read-only" in message and "--allow-writes" in message
    assert "allow_writes = true" in message
    refused = pair.proxy.journal.exchanges()[-1]
    assert refused.facts["refused"] == "read-only" and refused.facts["forwarded"] is False
    assert refused.request_body == PHONE  # judged by INT-03 all the same
    assert pair.upstream_paths("POST") == []  # the upstream's own journal: it never arrived
    assert pair.sandbox.store.written("demo", "/api/phonenumber") == []


def test_with_allow_writes_the_write_lands_once(writable: Pair) -> None:
    _, token = _app_token(writable)
    answer = httpx.post(f"{writable.url}/demo/api/phonenumber", json=PHONE,
                        headers=_headers(token, **{"Tracking-Identifier": str(uuid.uuid4())}),
                        timeout=5)
    assert answer.status_code == 200 and answer.json()["result"] == "Succeeded"
    assert writable.upstream_paths("POST") == ["/demo/api/phonenumber"]
    assert len(writable.sandbox.store.written("demo", "/api/phonenumber")) == 1
    assert writable.proxy.journal.exchanges()[-1].facts["result"] == "Succeeded"


@pytest.mark.parametrize("status", [401, 403, 429, 500, 503])
def test_status_faults_are_answered_by_the_proxy_without_forwarding(pair: Pair,
                                                                     status: int) -> None:
    _, token = _app_token(pair)
    pair.proxy.add_fault(FaultRule("status", status=status))
    answer = httpx.get(f"{pair.url}/demo/api/ledgeraccounts", headers=_headers(token),
                       timeout=5)
    assert answer.status_code == status and answer.json()["StatusCode"] == status
    assert ("retry-after" in answer.headers) == (status == 429)
    faulted = pair.proxy.journal.exchanges()[-1]
    assert faulted.fault and f"status {status}" in faulted.fault
    assert pair.upstream_paths("GET") == []
    again = httpx.get(f"{pair.url}/demo/api/ledgeraccounts", headers=_headers(token), timeout=5)
    assert again.status_code == 200  # one occurrence, then SB's own answer


def test_ds3100_body_and_unprocessed_failed_are_injected_without_forwarding(pair: Pair) -> None:
    _, token = _app_token(pair)
    pair.proxy.add_fault(FaultRule("ds3100", operation_id="post_phonenumber_1.0_create"))
    pair.proxy.add_fault(FaultRule("write_result", result="Failed", made=False,
                                   method="POST"))
    pair.proxy.add_fault(FaultRule("body", operation_id="get_ledgeraccounts_1.0", body=[]))
    first = httpx.post(f"{pair.url}/demo/api/phonenumber", json=PHONE, headers=_headers(token),
                       timeout=5)
    second = httpx.post(f"{pair.url}/demo/api/phonenumber", json=PHONE, headers=_headers(token),
                        timeout=5)
    listed = httpx.get(f"{pair.url}/demo/api/ledgeraccounts", headers=_headers(token), timeout=5)
    assert first.status_code == 400 and "DS3100" in first.text
    assert second.status_code == 200 and second.json()["result"] == "Failed"
    assert listed.json() == []
    assert pair.upstream_paths("POST") == [] and pair.upstream_paths("GET") == []


def test_a_made_write_result_needs_writes_and_then_reports_what_sb_made(
    pair: Pair, writable: Pair
) -> None:
    for target, allowed in ((pair, False), (writable, True)):
        _, token = _app_token(target)
        target.proxy.add_fault(FaultRule("write_result", result="PartiallySucceeded",
                                         method="POST"))
        answer = httpx.post(f"{target.url}/demo/api/phonenumber", json=PHONE,
                            headers=_headers(token), timeout=5)
        if not allowed:
            assert answer.status_code == 403 and "read-only" in answer.json()["Message"]
            assert target.upstream_paths("POST") == []
            assert "not applied: writes are not allowed" in str(
                target.proxy.journal.exchanges()[-1].fault)
            continue
        assert answer.json()["result"] == "PartiallySucceeded"
        assert len(target.sandbox.store.written("demo", "/api/phonenumber")) == 1
        assert target.proxy.journal.exchanges()[-1].facts["upstream_result"] == "Succeeded"


def test_delay_is_forwarded_late(pair: Pair) -> None:
    _, token = _app_token(pair)
    pair.proxy.add_fault(FaultRule("delay", delay=0.3))
    started = time.monotonic()
    answer = httpx.get(f"{pair.url}/demo/api/ledgeraccounts", headers=_headers(token), timeout=5)
    assert answer.status_code == 200 and time.monotonic() - started >= 0.3
    assert pair.upstream_paths("GET") == ["/demo/api/ledgeraccounts"]


def test_timeout_holds_and_drops_without_forwarding(pair: Pair) -> None:
    _, token = _app_token(pair)
    pair.proxy.add_fault(FaultRule("timeout", path="*", hold=5))
    started = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(f"{pair.url}/demo/api/ledgeraccounts", headers=_headers(token), timeout=0.5)
    assert time.monotonic() - started < 3
    assert pair.upstream_paths("GET") == []
    deadline = time.monotonic() + 8
    while not any(e.fault for e in pair.proxy.journal.exchanges()):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert pair.proxy.journal.exchanges()[-1].status == 0


def test_token_endpoint_faults_only_by_path(pair: Pair) -> None:
    pair.proxy.add_fault(FaultRule("status", status=503, path="/authentication/getaccesstoken"))
    app_token = pair.sandbox.activate("demo")
    answer = httpx.post(f"{pair.url}/demo/authentication/getaccesstoken",
                        json={"apptoken": app_token}, timeout=5)
    assert answer.status_code == 503
    assert pair.sandbox.journal.exchanges() == []
    assert app_token not in pair.proxy.journal.export_json()


def test_response_lost_needs_writes_and_then_the_write_lands_once(
    pair: Pair, writable: Pair
) -> None:
    _, token = _app_token(pair)
    pair.proxy.add_fault(FaultRule("response_lost", method="POST"))
    refused = httpx.post(f"{pair.url}/demo/api/phonenumber", json=PHONE,
                         headers=_headers(token), timeout=5)
    assert refused.status_code == 403
    assert "not applied: writes are not allowed" in str(pair.proxy.journal.exchanges()[-1].fault)
    _, token = _app_token(writable)
    writable.proxy.add_fault(FaultRule("response_lost", method="POST"))
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.post(f"{writable.url}/demo/api/phonenumber", json=PHONE,
                   headers=_headers(token), timeout=5)
    assert len(writable.sandbox.store.written("demo", "/api/phonenumber")) == 1
    deadline = time.monotonic() + 5
    while writable.proxy.journal.exchanges()[-1].method != "POST":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    lost = writable.proxy.journal.exchanges()[-1]
    assert lost.status == 0 and lost.facts["unsent_status"] == 200


def test_control_api_needs_the_key_and_drives_faults_and_the_journal(pair: Pair) -> None:
    assert httpx.get(f"{pair.url}/_sbready/journal", timeout=5).status_code == 401
    key = {"X-Sbready-Key": pair.proxy.control_key}
    added = httpx.post(f"{pair.url}/_sbready/faults", headers=key, timeout=5,
                       json={"kind": "status", "status": 500})
    assert added.status_code == 200 and added.json()["id"] == "fault-1"
    bad = httpx.post(f"{pair.url}/_sbready/faults", headers=key, json={"kind": "nope"}, timeout=5)
    assert bad.status_code == 400 and "unknown fault kind" in bad.json()["error"]
    _, token = _app_token(pair)
    assert httpx.get(f"{pair.url}/demo/api/ledgeraccounts", headers=_headers(token),
                     timeout=5).status_code == 500
    journal = httpx.get(f"{pair.url}/_sbready/journal", headers=key, timeout=5).json()
    assert [e["kind"] for e in journal] == ["getaccesstoken", "api"]
    assert httpx.get(f"{pair.url}/_sbready/status", headers=key, timeout=5).json() == {
        "upstream": pair.proxy.upstream, "allow_writes": False}


def test_upstream_must_be_https_or_loopback_http() -> None:
    assert check_upstream("https://12345.afasfocus.nl") == "https://12345.afasfocus.nl"
    assert check_upstream("http://127.0.0.1:8600") == "http://127.0.0.1:8600"
    with pytest.raises(UsageError, match="plain http"):
        check_upstream("http://12345.afasfocus.nl")
    with pytest.raises(UsageError, match="has a path"):
        check_upstream("https://12345.afasfocus.nl/demo")
    with pytest.raises(UsageError, match="not a URL"):
        check_upstream("12345.afasfocus.nl")


def test_an_unreachable_upstream_is_a_502_that_says_so(index_600: OperationIndex) -> None:
    proxy = RecordingProxy("http://127.0.0.1:9", index=index_600)
    with serve(proxy.app) as served:
        answer = httpx.get(f"{served.base_url}/demo/api/ledgeraccounts", timeout=10)
    assert answer.status_code == 502 and "could not reach" in answer.json()["Message"]


def test_token_errors_and_getscopes_are_journaled_from_the_answers(pair: Pair) -> None:
    refused = httpx.post(f"{pair.url}/demo/app/token", timeout=5, data={
        "grant_type": "refresh_token", "client_id": "partner", "client_secret": SECRET,
        "refresh_token": "not-a-refresh-token-" + "r" * 20})
    scopes = httpx.get(f"{pair.url}/authentication/getscopes", timeout=5,
                       headers={"Authorization": "Bearer not-a-token-" + "t" * 20})
    token, listing = pair.proxy.journal.exchanges()
    assert refused.status_code == 400 and token.kind == "token"
    assert token.facts["grant_type"] == "refresh_token"
    assert token.facts["error"] == refused.json()["error"]
    assert token.facts["refresh_fp"].startswith("fp:") and token.facts["issued_access_fp"] is None
    assert scopes.status_code == 401
    assert (listing.kind, listing.environment, listing.status) == ("getscopes", None, 401)
    assert listing.facts["token_via"] == "bearer" and listing.facts["token_state"] == "rejected"
    journal = pair.proxy.journal.export_json()
    assert SECRET not in journal and "r" * 20 not in journal and "t" * 20 not in journal
