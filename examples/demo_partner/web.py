"""The web side of Demo Partner: login, AFAS SB landing page, OAuth callback, app tokens, sync.

Sessions are signed cookies (HttpOnly, SameSite=Lax so cross-site POSTs carry no session,
Secure over https). Secrets and tokens never go into a URL or a page.
"""

from __future__ import annotations

import asyncio
import hmac
import secrets
import traceback
from typing import Any
from urllib.parse import urlencode

import httpx
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import Route

from examples.demo_partner import pages, styles
from examples.demo_partner.admin import admin_root, connect_admin
from examples.demo_partner.base_url import BadBaseUrl, parse_base_url, validate_base_url
from examples.demo_partner.errors import DemoPartnerError, ReauthorizationNeeded
from examples.demo_partner.oauth import TokenClient, start_authorization
from examples.demo_partner.sb_client import SbClient
from examples.demo_partner.security import SecurityHeaders
from examples.demo_partner.settings import DEMO_USER, Settings
from examples.demo_partner.store import Connection, Store
from examples.demo_partner.sync import new_http_client, run_sync

SESSION_COOKIE = "demo_partner_session"
SESSION_MAX_AGE = 8 * 3600
LANDING = "/Appcenter/AFASSB/"
CALLBACK = "/Appcenter/AFASSB/callback"
SLOW_LANDING_S = 2.0  # only the slow_landing flaw (self-tests tighten onboarding_timeout)


