"""Reference app 3 (examples/relatiesync): its own sync logic, and one harness run of it.

The unit tests drive the app's SB client and sync against httpx.MockTransport answers shaped
like AFAS's documentation (TrackingToken wrappers, write results, DS3100 and 401 bodies).
The end-to-end test runs the whole checklist against the app as its readiness.toml says and
expects READY with every check passed, except the OAuth-only checks an app-token app skips.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from examples.relatiesync.base_url import UntrustedBaseUrl, parse_base_url
from examples.relatiesync.relations import queue_new_relation
from examples.relatiesync.sb_client import (
    Forbidden,
    ReconnectNeeded,
    SbClient,
    SbUnreachable,
)
from examples.relatiesync.store import Store
from examples.relatiesync.sync import PAGE_SIZE, pull_list, push_outbox, run_sync

BASE = "https://klant.afasfocus.nl/demo"
ORGANISATIONS = "/api/organisations"
Handler = Callable[[httpx.Request], httpx.Response]


def _guid(number: int) -> str:
    return f"00000000-0000-4000-8000-{number:012d}"


def _organisation(number: int, name: str | None = None) -> dict[str, Any]:
    return {"Id": _guid(number), "Name": name or f"Organisatie {number}", "ExternalId": None}


class FakeSb:
    """Answers getaccesstoken and API calls; records every request the app sent."""

    def __init__(self, api: Handler) -> None:
        self.api = api
        self.requests: list[httpx.Request] = []
        self.tokens_issued = 0
        self.token_answer: Callable[[], httpx.Response] | None = None

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path.endswith("/authentication/getaccesstoken"):
            if self.token_answer is not None:
                return self.token_answer()
            self.tokens_issued += 1
            return httpx.Response(200, json={"access_token": f"access-{self.tokens_issued}",
                                             "expires_in": "600", "token_type": "bearer"})
        return self.api(request)

    def api_requests(self) -> list[httpx.Request]:
        """The /api/ requests, in order."""
        return [r for r in self.requests if "/api/" in r.url.path]


def _client(fake: FakeSb, sleeps: list[float] | None = None) -> SbClient:
    record = sleeps if sleeps is not None else []
    return SbClient(BASE, "app-token-from-the-app-center",
                    http=httpx.Client(transport=httpx.MockTransport(fake)),
                    sleep=record.append)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "relatiesync.sqlite")


# ---- change tracking and de-duplication ---------------------------------------------------


def test_first_read_pages_sorted_then_deltas_are_deduplicated_by_id(store: Store) -> None:
    full = [_organisation(n) for n in range(PAGE_SIZE + 20)]
    delta = [_organisation(3, "Organisatie 3 (nieuwe naam)"), _organisation(5),
             _organisation(3, "Organisatie 3 (nieuwe naam)"), _organisation(500)]

    def api(request: httpx.Request) -> httpx.Response:
        params = request.url.params
        if "TrackingToken" in params:
            assert params["TrackingToken"] == "202612040000001"
            return httpx.Response(200, json={"TrackingToken": "202612040000009",
                                             "Result": delta})
        skip, take = int(params["skip"]), int(params["take"])
        token = "202612040000001" if skip == 0 else "202612040000002"
        return httpx.Response(200, json={"TrackingToken": token,
                                         "Result": full[skip:skip + take]})

    fake = FakeSb(api)
    first = pull_list(_client(fake), store, ORGANISATIONS, "organisation", "2.0")
    pages = fake.api_requests()
    assert [r.url.params["skip"] for r in pages] == ["0", str(PAGE_SIZE)]
    assert all(r.url.params["sortField"] == "Id ascending" for r in pages)
    assert (first.incremental, first.new, first.repeated) == (False, PAGE_SIZE + 20, 0)
    # the token of the first page is kept: changes made while paging come again, never lost
    assert store.tracking_token(ORGANISATIONS) == "202612040000001"

    second = pull_list(_client(fake), store, ORGANISATIONS, "organisation", "2.0")
    assert second.incremental
    assert (second.new, second.changed, second.repeated) == (1, 1, 2)
    assert store.mirror_counts() == {"organisation": PAGE_SIZE + 21}
    assert store.tracking_token(ORGANISATIONS) == "202612040000009"


def test_odd_list_answers_are_survived(store: Store) -> None:
    answers = iter([
        httpx.Response(200, json={"TrackingToken": None, "Result": None}),
        httpx.Response(200, json=[{"Name": "zonder Id"}, {"Id": None}, "geen object"]),
    ])
    fake = FakeSb(lambda request: next(answers))
    empty = pull_list(_client(fake), store, ORGANISATIONS, "organisation", "2.0")
    assert (empty.new, store.tracking_token(ORGANISATIONS)) == (0, None)
    odd = pull_list(_client(fake), store, ORGANISATIONS, "organisation", "2.0")
    assert (odd.new, odd.without_id) == (0, 3)
    assert "3 without Id (skipped)" in odd.describe()


# ---- writes: Tracking-Identifier, write results --------------------------------------------


def _write_result(result: str, **extra: Any) -> httpx.Response:
    return httpx.Response(200, json={"result": result, "traceId": "trace-1", "errors": [],
                                     "instances": [{"Code": "000123", "Id": _guid(9)}], **extra})


def test_tracking_identifier_is_stored_before_sending_and_kept_across_retries(
    store: Store,
) -> None:
    local_id, _ = queue_new_relation(store, "Bakkerij Het Anker")
    stored_at_first_attempt: list[str | None] = []

    def api(request: httpx.Request) -> httpx.Response:
        attempt = len([r for r in fake.api_requests() if r.method == "POST"])
        if attempt == 1:
            stored_at_first_attempt.append(store.open_items()[0].tracking_identifier)
            raise httpx.RemoteProtocolError("connection closed before the answer",
                                            request=request)
        if attempt == 2:
            return httpx.Response(503, json={"StatusCode": 503})
        return _write_result("Succeeded", data={"RelationId": _guid(9)})

    fake = FakeSb(api)
    sleeps: list[float] = []
    outcome = push_outbox(_client(fake, sleeps), store)
    posts = [r for r in fake.api_requests() if r.method == "POST"]
    identifiers = {r.headers["Tracking-Identifier"] for r in posts}
    assert len(posts) == 3 and len(identifiers) == 1
    assert stored_at_first_attempt == [identifiers.pop()]
    assert sleeps == [0.5, 1.5]
    assert outcome.created == ["Bakkerij Het Anker"]
    item = store.all_items()[0]
    assert (item.local_id, item.state, item.sb_id) == (local_id, "created", _guid(9))


def test_unanswered_write_is_retried_next_sync_with_the_same_identifier(store: Store) -> None:
    queue_new_relation(store, "Drukkerij De Molen")

    def unreachable(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("no answer", request=request)

    first = FakeSb(unreachable)
    with pytest.raises(SbUnreachable, match="no answer within 5 s"):
        push_outbox(_client(first), store)
    assert len(first.api_requests()) == 2  # two timeouts: SB counts as unreachable
    pending = store.open_items()[0]
    assert pending.state == "sending" and pending.tracking_identifier

    later = FakeSb(lambda request: _write_result("Succeeded"))
    push_outbox(_client(later), store)
    retried = later.api_requests()[0]
    assert retried.headers["Tracking-Identifier"] == pending.tracking_identifier
    assert store.all_items()[0].state == "created"


@pytest.mark.parametrize(("answer", "state", "phrase"), [
    (httpx.Response(400, json={"StatusCode": 400, "ExceptionCode": "DS3100",
                               "Message": "Invalid JSON request Required properties are "
                               "missing from object: Name.", "TraceId": "ds-trace-42"}),
     "rejected", "was rejected with HTTP 400: Invalid JSON request"),
    (_write_result("Failed", errors=["Organisation already exists"], instances=[]),
     "failed", "failed (result Failed): Organisation already exists"),
    (_write_result("PartiallySucceeded",
                   errors=[{"Organisatie": "'Adres' bevat een ongeldige waarde."}]),
     "partial", "was created only partly: Organisatie: 'Adres' bevat een ongeldige waarde."),
])
def test_write_results_are_honoured_and_never_resent(
    store: Store, answer: httpx.Response, state: str, phrase: str
) -> None:
    queue_new_relation(store, "Kaasmakerij Zuidwest")
    fake = FakeSb(lambda request: answer)
    outcome = push_outbox(_client(fake), store)
    assert len(outcome.problems) == 1 and phrase in outcome.problems[0]
    assert "TraceId" in outcome.problems[0]
    assert store.all_items()[0].state == state
    push_outbox(_client(fake), store)  # the next sync leaves the parked item alone
    assert len([r for r in fake.api_requests() if r.method == "POST"]) == 1


def test_failed_write_fails_the_sync_report(store: Store) -> None:
    queue_new_relation(store, "Bouwbedrijf Noorderlicht")

    def api(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return _write_result("Failed", errors=["Relatie bestaat al"], instances=[])
        return httpx.Response(200, json={"TrackingToken": "202612040000001", "Result": []})

    report = run_sync(_client(FakeSb(api)), store)
    assert report.http_status == 502 and report.body["status"] == "error"
    assert "could not be created in AFAS SB" in report.body["message"]
    assert "Relatie bestaat al" in report.body["message"]


# ---- the app token and the retry policy -----------------------------------------------------


def test_expired_access_token_is_exchanged_again_and_the_call_retried() -> None:
    def api(request: httpx.Request) -> httpx.Response:
        if request.headers["Authorization"] == "Bearer access-1":
            return httpx.Response(401, json={"StatusCode": 401,
                                             "Message": "Er is geen ingelogde gebruiker."})
        return httpx.Response(200, json=[])

    fake = FakeSb(api)
    answer = _client(fake).call("GET", ORGANISATIONS, version="2.0")
    exchanges = [r for r in fake.requests if r.url.path.endswith("getaccesstoken")]
    assert answer.status == 200 and len(exchanges) == 2
    assert json.loads(exchanges[0].content) == {"apptoken": "app-token-from-the-app-center"}
    assert exchanges[0].headers["Content-Type"] == "application/json"
    assert [r.headers["Authorization"] for r in fake.api_requests()] == [
        "Bearer access-1", "Bearer access-2"]


def test_rejected_app_token_asks_for_reconnection_once() -> None:
    fake = FakeSb(lambda request: httpx.Response(200, json=[]))
    fake.token_answer = lambda: httpx.Response(401, json={"Message": "Er is geen ingelogde "
                                                          "gebruiker."})
    with pytest.raises(ReconnectNeeded, match="reactivate RelatieSync .* reconnect"):
        _client(fake).call("GET", ORGANISATIONS, version="2.0")
    assert len(fake.requests) == 1  # no loop on a rejected token


def test_forbidden_is_reported_without_retry() -> None:
    fake = FakeSb(lambda request: httpx.Response(403, json={
        "Message": "De ingelogde gebruiker heeft niet voldoende rechten."}))
    with pytest.raises(Forbidden, match="403 Forbidden .*niet voldoende rechten"):
        _client(fake).call("GET", ORGANISATIONS, version="2.0")
    assert len(fake.api_requests()) == 1


def test_429_waits_for_retry_after_and_5xx_is_bounded() -> None:
    throttled = iter([httpx.Response(429, headers={"Retry-After": "2"}), httpx.Response(200)])
    sleeps: list[float] = []
    answer = _client(FakeSb(lambda request: next(throttled)), sleeps).call(
        "GET", ORGANISATIONS, version="2.0")
    assert answer.status == 200 and sleeps == [2.0]

    broken = FakeSb(lambda request: httpx.Response(500))
    sleeps = []
    with pytest.raises(SbUnreachable, match="HTTP 500, after 3 attempt"):
        _client(broken, sleeps).call("GET", ORGANISATIONS, version="2.0")
    assert len(broken.api_requests()) == 3 and sleeps == [0.5, 1.5]



def test_background_sync_answers_202_with_a_location_to_poll(admin_server: str) -> None:
    import time

    with httpx.Client(base_url=admin_server, timeout=10) as scheduler:
        accepted = scheduler.post("/sync", params={"wait": "false"})
        assert accepted.status_code == 202 and accepted.json()["status"] == "running"
        location = accepted.headers["location"]
        assert location.startswith("/sync/runs/")
        deadline = time.monotonic() + 10
        answer = scheduler.get(location)
        while answer.status_code == 202 and time.monotonic() < deadline:
            time.sleep(0.05)
            answer = scheduler.get(location)
        assert answer.status_code == 409 and "not connected" in answer.json()["message"]
        unknown = scheduler.get("/sync/runs/0000")
        assert unknown.status_code == 404 and "no sync run 0000" in unknown.json()["message"]

@pytest.mark.parametrize(("error", "status", "phrase"), [
    (ReconnectNeeded("AFAS SB no longer accepts the app token: reconnect"), 409, "reconnect"),
    (SbUnreachable("GET /api/persons: AFAS SB is unavailable"), 504, "unavailable"),
    (Forbidden("GET /api/persons: AFAS SB answered 403 Forbidden"), 502, "403 Forbidden"),
    (KeyError("Result"), 500, "internal error (KeyError)"),
])
def test_a_stopped_sync_answers_a_status_and_a_sentence(
    error: Exception, status: int, phrase: str
) -> None:
    from examples.relatiesync.worker import error_report

    report = error_report(error)
    assert report.http_status == status and report.body["status"] == "error"
    assert phrase in report.body["message"] and "Traceback" not in report.body["message"]


# ---- afasBaseUrl ------------------------------------------------------------------------------


def test_only_afas_hosts_and_named_test_hosts_are_trusted() -> None:
    assert parse_base_url("https://beers.afasfocus.nl/enyoi/").base_url == \
        "https://beers.afasfocus.nl/enyoi"
    assert parse_base_url("http://127.0.0.1:8600/demo",
                          trusted_hosts=["127.0.0.1:8600"]).environment == "demo"
    refused = {
        "https://evil.example/demo": "not an AFAS SB address",
        "https://afasfocus.nl.evil.example/demo": "not an AFAS SB address",
        "http://beers.afasfocus.nl/enyoi": "must use https",
        "https://beers.afasfocus.nl": "must name one customer environment",
        "https://beers.afasfocus.nl:port/enyoi": "invalid port",
        "": "afasBaseUrl is missing",
    }
    for raw, phrase in refused.items():
        with pytest.raises(UntrustedBaseUrl, match=phrase):
            parse_base_url(raw, trusted_hosts=["127.0.0.1:8600"])


# ---- the admin UI and the sync trigger -------------------------------------------------------


@pytest.fixture
def admin_server(store: Store) -> Any:
    import threading

    from examples.relatiesync.web import AdminApp, AppSettings, serve
    from examples.relatiesync.worker import Worker

    worker = Worker(store)
    settings = AppSettings("admin@relatiesync.example", "a-long-admin-password",
                           ("127.0.0.1:8600",), secure_cookies=False)
    server = serve(AdminApp(store, worker, settings), host="127.0.0.1", port=0, certfile=None,
                   keyfile=None)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        worker.shutdown()
        thread.join(timeout=5)


def test_admin_ui_refuses_foreign_hosts_and_asks_for_sign_in(admin_server: str) -> None:
    with httpx.Client(base_url=admin_server, timeout=5) as browser:
        foreign = browser.get("/afas-sb/", params={"afasBaseUrl": "https://evil.example/demo"})
        assert foreign.status_code == 400 and "not an AFAS SB address" in foreign.text
        missing = browser.get("/afas-sb/")
        assert missing.status_code == 400 and "afasBaseUrl is missing" in missing.text
        known = browser.get("/afas-sb/", params={"afasBaseUrl": "http://127.0.0.1:8600/demo"})
        assert known.status_code == 303
        assert known.headers["location"].startswith("/afas-sb/connect?afasBaseUrl=http")
        connect = browser.get(known.headers["location"])
        assert connect.status_code == 303 and connect.headers["location"].startswith("/login")
        login = browser.get(connect.headers["location"])
        assert login.status_code == 200 and "New to RelatieSync?" in login.text
        assert "httponly" in login.headers["set-cookie"].lower()
        csrf = login.text.split('name="csrf" value="')[1].split('"')[0]
        wrong = browser.post("/login", data={"csrf": csrf, "username": "admin@relatiesync.example",
                                             "password": "not-the-password", "next": "/"})
        assert wrong.status_code == 401 and "password is wrong" in wrong.text


def test_sync_trigger_answers_json_with_the_outcome(admin_server: str) -> None:
    answer = httpx.post(f"{admin_server}/sync", timeout=10)
    assert answer.status_code == 409
    assert answer.json()["status"] == "error"
    assert "not connected to AFAS SB yet" in answer.json()["message"]


def test_status_page_shows_a_failed_write_that_sb_made_anyway_and_no_token() -> None:
    from examples.relatiesync.pages import status_page
    from examples.relatiesync.store import Connection, OutboxItem

    parked = OutboxItem(1, "organisation", {"Name": "Drukkerij Zuidwest", "ExternalId": "rs-1"},
                        "failed", _guid(1), None, "'Drukkerij Zuidwest' failed (result Failed)")
    html = status_page(Connection(BASE, "demo", "the-app-token-itself", "connected"), None,
                       {"organisation": 121}, [parked], {"rs-1": _guid(7)})
    assert f"AFAS SB holds this relation (Id {_guid(7)})" in html
    assert "121 organisations" in html and "the-app-token-itself" not in html


# ---- the whole checklist --------------------------------------------------------------------

CONFIG = Path(__file__).resolve().parents[1] / "examples" / "relatiesync" / "readiness.toml"
# app-token app: the OAuth consent checks do not apply and are skipped by design
NOT_APPLICABLE = {"ONB-06", "ONB-07", "ONB-08", "ONB-09", "ONB-12", "ONB-13"}
# check ID -> why the harness still fails this correct app (none at the time of writing)
FALSE_FAILURES: dict[str, str] = {}


@pytest.fixture(scope="module")
def harness_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    import os

    from sbready.report.verdict import read_results
    from sbready.runner import execute

    folder = tmp_path_factory.mktemp("relatiesync-run")
    workdir = folder / "work"
    workdir.mkdir()
    environ = {**os.environ, "RELATIESYNC_ADMIN_PASSWORD": "reference-app-password-1"}
    outcome = execute(CONFIG, folder / "reports", environ=environ, workdir=workdir, html=False)
    results = read_results(outcome.results_dir)
    return {"outcome": outcome, "statuses": {r.check_id: r.status for r in results},
            "messages": {r.check_id: r.message or "" for r in results}}


def _check_ids() -> list[Any]:
    from checks.catalog import CHECKS

    return [pytest.param(check_id, marks=pytest.mark.xfail(strict=True,
                                                           reason=FALSE_FAILURES[check_id]))
            if check_id in FALSE_FAILURES else check_id for check_id in sorted(CHECKS)]


@pytest.mark.slow
def test_harness_says_ready(harness_run: dict[str, Any]) -> None:
    outcome = harness_run["outcome"]
    failed = {k: v for k, v in harness_run["statuses"].items() if v not in ("passed", "skipped")}
    assert outcome.exit_code == 0 and outcome.headline == "READY", failed


@pytest.mark.slow
@pytest.mark.parametrize("check_id", _check_ids())
def test_check_outcome(harness_run: dict[str, Any], check_id: str) -> None:
    status = harness_run["statuses"].get(check_id)
    message = harness_run["messages"].get(check_id, "")
    if check_id in NOT_APPLICABLE:
        assert status == "skipped" and "app token" in message, (status, message)
    else:
        assert status == "passed", f"{check_id} {status}: {message}"
