"""Demo partner app, unit level: its SB client, sync and web flow against a scripted fake SB.

The fake (httpx.MockTransport) answers only what these tests need; the end-to-end tests in
test_demo_partner_sandbox.py run the same code against the real sandbox.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from examples.demo_partner.__main__ import main as demo_main
from examples.demo_partner.admin import admin_root
from examples.demo_partner.base_url import BadBaseUrl, validate_base_url
from examples.demo_partner.errors import DemoPartnerError, ReauthorizationNeeded, SbUnavailable
from examples.demo_partner.flaws import FLAWS, UnknownFlawError, parse_flaws
from examples.demo_partner.oauth import s256_challenge
from examples.demo_partner.retry import RetryBehaviour, RetryPolicy, send_with_retries
from examples.demo_partner.settings import ConfigurationError, Settings, load_settings
from examples.demo_partner.store import Connection, Store
from examples.demo_partner.sync import DEFAULT_INVOICES, load_invoices, new_http_client, run_sync
from examples.demo_partner.web import create_app

with warnings.catch_warnings():
    # Starlette 1.x prefers httpx2 for its TestClient; plain httpx still works for these tests
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

BASE = "https://sb.afasfocus.nl/demo"
ADMIN_ID = "0f6a2c1e-5b7d-4e8a-9c3b-2d4e6f8a1b3c"
FAST = RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.05, budget=5.0)
Rule = Callable[[httpx.Request], httpx.Response | None]


class FakeSb:
    """A scripted SB environment: seeded lists, token endpoint, salesjournalentry."""

    def __init__(self, *, organisations: int = 3, tracked_shape: bool = True) -> None:
        self.requests: list[httpx.Request] = []
        self.rules: list[Rule] = []  # tried first; a rule answering None passes
        self.valid_access = {"at-1"}
        self.refresh_valid = True
        self.entries: dict[str, dict[str, Any]] = {}  # Tracking-Identifier -> body
        self.tracked_shape = tracked_shape
        names = ["Bakkerij De Korenschoof B.V.", "Jansen Installatietechniek B.V.",
                 "Van Dijk Advies"]
        names += [f"Klant {n:03d} B.V." for n in range(organisations - 3)]
        self.organisations = [
            {"Id": f"00000000-0000-4000-8000-{n:012d}", "Name": name, "IsArchived": False}
            for n, name in enumerate(names)
        ]
        self.accounts = [
            {"Id": f"10000000-0000-4000-8000-{n:012d}", "LedgerAccountNumber": number,
             "Description": description, "AdministrationId": ADMIN_ID}
            for n, (number, description) in enumerate(
                [("8000", "Omzet hoog"), ("8010", "Omzet laag"), ("1300", "Debiteuren")]
            )
        ]

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def calls(self, method: str, path: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.method == method and r.url.path.endswith(path)]

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        for rule in list(self.rules):
            scripted = rule(request)
            if scripted is not None:
                return scripted
        path = request.url.path.removeprefix("/demo")
        if path == "/app/token":
            form = parse_qs(request.content.decode())
            if form.get("grant_type") == ["refresh_token"] and not self.refresh_valid:
                return httpx.Response(400, json={"error": "invalid_grant",
                                                 "error_description": "revoked"})
            token = f"at-{len(self.valid_access) + 1}"
            self.valid_access.add(token)
            answer: dict[str, str] = {
                "access_token": token, "expires_in": "1800", "token_type": "bearer"
            }
            if form.get("grant_type") == ["authorization_code"]:
                answer["refresh_token"] = "rt-1"
            return httpx.Response(200, json=answer)
        if path == "/authentication/getaccesstoken":
            token = f"at-{len(self.valid_access) + 1}"
            self.valid_access.add(token)
            return httpx.Response(200, json={"access_token": token, "expires_in": 600})
        if request.headers.get("authorization", "").removeprefix("Bearer ") not in (
            self.valid_access
        ):
            return httpx.Response(401, json={"StatusCode": 401, "TraceId": "t401"})
        query = {k: v[0] for k, v in parse_qs(request.url.query.decode()).items()}
        if path == "/api/administrations":
            return httpx.Response(200, json=[{"Id": ADMIN_ID,
                                              "Description": "Demo Administratie B.V."}])
        if path == "/api/organisations":
            rows = [] if "TrackingToken" in query else self.organisations
            return self._page(rows, query, tracked=True)
        if path == "/api/persons":
            return self._page([{"Id": "20000000-0000-4000-8000-000000000001",
                                "Name": "Sanne de Vries"}], query, tracked=True)
        if path == "/api/ledgeraccounts":
            return self._page(self.accounts, query, tracked=False)
        if path == "/api/salesjournalentry":
            key = request.headers.get("tracking-identifier", "")
            self.entries.setdefault(key, json.loads(request.content))
            return httpx.Response(200, json={"result": "Succeeded", "traceId": "tr",
                                             "instances": [{"Id": "e-" + key[:8]}],
                                             "errors": []})
        return httpx.Response(404, json={"StatusCode": 404})

    def _page(self, rows: list[dict[str, Any]], query: dict[str, str], *, tracked: bool
              ) -> httpx.Response:
        skip, take = int(query.get("skip", 0)), int(query.get("take", 100))
        page = rows[skip: skip + take]
        if tracked and self.tracked_shape:
            return httpx.Response(200, json={"TrackingToken": "202401010001", "Result": page})
        return httpx.Response(200, json=page)


def _store(tmp_path: Path, *, kind: str = "oauth") -> Store:
    store = Store(tmp_path / "demo.sqlite")
    store.save_connection(Connection(BASE, kind, access_token="at-1", refresh_token="rt-1",
                                     expires_at=None, app_token="app-token-1"))
    return store


def _sync(store: Store, fake: FakeSb, flaws: tuple[str, ...] = (), sleep: Any = None) -> Any:
    sleeps: list[float] = []
    return run_sync(
        store, Settings(client_secret="s3cret-value", flaws=frozenset(flaws)),
        transport=fake.transport(), policy=FAST, sleep=sleep or sleeps.append,
    )


# -- settings, flaws, base URL --------------------------------------------------------------
def test_flaws_table_names_a_check_for_every_flaw_and_unknown_names_are_refused() -> None:
    assert all(re.fullmatch(r"(ONB|INT|ERR|LST)-\d\d", check) for check, _ in FLAWS.values())
    assert parse_flaws(" plain_pkce, no_state ") == {"plain_pkce", "no_state"}
    with pytest.raises(UnknownFlawError, match="nope"):
        parse_flaws("plain_pkce,nope")


def test_cli_refuses_to_start_with_an_unknown_flaw(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("DEMO_PARTNER_FLAWS", "typo_flaw")
    assert demo_main(["sync", "--db", str(tmp_path / "x.sqlite")]) == 2
    assert "unknown flaw(s) typo_flaw" in capsys.readouterr().err


def test_settings_accept_version_follows_the_sb_version() -> None:
    assert load_settings({}).accept_version["post_salesjournalentry"] == "2"
    old = load_settings({"DEMO_PARTNER_SB_VERSION": "3.2.0"})
    assert old.accept_version["post_salesjournalentry"] == "1"
    assert load_settings({}).password == "demo-password"
    assert load_settings({"DEMO_PARTNER_PASSWORD": "x" * 12}).password == "x" * 12


def test_settings_level_and_the_admin_center_base_url() -> None:
    assert load_settings({}).level == "customer"
    admin = load_settings({"DEMO_PARTNER_LEVEL": "admin"})
    assert admin_root("https://x.afasfocus.nl/admin", admin) == "https://x.afasfocus.nl"
    assert admin_root("https://x.afasfocus.nl/demo", admin) is None
    # a customer-level app keeps treating /admin like any environment segment
    assert admin_root("https://x.afasfocus.nl/admin", load_settings({})) is None
    with pytest.raises(ConfigurationError, match="DEMO_PARTNER_LEVEL"):
        load_settings({"DEMO_PARTNER_LEVEL": "accountant"})


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        (None, "missing"),
        ("not a url", "absolute"),
        ("https://sb.afasfocus.nl/", "environment segment"),
        ("https://evil.example/demo", "not an AFAS SB host"),
        ("http://sb.afasfocus.nl/demo", "https"),
        ("https://sb.afasfocus.nl.evil.example/demo", "not an AFAS SB host"),
    ],
)
def test_base_url_validation_rejects_with_a_reason(raw: str | None, fragment: str) -> None:
    with pytest.raises(BadBaseUrl, match=fragment):
        validate_base_url(raw, {"127.0.0.1:9"})


def test_base_url_validation_accepts_afas_and_trusted_hosts() -> None:
    assert validate_base_url("https://X.afasfocus.nl/env1/", set()) == "https://x.afasfocus.nl/env1"
    assert validate_base_url("http://127.0.0.1:9/demo", {"127.0.0.1:9"}) == (
        "http://127.0.0.1:9/demo"
    )
    with pytest.raises(BadBaseUrl):
        validate_base_url("http://127.0.0.1:10/demo", {"127.0.0.1:9"})


# -- retries ----------------------------------------------------------------------------------
def test_retry_waits_retry_after_then_backs_off_and_gives_up_within_bounds() -> None:
    answers = [httpx.Response(429, headers={"Retry-After": "2"}),
               httpx.Response(503, json={"TraceId": "abc"})] * 5
    sleeps: list[float] = []
    with httpx.Client(transport=httpx.MockTransport(lambda r: answers.pop(0))) as http:
        with pytest.raises(SbUnavailable, match=r"4 attempt.*HTTP 503 \(TraceId abc\)"):
            send_with_retries(http, lambda _: http.build_request("GET", BASE), what="GET x",
                              policy=RetryPolicy(attempts=4, base_delay=0.5, budget=60),
                              sleep=sleeps.append)
    assert sleeps == [2.0, 1.0, 2.0]  # Retry-After honoured, then doubling delays


def test_retry_recovers_after_timeouts() -> None:
    answers: list[Any] = [httpx.ReadTimeout("slow"), httpx.ConnectError("down"),
                          httpx.Response(200, json=[])]

    def handler(request: httpx.Request) -> httpx.Response:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    with httpx.Client(transport=httpx.MockTransport(handler)) as http:
        response = send_with_retries(http, lambda _: http.build_request("GET", BASE),
                                     what="GET x", policy=FAST, sleep=lambda _: None)
    assert response.status_code == 200 and not answers


# -- sync ---------------------------------------------------------------------------------------
def test_sync_reads_all_pages_and_posts_each_invoice_once(tmp_path: Path) -> None:
    fake = FakeSb(organisations=150)
    store = _store(tmp_path)
    [report] = _sync(store, fake)
    assert report.posted == ["DP-2024-0001", "DP-2024-0002", "DP-2024-0003"]
    organisation_pages = fake.calls("GET", "/api/organisations")
    assert [r.url.params["skip"] for r in organisation_pages] == ["0", "100"]
    assert all(r.url.params["sortField"] == "Id ascending" for r in organisation_pages)
    ledger = fake.calls("GET", "/api/ledgeraccounts")[0]
    assert ledger.url.params["filter"] == f"AdministrationId eq {ADMIN_ID}"
    posts = fake.calls("POST", "/api/salesjournalentry")
    assert len(posts) == 3 and all(p.headers["accept-version"] == "2" for p in posts)
    body = json.loads(posts[0].content)
    assert body["InvoiceDate"] == "2024-03-04" and body["RelationType"] == "organisation"
    assert body["InvoiceLine"][0]["AmountExcludingVat"] == 250.0  # a number, not a string
    assert body["InvoiceLine"][0]["LedgerAccountId"] == fake.accounts[0]["Id"]
    assert len({p.headers["tracking-identifier"] for p in posts}) == 3

    fake.requests.clear()
    [second] = _sync(store, fake)
    assert second.posted == [] and len(second.already_posted) == 3
    assert not fake.calls("POST", "/api/salesjournalentry")
    incremental = fake.calls("GET", "/api/organisations")
    assert incremental[0].url.params["TrackingToken"] == "202401010001"
    assert store.records(BASE, "organisation"), "an empty change list keeps the known data"


def test_sync_handles_bare_array_lists(tmp_path: Path) -> None:
    fake = FakeSb(tracked_shape=False)
    [report] = _sync(_store(tmp_path), fake)
    assert len(report.posted) == 3


def test_sync_refreshes_on_401_and_retries_once(tmp_path: Path) -> None:
    fake = FakeSb()
    fake.valid_access = {"expired-elsewhere"}  # the stored at-1 is no longer accepted
    store = _store(tmp_path)
    [report] = _sync(store, fake)
    assert len(report.posted) == 3
    refreshes = [r for r in fake.calls("POST", "/app/token")]
    assert len(refreshes) == 1
    form = parse_qs(refreshes[0].content.decode())
    assert form["grant_type"] == ["refresh_token"] and form["refresh_token"] == ["rt-1"]
    assert refreshes[0].headers["content-type"] == "application/x-www-form-urlencoded"
    assert store.connections()[0].access_token != "at-1"


def test_invalid_grant_on_refresh_means_reauthorization_without_loop(tmp_path: Path) -> None:
    fake = FakeSb()
    fake.valid_access = set()
    fake.refresh_valid = False
    with pytest.raises(ReauthorizationNeeded, match="re-authorization needed"):
        _sync(_store(tmp_path), fake)
    assert len(fake.calls("POST", "/app/token")) == 1


def test_refresh_loop_flaw_really_loops(tmp_path: Path) -> None:
    fake = FakeSb()
    fake.valid_access = set()
    fake.refresh_valid = False
    with pytest.raises(ReauthorizationNeeded):
        _sync(_store(tmp_path), fake, flaws=("refresh_loop",))
    assert len(fake.calls("POST", "/app/token")) > 10


def test_app_token_connection_is_re_exchanged_on_401(tmp_path: Path) -> None:
    fake = FakeSb()
    fake.valid_access = set()
    [report] = _sync(_store(tmp_path, kind="apptoken"), fake)
    exchange = fake.calls("POST", "/authentication/getaccesstoken")
    assert len(exchange) == 1 and json.loads(exchange[0].content) == {"apptoken": "app-token-1"}
    assert len(report.posted) == 3


def test_ds3100_is_reported_and_not_resent(tmp_path: Path) -> None:
    fake = FakeSb()
    rejected = {"StatusCode": 400, "Message": "Invalid JSON request", "ExceptionCode": "DS3100",
                "TraceId": "trace-400"}
    fake.rules.append(lambda r: httpx.Response(400, json=rejected)
                      if r.method == "POST" and r.url.path.endswith("salesjournalentry") else None)
    store = _store(tmp_path)
    with pytest.raises(DemoPartnerError, match=r"DS3100.*TraceId trace-400"):
        _sync(store, fake)
    assert len(fake.calls("POST", "/api/salesjournalentry")) == 3  # once per invoice
    fake.requests.clear()
    with pytest.raises(DemoPartnerError, match="not sent again"):
        _sync(store, fake)
    assert not fake.calls("POST", "/api/salesjournalentry")


def test_failed_result_is_a_failure_and_is_retried_next_run(tmp_path: Path) -> None:
    fake = FakeSb()
    failed = {"result": "Failed", "traceId": "tf", "instances": [], "errors": ["FeatureToggle"]}

    def rule(request: httpx.Request) -> httpx.Response | None:
        is_write = request.method == "POST" and request.url.path.endswith("salesjournalentry")
        return httpx.Response(200, json=failed) if is_write else None

    fake.rules.append(rule)
    store = _store(tmp_path)
    with pytest.raises(DemoPartnerError, match=r"result Failed: FeatureToggle \(traceId tf\)"):
        _sync(store, fake)
    fake.rules.remove(rule)
    [report] = _sync(store, fake)
    assert len(report.posted) == 3


def test_timeout_on_a_write_retries_with_the_same_tracking_identifier(tmp_path: Path) -> None:
    fake = FakeSb()
    dropped: list[str] = []

    def drop_first_post(request: httpx.Request) -> httpx.Response | None:
        if request.method == "POST" and request.url.path.endswith("salesjournalentry") and (
            not dropped
        ):
            dropped.append(request.headers["tracking-identifier"])
            raise httpx.ReadTimeout("no answer")
        return None

    fake.rules.append(drop_first_post)
    [report] = _sync(_store(tmp_path), fake)
    posts = fake.calls("POST", "/api/salesjournalentry")
    assert len(posts) == 4 and posts[1].headers["tracking-identifier"] == dropped[0]
    assert len(fake.entries) == 3 and len(report.posted) == 3


def test_sync_without_connection_is_a_usage_problem(tmp_path: Path) -> None:
    with pytest.raises(DemoPartnerError, match="no AFAS SB connection") as caught:
        run_sync(Store(tmp_path / "empty.sqlite"), Settings())
    assert caught.value.exit_code == 2


def test_shipped_invoices_use_the_seeded_fixtures() -> None:
    invoices = load_invoices(DEFAULT_INVOICES)
    assert len(invoices) == 3
    assert {i.customer for i in invoices} == {
        "Bakkerij De Korenschoof B.V.", "Jansen Installatietechniek B.V.", "Van Dijk Advies"}
    assert {line.ledger_account for i in invoices for line in i.lines} <= {"8000", "8010"}


# -- web: landing, login, authorize, callback -------------------------------------------------
def _web(tmp_path: Path, fake: FakeSb, flaws: tuple[str, ...] = ()) -> httpx.Client:
    settings = Settings(client_secret="s3cret-value", password="pw-123456", flaws=frozenset(flaws))
    app = create_app(settings, Store(tmp_path / "web.sqlite"), transport=fake.transport())
    return TestClient(app, base_url="https://app.test", follow_redirects=False)


def _login(web: httpx.Client, next_url: str = "/") -> httpx.Response:
    return web.post("/login", data={"username": "demo@partner.example", "password": "pw-123456",
                                    "next": next_url})


def test_landing_for_visitors_offers_login_and_signup(tmp_path: Path) -> None:
    with _web(tmp_path, FakeSb()) as web:
        landing = web.get("/Appcenter/AFASSB/", params={"afasBaseUrl": BASE})
        assert landing.status_code == 200
        assert "Log in (existing customer)" in landing.text and "/signup" in landing.text
        assert web.get("/signup").status_code == 200
        bad = web.get("/Appcenter/AFASSB/", params={"afasBaseUrl": "https://evil.example/x"})
        assert bad.status_code == 400 and "not an AFAS SB host" in bad.text
        missing = web.get("/Appcenter/AFASSB/")
        assert missing.status_code == 400 and "Traceback" not in missing.text
        assert web.get("/support").status_code == 200
        assert web.get("/health").text == "ok"


def test_login_sets_a_safe_session_cookie(tmp_path: Path) -> None:
    with _web(tmp_path, FakeSb()) as web:
        wrong = web.post("/login", data={"username": "demo@partner.example", "password": "x"})
        assert wrong.status_code == 401
        answer = _login(web, "/support")
        assert answer.status_code == 303 and answer.headers["location"] == "/support"
        cookie = answer.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie and "secure" in cookie
        assert _login(web, "https://evil.example/").headers["location"] == "/"


def _authorize(web: httpx.Client) -> dict[str, str]:
    _login(web)
    activation = web.get("/Appcenter/AFASSB/", params={"afasBaseUrl": BASE})
    assert activation.status_code == 303
    redirect = web.get(activation.headers["location"])
    assert redirect.status_code == 302
    url = urlsplit(redirect.headers["location"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{BASE}/app/auth"
    return {k: v[0] for k, v in parse_qs(url.query).items()}


def test_oauth_flow_uses_pkce_s256_and_fresh_state(tmp_path: Path) -> None:
    fake = FakeSb()
    with _web(tmp_path, fake) as web:
        first, second = _authorize(web), _authorize(web)
        assert first["code_challenge_method"] == "S256" and first["response_type"] == "code"
        assert first["redirect_uri"] == "https://app.test/Appcenter/AFASSB/callback"
        assert len(first["state"]) >= 43 and first["state"] != second["state"]
        unknown = web.get("/Appcenter/AFASSB/callback", params={"code": "c", "state": "nope"})
        assert unknown.status_code == 400 and not fake.calls("POST", "/app/token")
        done = web.get("/Appcenter/AFASSB/callback",
                       params={"code": "code-1", "state": second["state"]})
        assert done.status_code == 200
        assert "Connected to AFAS SB environment demo" in done.text
        assert "Demo Administratie B.V." in done.text
        [token_request] = fake.calls("POST", "/app/token")
        form = {k: v[0] for k, v in parse_qs(token_request.content.decode()).items()}
        assert s256_challenge(form["code_verifier"]) == second["code_challenge"]
        assert sorted(form) == ["client_id", "client_secret", "code", "code_verifier",
                                "grant_type", "redirect_uri"]
        assert "s3cret-value" not in done.text and "at-2" not in done.text
        replay = web.get("/Appcenter/AFASSB/callback",
                         params={"code": "code-1", "state": second["state"]})
        assert replay.status_code == 400  # a state works once
        declined = web.get("/Appcenter/AFASSB/callback",
                           params={"error": "access_denied", "state": first["state"]})
        assert declined.status_code == 200 and "You declined" in declined.text


@pytest.mark.parametrize(
    ("flaw", "check"),
    [
        ("plain_pkce", lambda q: q["code_challenge_method"] == "plain"),
        ("constant_state", lambda q: q["state"] == "demo-partner-state"),
        ("no_state", lambda q: "state" not in q),
        ("wrong_redirect_uri", lambda q: q["redirect_uri"].endswith("/callback/extra")),
    ],
)
def test_authorize_flaws_change_the_authorize_request(
    tmp_path: Path, flaw: str, check: Callable[[dict[str, str]], bool]
) -> None:
    with _web(tmp_path, FakeSb(), (flaw,)) as web:
        assert check(_authorize(web))


def test_no_state_check_flaw_exchanges_a_code_with_a_wrong_state(tmp_path: Path) -> None:
    fake = FakeSb()
    with _web(tmp_path, fake, ("no_state_check",)) as web:
        _authorize(web)
        answer = web.get("/Appcenter/AFASSB/callback", params={"code": "c", "state": "forged"})
        assert answer.status_code == 200 and len(fake.calls("POST", "/app/token")) == 1


def test_traceback_flaw_shows_a_traceback(tmp_path: Path) -> None:
    with _web(tmp_path, FakeSb(), ("traceback_on_bad_base_url",)) as web:
        answer = web.get("/Appcenter/AFASSB/", params={"afasBaseUrl": "nonsense"})
        assert answer.status_code == 500 and "Traceback" in answer.text


def test_first_page_only_flaw_stops_after_one_page(tmp_path: Path) -> None:
    fake = FakeSb(organisations=150)
    _sync(_store(tmp_path), fake, flaws=("first_page_only",))
    assert len(fake.calls("GET", "/api/organisations")) == 1


def test_no_backoff_and_ignore_retry_after_flaws_shorten_the_waits() -> None:
    def waits(behaviour: RetryBehaviour) -> list[float]:
        answers = [httpx.Response(429, headers={"Retry-After": "3"}),
                   httpx.Response(500), httpx.Response(200)]
        sleeps: list[float] = []
        with httpx.Client(transport=httpx.MockTransport(lambda r: answers.pop(0))) as http:
            send_with_retries(http, lambda _: http.build_request("GET", BASE), what="GET x",
                              policy=RetryPolicy(base_delay=0.5), behaviour=behaviour,
                              sleep=sleeps.append)
        return sleeps

    assert waits(RetryBehaviour()) == [3.0, 1.0]
    assert waits(RetryBehaviour(ignore_retry_after=True)) == [0.5, 1.0]
    assert waits(RetryBehaviour(no_backoff=True, ignore_retry_after=True)) == [0.0, 0.0]


def test_secret_in_url_flaw_leaks_into_urls(tmp_path: Path) -> None:
    fake = FakeSb()
    with _web(tmp_path, fake, ("secret_in_url",)) as web:
        query = _authorize(web)
        answer = web.get("/Appcenter/AFASSB/callback",
                         params={"code": "c", "state": query["state"]})
        assert answer.status_code == 303 and "access_token=at-" in answer.headers["location"]
        [token_request] = fake.calls("POST", "/app/token")
        assert token_request.url.params["client_secret"] == "s3cret-value"


def test_crash_on_denied_and_any_host_flaws(tmp_path: Path) -> None:
    with _web(tmp_path, FakeSb(), ("crash_on_denied", "any_host")) as web:
        foreign = web.get("/Appcenter/AFASSB/", params={"afasBaseUrl": "https://evil.example/x"})
        assert foreign.status_code == 200
    app = create_app(Settings(flaws=frozenset({"crash_on_denied"})),
                     Store(tmp_path / "crash.sqlite"))
    with TestClient(app, raise_server_exceptions=False) as web:
        denied = web.get("/Appcenter/AFASSB/callback", params={"error": "access_denied"})
        assert denied.status_code == 500


def test_hardcoded_host_and_no_verifier_flaws(tmp_path: Path) -> None:
    fake = FakeSb()
    with _web(tmp_path, fake, ("hardcoded_host", "no_verifier")) as web:
        _login(web)
        activation = web.get("/Appcenter/AFASSB/", params={"afasBaseUrl": BASE})
        redirect = web.get(activation.headers["location"])
        target = redirect.headers["location"]
        assert target.startswith("https://app-center-demo.afasfocus.nl/demo/app/auth?")
        state = parse_qs(urlsplit(target).query)["state"][0]
        web.get("/Appcenter/AFASSB/callback", params={"code": "c", "state": state})
        [token_request] = fake.calls("POST", "/app/token")
        assert token_request.url.host == "app-center-demo.afasfocus.nl"
        assert "code_verifier" not in parse_qs(token_request.content.decode())


def test_no_timeout_flaw_removes_the_client_timeout() -> None:
    assert new_http_client(Settings()).timeout.read == 15.0
    assert new_http_client(Settings(flaws=frozenset({"no_timeout"}))).timeout.read is None