class DemoPartnerApp:
    """Request handlers bound to one Settings and Store; `.asgi` is the Starlette app."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        *,
        public_url: str | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.public_url = public_url.rstrip("/") if public_url else None
        self.transport = transport
        self._signer = URLSafeTimedSerializer(
            settings.session_key or store.session_key(), salt="demo-partner-session"
        )
        self.asgi = Starlette(routes=[
            Route("/health", self.health),
            Route("/", self.home),
            Route("/login", self.login, methods=["GET", "POST"]),
            Route("/logout", self.logout, methods=["POST"]),
            Route("/signup", self.signup, methods=["GET", "POST"]),
            Route("/support", self.support),
            Route(LANDING, self.landing),
            Route("/Appcenter/AFASSB/activate", self.activate),
            Route(CALLBACK, self.callback),
            Route("/Appcenter/AFASSB/connected", self.connected),
            Route("/Appcenter/AFASSB/apptoken", self.apptoken, methods=["GET", "POST"]),
            Route("/sync", self.sync, methods=["POST"]),
        ], middleware=[Middleware(SecurityHeaders, settings=settings)])  # type: ignore[arg-type]

    # -- sessions ---------------------------------------------------------------------------
    def _session(self, request: Request) -> dict[str, Any] | None:
        cookie = request.cookies.get(SESSION_COOKIE)
        if not cookie:
            return None
        try:
            session = self._signer.loads(cookie, max_age=SESSION_MAX_AGE)
        except BadSignature:
            return None
        return session if isinstance(session, dict) and session.get("user") else None

    def _start_session(self, request: Request, response: Response, user: str) -> None:
        value = self._signer.dumps({"user": user, "sid": secrets.token_urlsafe(16)})
        if self.settings.flaw("insecure_cookie"):
            response.set_cookie(SESSION_COOKIE, value, max_age=SESSION_MAX_AGE, httponly=False,
                                samesite=None, secure=False)
            return
        response.set_cookie(
            SESSION_COOKIE, value, max_age=SESSION_MAX_AGE, httponly=True, samesite="lax",
            secure=request.url.scheme == "https",
        )

    @staticmethod
    def _to_login(request: Request) -> RedirectResponse:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse("/login?" + urlencode({"next": target}), status_code=303)

    def _redirect_uri(self, request: Request) -> str:
        root = self.public_url or f"{request.url.scheme}://{request.url.netloc}"
        return root + CALLBACK

    def _http(self) -> httpx.Client:
        return new_http_client(self.settings, self.transport)

    # -- plain pages ------------------------------------------------------------------------
    async def health(self, request: Request) -> Response:
        """GET /health: 200 "ok" once the app serves."""
        return PlainTextResponse("ok")

    async def home(self, request: Request) -> Response:
        """GET /: the user's connections, or an invitation to log in."""
        session = self._session(request)
        if session is None:
            return HTMLResponse(pages.home_page(None, []))
        environments = [c.environment for c in self.store.connections()]
        return HTMLResponse(pages.home_page(str(session["user"]), environments))

    async def support(self, request: Request) -> Response:
        """GET /support."""
        return HTMLResponse(pages.support_page())

    async def signup(self, request: Request) -> Response:
        """GET shows the prospect sign-up form; POST thanks them (sales follows up)."""
        if request.method == "POST":
            return HTMLResponse(pages.signup_page(None, thanks=True))
        environment = None
        try:
            environment = parse_base_url(request.query_params.get("afasBaseUrl"))[2]
        except BadBaseUrl:
            pass  # a sign-up without AFAS context is fine
        return HTMLResponse(pages.signup_page(environment))

    async def login(self, request: Request) -> Response:
        """GET shows the form; POST checks the demo user and returns to `next`."""
        next_url = request.query_params.get("next", "/")
        script = self.settings.onboarding == "js"
        if request.method == "GET":
            return HTMLResponse(pages.login_page(_local(next_url), script=script))
        # the js onboarding's script posts with fetch() and asks for JSON
        wants_json = "application/json" in request.headers.get("accept", "")
        form = await request.form()
        next_url = _local(str(form.get("next") or "/"))
        username = str(form.get("username") or "").strip().lower()
        password = str(form.get("password") or "")
        valid = hmac.compare_digest(username.encode(), DEMO_USER.encode()) & hmac.compare_digest(
            password.encode(), self.settings.password.encode()
        )
        if not valid or not self.settings.password:
            wrong = "Wrong e-mail address or password."
            if wants_json:
                return JSONResponse({"error": wrong}, status_code=401)
            page = pages.login_page(next_url, message=wrong, script=script)
            return HTMLResponse(page, status_code=401)
        response: Response = (JSONResponse({"next": next_url}) if wants_json
                              else RedirectResponse(next_url, status_code=303))
        self._start_session(request, response, DEMO_USER)
        return response

    async def logout(self, request: Request) -> Response:
        """POST /logout: forget the session."""
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, httponly=True, samesite="lax")
        return response

    # -- AFAS SB onboarding -----------------------------------------------------------------
    def _checked_base_url(self, raw: str | None) -> str:
        try:
            return validate_base_url(
                raw, self.settings.trusted_hosts, any_host=self.settings.flaw("any_host")
            )
        except BadBaseUrl as problem:
            if self.settings.flaw("traceback_on_bad_base_url") and not problem.foreign_host:
                raise _ShowTraceback(traceback.format_exc()) from problem
            raise

    def _base_url_or_page(self, raw: str | None) -> str | Response:
        try:
            return self._checked_base_url(raw)
        except BadBaseUrl as problem:
            title = "Not an AFAS SB host" if problem.foreign_host else "Invalid AFAS SB address"
            return HTMLResponse(pages.message_page(title, str(problem)), status_code=400)
        except _ShowTraceback as crash:
            return PlainTextResponse(crash.text, status_code=500)

    async def landing(self, request: Request) -> Response:
        """GET /Appcenter/AFASSB/?afasBaseUrl=...: where the AFAS App Center sends users."""
        if self.settings.flaw("slow_landing"):
            await asyncio.sleep(SLOW_LANDING_S)
        base_url = self._base_url_or_page(request.query_params.get("afasBaseUrl"))
        if isinstance(base_url, Response):
            return base_url
        if self._session(request) is None:
            environment = base_url.rsplit("/", 1)[-1]
            if self.settings.flaw("prospect_error") and self.store.connection(base_url) is None:
                return HTMLResponse(pages.message_page(
                    "Unknown customer", f"There is no Demo Partner account for {environment}."
                ), status_code=404)
            return HTMLResponse(pages.landing_page(
                base_url, environment, script=self.settings.onboarding == "js"))
        target = "/Appcenter/AFASSB/activate?" + urlencode({"afasBaseUrl": base_url})
        return RedirectResponse(target, status_code=303)

    async def activate(self, request: Request) -> Response:
        """Start the OAuth code flow with PKCE for a logged-in user (fresh state each time)."""
        session = self._session(request)
        if session is None:
            return self._to_login(request)
        base_url = self._base_url_or_page(request.query_params.get("afasBaseUrl"))
        if isinstance(base_url, Response):
            return base_url
        authorization = start_authorization(base_url, self._redirect_uri(request), self.settings)
        self.store.add_attempt(
            state=authorization.state, session_id=session["sid"],
            base_url=authorization.base_url, verifier=authorization.verifier,
            redirect_uri=authorization.redirect_uri,
        )
        return RedirectResponse(authorization.url, status_code=302)

    def callback(self, request: Request) -> Response:
        """GET /Appcenter/AFASSB/callback: check state, exchange the code, first API call."""
        query = request.query_params
        session = self._session(request)
        state = query.get("state")
        if query.get("error"):
            if state:
                self.store.take_attempt(state)  # a declined attempt cannot be resumed
            if query["error"] == "access_denied":
                if self.settings.flaw("crash_on_denied"):
                    raise RuntimeError("the user declined consent")
                return HTMLResponse(pages.message_page(
                    "Connection not made",
                    "You declined the connection in AFAS SB, so Demo Partner cannot book your "
                    "invoices there. You can connect again from the AFAS App Center at any time.",
                    link=("/", "Back to Demo Partner"),
                ))
            return HTMLResponse(pages.message_page(
                "Connection failed",
                f"AFAS SB reported {query['error']}: {query.get('error_description', '')}",
            ), status_code=400)
        attempt = self.store.take_attempt(state) if state else None
        if attempt is not None and (session is None or attempt.session_id != session["sid"]):
            attempt = None  # the state belongs to another browser session
        lenient = self.settings.flaw("no_state_check") or (
            self.settings.flaw("no_state") and not state
        )
        if attempt is None and lenient and session is not None:
            attempt = self.store.take_latest_attempt(session["sid"])
        if attempt is None:
            return HTMLResponse(pages.message_page(
                "Sign-in expired",
                "This AFAS SB answer does not belong to a connection you started here (unknown "
                "or missing state). Start again from the AFAS App Center.",
            ), status_code=400)
        code = query.get("code")
        if not code:
            return HTMLResponse(pages.message_page(
                "Connection failed", "AFAS SB sent no authorization code; start again."
            ), status_code=400)
        root = admin_root(attempt.base_url, self.settings)
        if root is not None:
            return self._connect_admin(root, code, attempt.verifier, attempt.redirect_uri)
        with self._http() as http:
            try:
                connection = TokenClient(http, self.settings).exchange_code(
                    attempt.base_url, code=code, verifier=attempt.verifier,
                    redirect_uri=attempt.redirect_uri,
                )
                stored = self.store.connection(connection.base_url)
                if self.settings.flaw("reuse_dead_refresh") and stored is not None:
                    connection = stored  # the new tokens are dropped; the dead ones stay
                else:
                    self.store.save_connection(connection)
                # the store_only style reads nothing now: its first sync makes the first call
                names = [] if styles.is_on("store_only") else self._first_call(http, connection)
            except DemoPartnerError as error:
                return HTMLResponse(
                    pages.message_page("Connection failed", str(error)), status_code=502
                )
        if self.settings.flaw("secret_in_url"):
            leak = {"environment": connection.base_url, "access_token": connection.access_token}
            return RedirectResponse(
                "/Appcenter/AFASSB/connected?" + urlencode(leak), status_code=303
            )
        return HTMLResponse(pages.connected_page(
            connection.environment, names, tracker=self.settings.flaw("callback_tracker")))

    def _connect_admin(self, root: str, code: str, verifier: str, redirect_uri: str
                       ) -> Response:
        """Admin Center callback: a token per environment, then a first call in each."""
        with self._http() as http:
            try:
                connections = connect_admin(
                    http, self.store, self.settings, root, code=code, verifier=verifier,
                    redirect_uri=redirect_uri,
                )
                names = [name for connection in connections
                         for name in self._first_call(http, connection)]
            except DemoPartnerError as error:
                return HTMLResponse(
                    pages.message_page("Connection failed", str(error)), status_code=502
                )
        environments = ", ".join(connection.environment for connection in connections)
        return HTMLResponse(pages.connected_page(environments, names))

    def _first_call(self, http: httpx.Client, connection: Connection) -> list[str]:
        return first_call(http, self.store, self.settings, connection)

    def connected(self, request: Request) -> Response:
        """The confirmation page behind a redirect (used only by the secret_in_url flaw)."""
        if self._session(request) is None:
            return self._to_login(request)
        connection = self.store.connection(request.query_params.get("environment", ""))
        if connection is None:
            return HTMLResponse(pages.message_page("Not connected", "Unknown environment."),
                                status_code=404)
        with self._http() as http:
            names = self._first_call(http, connection)
        return HTMLResponse(pages.connected_page(connection.environment, names))

    async def apptoken(self, request: Request) -> Response:
        """GET shows the app-token form; POST exchanges the token and confirms."""
        if self._session(request) is None:
            return self._to_login(request)
        if request.method == "GET":
            return HTMLResponse(pages.apptoken_page(request.query_params.get("afasBaseUrl", "")))
        form = await request.form()
        token = str(form.get("token") or "").strip()
        raw_base_url = str(form.get("base_url") or "").strip()
        try:
            base_url = self._checked_base_url(raw_base_url)
        except (BadBaseUrl, _ShowTraceback) as problem:
            message = str(problem) if isinstance(problem, BadBaseUrl) else "Invalid address."
            return HTMLResponse(pages.apptoken_page(raw_base_url, message=message),
                                status_code=400)
        if not token:
            return HTMLResponse(pages.apptoken_page(base_url, message="The app token is empty."),
                                status_code=400)
        try:
            names = await run_in_threadpool(self._connect_app_token, base_url, token)
        except DemoPartnerError as error:
            return HTMLResponse(pages.apptoken_page(base_url, message=str(error)),
                                status_code=400 if error.exit_code == 3 else 502)
        return HTMLResponse(pages.connected_page(base_url.rsplit("/", 1)[-1], names))

    def _connect_app_token(self, base_url: str, token: str) -> list[str]:
        with self._http() as http:
            connection = connect_app_token(http, self.store, self.settings, base_url, token)
            return self._first_call(http, connection)

    def sync(self, request: Request) -> Response:
        """POST /sync: one sync run for the logged-in user (same code as the CLI)."""
        if self._session(request) is None:
            return HTMLResponse(pages.message_page("Log in first", "Log in to sync."),
                                status_code=401)
        try:
            reports = run_sync(self.store, self.settings, transport=self.transport)
        except ReauthorizationNeeded as error:
            return HTMLResponse(pages.message_page("Re-authorization needed", str(error)),
                                status_code=409)
        except DemoPartnerError as error:
            return HTMLResponse(pages.message_page("Sync failed", str(error)), status_code=502)
        summary = " ".join(report.summary() + "." for report in reports)
        return HTMLResponse(pages.message_page("Sync done", summary, link=("/", "Back")))


