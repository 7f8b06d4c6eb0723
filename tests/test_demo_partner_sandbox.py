"""Demo partner app end to end against the real SB sandbox, both served on loopback.

A small httpx walker plays the browser: landing -> login -> consent -> callback.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import httpx
import pytest

from examples.demo_partner.__main__ import main as demo_main
from examples.demo_partner.errors import DemoPartnerError, ReauthorizationNeeded
from examples.demo_partner.retry import RetryPolicy
from examples.demo_partner.settings import Settings
from examples.demo_partner.store import Store
from examples.demo_partner.sync import run_sync
from examples.demo_partner.web import create_app
from sbready.sandbox.app import FaultRule, RegisteredClient, Sandbox
from sbready.sandbox.journal import Exchange
from sbready.sandbox.server import ServedApp, serve
from sbready.spec.resolve import load_index

SECRET = "client-secret-for-tests-0123"
PASSWORD = "demo-user-password-42"
FAST = RetryPolicy(attempts=4, base_delay=0.05, max_delay=0.2, budget=10.0)
ENTRIES = "/api/salesjournalentry"


@pytest.fixture(scope="module")
def served_sandbox(spec_dir: Path) -> Iterator[tuple[Sandbox, ServedApp]]:
    os.environ.setdefault("SB_SPEC_DIR", str(spec_dir))
    sandbox = Sandbox(load_index(sb_version="6.0.0"))
    with serve(sandbox.app) as served:
        yield sandbox, served


@dataclass
class World:
    """A fresh sandbox state plus one served demo app (with the given flaws)."""

    sandbox: Sandbox
    sandbox_url: str
    app_url: str
    store: Store
    settings: Settings
    db: Path

    @property
    def base_url(self) -> str:
        return f"{self.sandbox_url}/demo"

    def exchanges(self, kind: str | None = None, api_path: str | None = None) -> list[Exchange]:
        return [
            e for e in self.sandbox.journal.exchanges()
            if (kind is None or e.kind == kind) and (api_path is None or e.api_path == api_path)
        ]

    def written(self) -> list[dict[str, Any]]:
        return self.sandbox.store.written("demo", ENTRIES)

    def sync(self) -> Any:
        return run_sync(self.store, self.settings, policy=FAST, sleep=_short_sleep)


def _short_sleep(seconds: float) -> None:
    import time

    time.sleep(min(seconds, 0.2))


@pytest.fixture
def make_world(
    served_sandbox: tuple[Sandbox, ServedApp], tmp_path: Path
) -> Iterator[Any]:
    sandbox, served = served_sandbox
    apps: list[ServedApp] = []

    def build(*flaws: str) -> World:
        sandbox.reset()
        host = urlsplit(served.base_url).netloc
        settings = Settings(client_secret=SECRET, password=PASSWORD, flaws=frozenset(flaws),
                            trusted_hosts=frozenset({host}), http_timeout=5.0)
        db = tmp_path / f"demo-{len(apps)}.sqlite"
        store = Store(db)
        app = serve(create_app(settings, store))
        apps.append(app)
        sandbox.register_client(RegisteredClient(
            client_id="demo-partner", client_secret=SECRET, name="Demo Partner",
            redirect_uris=(f"{app.base_url}/Appcenter/AFASSB/callback",),
            bundles=("Verkoopjournaalpost",),
        ))
        return World(sandbox, served.base_url, app.base_url, store, settings, db)

    yield build
    for app in apps:
        app.stop()


# -- the walker ---------------------------------------------------------------------------------
@dataclass
class _Form:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)
    buttons: list[tuple[str, str]] = field(default_factory=list)


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[_Form] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(_Form(values.get("action", ""), values.get("method", "get")))
        elif self.forms and tag == "input" and values.get("name"):
            self.forms[-1].fields[values["name"]] = values.get("value", "")
        elif self.forms and tag == "button" and values.get("name"):
            self.forms[-1].buttons.append((values["name"], values.get("value", "")))


def walk(world: World, *, consent: str = "allow", state: str = "keep") -> httpx.Response:
    """Open the onboarding URL and play the user until a page is neither redirect nor form."""
    with httpx.Client(timeout=5.0) as browser:
        response = browser.get(f"{world.app_url}/Appcenter/AFASSB/",
                               params={"afasBaseUrl": world.base_url})
        for _ in range(20):
            if response.is_redirect:
                target = urljoin(str(response.url), response.headers["location"])
                if state != "keep" and target.startswith(world.app_url) and "code=" in target:
                    target = _tamper_state(target, state)
                response = browser.get(target)
                continue
            forms = _Forms()
            forms.feed(response.text)
            login = next((f for f in forms.forms if "username" in f.fields), None)
            decision = next((f for f in forms.forms if f.buttons), None)
            if login is not None and response.request.url.host == "127.0.0.1" and (
                str(response.url).startswith(world.app_url)
            ):
                data = {**login.fields, "username": "demo@partner.example", "password": PASSWORD}
                response = browser.post(urljoin(str(response.url), login.action), data=data)
            elif decision is not None and str(response.url).startswith(world.sandbox_url):
                data = {**decision.fields, "decision": consent}
                response = browser.post(urljoin(str(response.url), decision.action), data=data)
            else:
                return response
        raise AssertionError("the walk did not end within 20 steps")


def _tamper_state(url: str, how: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "state"]
    if how == "wrong":
        query.append(("state", "forged-state-value"))
    return urlunsplit(parts._replace(query=urlencode(query)))


# -- tests ---------------------------------------------------------------------------------------
def test_oauth_onboarding_then_sync_posts_each_invoice_exactly_once(make_world: Any) -> None:
    world = make_world()
    final = walk(world)
    assert final.status_code == 200, final.text
    assert "Connected to AFAS SB environment demo" in final.text
    assert "Demo Administratie B.V." in final.text
    [authorize] = world.exchanges("authorize")
    assert authorize.facts.get("error") is None
    assert authorize.query["code_challenge_method"] == ["S256"]
    [token] = world.exchanges("token")
    assert token.facts["body_encoding"] == "form" and token.facts["verifier_matches_challenge"]
    assert SECRET not in world.sandbox.journal.export_json()
    assert SECRET not in final.text and PASSWORD not in final.text

    [report] = world.sync()
    assert len(report.posted) == 3 and not report.failures
    assert len(world.written()) == 3
    api = world.exchanges("api")
    assert all(e.facts.get("version_ok") for e in api), [
        (e.api_path, e.facts.get("accept_version")) for e in api if not e.facts.get("version_ok")]
    assert all(e.facts.get("token_state") == "valid" for e in api)
    lists = [e for e in api if e.method == "GET"]
    assert all(e.query.get("sortField") == ["Id ascending"] for e in lists)
    posts = world.exchanges("api", ENTRIES)
    assert len({e.request_headers["tracking-identifier"] for e in posts}) == 3

    seen = world.sandbox.journal.last_seq()
    [second] = world.sync()
    assert second.posted == [] and len(second.already_posted) == 3
    assert len(world.written()) == 3
    later = [e for e in world.exchanges("api") if e.seq > seen]
    assert not [e for e in later if e.api_path == ENTRIES]
    tracked = [e for e in later if e.api_path == "/api/organisations"]
    assert tracked and all("TrackingToken" in e.query for e in tracked)


def test_expired_access_token_is_refreshed_and_the_sync_succeeds(make_world: Any) -> None:
    world = make_world()
    assert walk(world).status_code == 200
    assert world.sandbox.expire_tokens(environment="demo") >= 1
    [report] = world.sync()
    assert len(report.posted) == 3
    refreshes = [e for e in world.exchanges("token") if e.facts["grant_type"] == "refresh_token"]
    assert len(refreshes) == 1 and refreshes[0].status == 200
    assert len(world.written()) == 3


def test_withdrawn_consent_stops_with_reauthorization_needed(
    make_world: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    world = make_world()
    assert walk(world).status_code == 200
    world.sandbox.withdraw_consent("demo-partner", "demo")
    monkeypatch.setenv("DEMO_PARTNER_CLIENT_SECRET", SECRET)
    assert demo_main(["sync", "--db", str(world.db)]) == 3
    assert "re-authorization needed" in capsys.readouterr().err
    assert len([e for e in world.exchanges("token")
                if e.facts["grant_type"] == "refresh_token"]) == 1
    assert world.written() == []


def test_declined_consent_shows_a_friendly_page(make_world: Any) -> None:
    world = make_world()
    final = walk(world, consent="deny")
    assert final.status_code == 200 and "You declined" in final.text
    assert world.exchanges("token") == []


@pytest.mark.parametrize("tamper", ["wrong", "missing"])
def test_a_tampered_state_is_refused_without_exchanging_the_code(
    make_world: Any, tamper: str
) -> None:
    world = make_world()
    final = walk(world, state=tamper)
    assert final.status_code == 400
    assert world.exchanges("token") == []


def test_app_token_connect_and_sync(
    make_world: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    world = make_world()
    # AFAS's tokens are opaque: one may start with "-", which must not read as an option
    app_token = world.sandbox.activate("demo", bundles=["Verkoopjournaalpost"],
                                       token="-" + "k" * 40)
    argv = ["connect", "--db", str(world.db), "--base-url", world.base_url,
            f"--app-token={app_token}"]
    assert demo_main(argv) == 0
    assert demo_main(["sync", "--db", str(world.db)]) == 0
    assert "posted 3 entries" in capsys.readouterr().out
    [exchange, *_] = world.exchanges("getaccesstoken")
    assert exchange.status == 200
    assert isinstance(exchange.request_body, dict) and "apptoken" in exchange.request_body
    assert len(world.written()) == 3
    assert app_token not in world.sandbox.journal.export_json()


def test_faults_are_survived_and_writes_stay_exactly_once(make_world: Any) -> None:
    world = make_world()
    assert walk(world).status_code == 200
    world.sandbox.add_fault(FaultRule("status", path="/api/organisations", status=429,
                                      retry_after=0.1))
    world.sandbox.add_fault(FaultRule("status", path="/api/persons", status=503))
    world.sandbox.add_fault(FaultRule("response_lost", path=ENTRIES))
    [report] = world.sync()
    assert len(report.posted) == 3
    assert len(world.written()) == 3  # the lost answer was retried with the same identifier
    posts = world.exchanges("api", ENTRIES)
    assert len(posts) == 4
    assert posts[0].request_headers["tracking-identifier"] == (
        posts[1].request_headers["tracking-identifier"])


def test_a_ds3100_is_reported_and_never_resent(make_world: Any) -> None:
    world = make_world()
    assert walk(world).status_code == 200
    world.sandbox.add_fault(FaultRule("ds3100", path=ENTRIES, times=None))
    with pytest.raises(DemoPartnerError, match=r"DS3100.*TraceId"):
        world.sync()
    assert len(world.exchanges("api", ENTRIES)) == 3
    with pytest.raises(DemoPartnerError, match="not sent again"):
        world.sync()
    assert len(world.exchanges("api", ENTRIES)) == 3


# -- flaws change the exchange the sandbox sees ----------------------------------------------------
def test_flaw_plain_pkce_is_refused_by_the_sandbox(make_world: Any) -> None:
    world = make_world("plain_pkce")
    walk(world)
    [authorize] = world.exchanges("authorize")
    assert authorize.query["code_challenge_method"] == ["plain"]
    assert authorize.facts.get("error")
    assert world.exchanges("token") == []


@pytest.mark.parametrize(
    ("flaw", "fact", "value"),
    [
        ("json_token_request", "body_encoding", "json"),
        ("verifier_mismatch", "verifier_matches_challenge", False),
    ],
)
def test_token_request_flaws_show_in_the_journal(
    make_world: Any, flaw: str, fact: str, value: Any
) -> None:
    world = make_world(flaw)
    final = walk(world)
    assert final.status_code == 502  # the app reports SB's refusal
    [token] = world.exchanges("token")
    assert token.facts[fact] == value and token.status == 400


def test_flaw_no_state_check_exchanges_a_forged_state(make_world: Any) -> None:
    world = make_world("no_state_check")
    walk(world, state="wrong")
    assert len(world.exchanges("token")) == 1


def test_flaws_in_the_sync_show_in_the_journal(make_world: Any) -> None:
    world = make_world("unknown_endpoint", "wrong_accept_version")
    assert walk(world).status_code == 200
    with pytest.raises(DemoPartnerError):
        world.sync()
    calls = world.exchanges("api", "/api/journalentry")
    assert len(calls) == 1 and calls[0].operation_id is None and calls[0].status == 404
    [post, *_] = world.exchanges("api", ENTRIES)
    assert post.request_headers["accept-version"] == "1" and post.status == 400
    assert world.written() == []


def test_flaw_invalid_body_is_rejected_by_the_sandbox(make_world: Any) -> None:
    world = make_world("invalid_body")
    assert walk(world).status_code == 200
    with pytest.raises(DemoPartnerError, match="DS3100"):
        world.sync()
    post = world.exchanges("api", ENTRIES)[0]
    assert post.request_body["InvoiceDate"] == "04-03-2024"
    assert "RelationType" not in post.request_body and post.status == 400


def test_flaw_no_refresh_on_401_fails_the_sync(make_world: Any) -> None:
    world = make_world("no_refresh_on_401")
    assert walk(world).status_code == 200
    world.sandbox.expire_tokens(environment="demo")
    with pytest.raises(DemoPartnerError, match="401") as caught:
        world.sync()
    assert not isinstance(caught.value, ReauthorizationNeeded)
    assert [e for e in world.exchanges("token") if e.facts["grant_type"] == "refresh_token"] == []


def _posts(world: World) -> list[Exchange]:
    return world.exchanges("api", ENTRIES)


def test_flaws_in_error_handling_show_in_the_journal(make_world: Any) -> None:
    resend = make_world("resend_on_400")
    assert walk(resend).status_code == 200
    resend.sandbox.add_fault(FaultRule("ds3100", path=ENTRIES, times=None))
    with pytest.raises(DemoPartnerError):
        resend.sync()
    bodies = [e.request_body for e in _posts(resend)]
    assert len(bodies) == 9 and bodies[0] == bodies[1] == bodies[2]  # identical resends

    fresh_ids = make_world("new_tracking_id_on_retry")
    assert walk(fresh_ids).status_code == 200
    fresh_ids.sandbox.add_fault(FaultRule("response_lost", path=ENTRIES))
    with pytest.raises(DemoPartnerError, match="already exists"):
        fresh_ids.sync()  # SB processed the retry as a new request
    first, retry = _posts(fresh_ids)[:2]
    assert first.request_headers["tracking-identifier"] != (
        retry.request_headers["tracking-identifier"])
    assert retry.facts.get("replayed") is not True

    blind = make_world("ignore_result")
    assert walk(blind).status_code == 200
    blind.sandbox.add_fault(FaultRule("write_result", path=ENTRIES, result="Failed"))
    [report] = blind.sync()
    # SB's Failed made the entry anyway (6.0.0's half-made Failed); the app calls it posted
    assert len(report.posted) == 3 and len(blind.written()) == 3
    assert [e.facts.get("half_made") for e in _posts(blind)] == [True, None, None]


def test_a_403_is_reported_without_hammering_unless_the_flaw_is_on(make_world: Any) -> None:
    for flaws, most in (((), 1), (("hammer_403",), 10)):
        world = make_world(*flaws)
        assert walk(world).status_code == 200
        world.sandbox.add_fault(FaultRule("status", path="/api/administrations", status=403,
                                          times=None))
        with pytest.raises(DemoPartnerError, match="403"):
            world.sync()
        calls = [e for e in world.exchanges("api", "/api/administrations") if e.status == 403]
        assert len(calls) == most


def test_reading_flaws_change_the_list_requests(make_world: Any) -> None:
    world = make_world("no_sort", "full_reread")
    assert walk(world).status_code == 200
    world.sync()
    world.sync()
    lists = [e for e in world.exchanges("api") if e.method == "GET"]
    assert lists and all("sortField" not in e.query for e in lists)
    assert all("TrackingToken" not in e.query for e in lists)