class _ShowTraceback(Exception):
    """Carries a formatted traceback to the page (only the traceback_on_bad_base_url flaw)."""

    def __init__(self, text: str) -> None:
        super().__init__("traceback")
        self.text = text


def _local(target: str) -> str:
    """`target` if it is a path on this site, else "/" (no open redirects after login)."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def connect_app_token(
    http: httpx.Client, store: Store, settings: Settings, base_url: str, app_token: str
) -> Connection:
    """Exchange an app token once (proves it works) and store it as the connection."""
    connection = TokenClient(http, settings).exchange_app_token(base_url, app_token)
    store.save_connection(connection)
    return connection


def first_call(
    http: httpx.Client, store: Store, settings: Settings, connection: Connection
) -> list[str]:
    """The first API call after connecting: the administrations, shown to the user."""
    client = SbClient(http, connection, store, settings)
    read = client.read_list("/api/administrations", "get_administrations")
    return [str(a.get("Description") or a.get("Id")) for a in read.items]


def create_app(
    settings: Settings,
    store: Store,
    *,
    public_url: str | None = None,
    transport: httpx.BaseTransport | None = None,
) -> Starlette:
    """The ASGI app (for uvicorn or in-process tests)."""
    return DemoPartnerApp(settings, store, public_url=public_url, transport=transport).asgi
