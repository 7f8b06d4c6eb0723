"""The admin UI and the sync trigger: one threaded HTTP(S) server in the worker's process.

Routes: GET /afas-sb/ (the onboarding URL AFAS opens with ?afasBaseUrl=...), GET/POST
/afas-sb/connect (paste the app token), GET /afas-sb/status, GET/POST /login, GET /support,
GET /health, and POST /sync (loopback only: the scheduler's trigger; JSON answer; with
?wait=false a 202 and GET /sync/runs/<id> to poll).
"""

from __future__ import annotations

import hmac
import json
import logging
import secrets
import ssl
import threading
import time
import traceback
from collections.abc import Collection
from dataclasses import dataclass
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from examples.relatiesync import pages
from examples.relatiesync.base_url import UntrustedBaseUrl, parse_base_url
from examples.relatiesync.flaws import flaw
from examples.relatiesync.store import Store
from examples.relatiesync.worker import Worker

log = logging.getLogger("relatiesync.web")
SESSION_COOKIE = "relatiesync_session"
SESSION_LIFETIME_S = 8 * 3600
MAX_FORM_BYTES = 16_384
ONBOARDING_PATH = "/afas-sb/"
CONNECT_PATH = "/afas-sb/connect"
STATUS_PATH = "/afas-sb/status"
SYNC_RUNS_PATH = "/sync/runs/"


@dataclass
class Session:
    """A signed-in administrator (server side; the cookie holds a random id only)."""

    username: str | None
    csrf: str
    expires_at: float


@dataclass(frozen=True)
class AppSettings:
    """What the server needs besides the database."""

    admin_username: str
    admin_password: str
    trusted_hosts: Collection[str]
    secure_cookies: bool


class AdminApp:
    """State shared by all request threads: sessions, settings, the store and the worker."""

    def __init__(self, store: Store, worker: Worker, settings: AppSettings) -> None:
        self.store = store
        self.worker = worker
        self.settings = settings
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def session(self, session_id: str | None) -> tuple[str, Session]:
        """The live session for `session_id`, or a fresh anonymous one."""
        now = time.time()
        with self._lock:
            for key in [k for k, s in self._sessions.items() if s.expires_at < now]:
                del self._sessions[key]
            if session_id and session_id in self._sessions:
                return session_id, self._sessions[session_id]
            new_id = secrets.token_urlsafe(32)
            session = Session(None, secrets.token_urlsafe(32), now + SESSION_LIFETIME_S)
            self._sessions[new_id] = session
            return new_id, session

    def sign_in(self, old_id: str, username: str) -> tuple[str, Session]:
        """A new session id for a signed-in user (the old id is dropped: no fixation)."""
        with self._lock:
            self._sessions.pop(old_id, None)
            new_id = secrets.token_urlsafe(32)
            session = Session(username, secrets.token_urlsafe(32),
                              time.time() + SESSION_LIFETIME_S)
            self._sessions[new_id] = session
            return new_id, session

    def credentials_match(self, username: str, password: str) -> bool:
        """Constant-time comparison with the configured administrator account."""
        user_ok = hmac.compare_digest(username.strip().lower().encode(),
                                      self.settings.admin_username.lower().encode())
        password_ok = hmac.compare_digest(password.encode(), self.settings.admin_password.encode())
        return user_ok and password_ok


def _safe_next(raw: str | None) -> str:
    """A local path to go to after sign-in (never another site)."""
    if raw and raw.startswith("/") and not raw.startswith("//") and "\\" not in raw:
        return raw
    return STATUS_PATH


class Handler(BaseHTTPRequestHandler):
    """One request; the AdminApp is on the server object."""

    protocol_version = "HTTP/1.1"  # keep-alive, every answer has a Content-Length
    timeout = 30  # a silent client cannot hold a thread forever
    server_version = "RelatieSync"
    sys_version = ""

    def setup(self) -> None:
        super().setup()  # applies `timeout` to the socket, so the handshake is bounded too
        if isinstance(self.request, ssl.SSLSocket):
            self.request.do_handshake()

    @property
    def app(self) -> AdminApp:
        return self.server.app  # type: ignore[attr-defined, no-any-return]

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        path = self.path.split("?", 1)[0]  # queries are not logged (they may carry codes)
        log.info("%s %s -> %s", self.command, path, args[1] if len(args) > 1 else "")

    # ---- answers -------------------------------------------------------------------------
    def _send(self, status: int, body: str, *, content_type: str = "text/html; charset=utf-8",
              headers: dict[str, str] | None = None) -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        frameable = flaw("frameable_pages")
        if not frameable:
            self.send_header("X-Frame-Options", "DENY")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Content-Security-Policy", "default-src 'none'; style-src "
                         "'unsafe-inline'; form-action 'self'"
                         + ("" if frameable else "; frame-ancestors 'none'"))
        if self.app.settings.secure_cookies and not flaw("no_hsts"):
            self.send_header("Strict-Transport-Security", "max-age=31536000")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _redirect(self, location: str, headers: dict[str, str] | None = None) -> None:
        self._send(303, "", headers={"Location": location, **(headers or {})})

    def _json(self, status: int, body: dict[str, Any]) -> None:
        self._send(status, json.dumps(body, ensure_ascii=False),
                   content_type="application/json; charset=utf-8")

    def _cookie(self, session_id: str) -> dict[str, str]:
        secure = "; Secure" if self.app.settings.secure_cookies and not flaw(
            "cookie_without_secure") else ""
        return {"Set-Cookie": f"{SESSION_COOKIE}={session_id}; Path=/; HttpOnly; "
                              f"SameSite=Lax; Max-Age={SESSION_LIFETIME_S}{secure}"}

    # ---- request parts -------------------------------------------------------------------
    def _query(self) -> dict[str, str]:
        pairs = parse_qs(urlsplit(self.path).query, keep_blank_values=True)
        return {key: values[0] for key, values in pairs.items()}

    def _form(self) -> dict[str, str] | None:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            return None
        if length > MAX_FORM_BYTES:
            return None
        raw = self.rfile.read(length).decode("utf-8", "replace")
        return {key: values[0] for key, values in parse_qs(raw, keep_blank_values=True).items()}

    def _session(self) -> tuple[str, Session]:
        cookie = SimpleCookie(self.headers.get("Cookie") or "")
        morsel = cookie.get(SESSION_COOKIE)
        return self.app.session(morsel.value if morsel else None)

    # ---- routing -------------------------------------------------------------------------
    def do_HEAD(self) -> None:  # noqa: N802 - stdlib naming
        self.do_GET()

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        path = urlsplit(self.path).path
        try:
            if path == "/health":
                self._send(200, "ok", content_type="text/plain; charset=utf-8")
            elif path in (ONBOARDING_PATH, ONBOARDING_PATH.rstrip("/")):
                self._onboarding()
            elif path == CONNECT_PATH:
                self._connect_form()
            elif path in (STATUS_PATH, "/"):
                self._status()
            elif path == "/login":
                self._login_form()
            elif path == "/support":
                self._send(200, pages.support_page())
            elif path.startswith(SYNC_RUNS_PATH):
                self._sync_run(path[len(SYNC_RUNS_PATH):])
            else:
                self._send(404, pages.message_page("Not found", "This page does not exist."))
        except Exception:  # noqa: BLE001 - a clean page, the details go to the log
            log.exception("GET %s failed", path)
            self._send(500, pages.message_page("Something went wrong", "RelatieSync could "
                       "not show this page. Please try again, or contact support."))

    def do_POST(self) -> None:  # noqa: N802 - stdlib naming
        path = urlsplit(self.path).path
        try:
            if path == "/sync":
                self._sync()
            elif path == CONNECT_PATH:
                self._connect()
            elif path == "/login":
                self._login()
            else:
                self._send(404, pages.message_page("Not found", "This page does not exist."))
        except Exception:  # noqa: BLE001 - a clean answer, the details go to the log
            log.exception("POST %s failed", path)
            if path == "/sync":
                self._json(500, {"status": "error", "message": "RelatieSync hit an internal "
                                 "error; it is logged and the next sync continues"})
            else:
                self._send(500, pages.message_page("Something went wrong", "RelatieSync "
                           "could not handle this request. Please try again."))

    # ---- pages ---------------------------------------------------------------------------
    def _onboarding(self) -> None:
        """AFAS opens this with ?afasBaseUrl=...: check it, then go to the connect form."""
        if flaw("slow_onboarding_page"):
            time.sleep(2.0)
        try:
            environment = parse_base_url(self._query().get("afasBaseUrl"),
                                         trusted_hosts=self.app.settings.trusted_hosts)
        except UntrustedBaseUrl as error:
            if flaw("traceback_on_bad_base_url"):
                self._send(500, pages.message_page("Internal Server Error",
                                                   traceback.format_exc()))
                return
            self._send(400, pages.message_page("This link cannot be used", str(error)))
            return
        if flaw("unknown_environment_refused") and not self._connected_to(environment.base_url):
            self._send(404, pages.message_page("Unknown environment", "This AFAS SB "
                       "environment is not connected to RelatieSync."))
            return
        self._redirect(f"{CONNECT_PATH}?afasBaseUrl={quote(environment.base_url, safe='')}")

    def _connected_to(self, base_url: str) -> bool:
        connection = self.app.store.connection()
        return connection is not None and connection.base_url == base_url

    def _require_login(self) -> tuple[str, Session] | None:
        session_id, session = self._session()
        if session.username is None:
            self._redirect(f"/login?next={quote(self.path, safe='')}", self._cookie(session_id))
            return None
        return session_id, session

    def _connect_form(self) -> None:
        raw = self._query().get("afasBaseUrl")
        shown = ""
        if raw is not None:
            try:
                shown = parse_base_url(raw, trusted_hosts=self.app.settings.trusted_hosts).base_url
            except UntrustedBaseUrl as error:
                self._send(400, pages.message_page("This link cannot be used", str(error)))
                return
        signed_in = self._require_login()
        if signed_in is None:
            return
        self._send(200, pages.connect_page(shown, signed_in[1].csrf))

    def _connect(self) -> None:
        signed_in = self._require_login()
        if signed_in is None:
            return
        session = signed_in[1]
        form = self._form() or {}
        if not hmac.compare_digest(form.get("csrf", ""), session.csrf):
            self._send(403, pages.message_page("Please try again", "The form expired; open the "
                       "connect page again."))
            return
        raw_base = form.get("afas_base_url", "")
        try:
            environment = parse_base_url(raw_base, trusted_hosts=self.app.settings.trusted_hosts)
        except UntrustedBaseUrl as error:
            self._send(400, pages.connect_page(raw_base, session.csrf, str(error)))
            return
        token = form.get("app_token", "").strip()
        if not 16 <= len(token) <= 4096 or any(ch.isspace() for ch in token):
            self._send(400, pages.connect_page(environment.base_url, session.csrf,
                       "That does not look like an App Center token; copy the whole token "
                       "from the App Center and paste it again."))
            return
        result = self.app.worker.connect(environment, token)
        if not result.ok:
            self._send(400, pages.connect_page(environment.base_url, session.csrf,
                                               result.message))
            return
        self._redirect(STATUS_PATH)

    def _status(self) -> None:
        if self._require_login() is None:
            return
        store = self.app.store
        self._send(200, pages.status_page(store.connection(), store.last_run(),
                                          store.mirror_counts(), store.all_items(),
                                          store.mirror_external_ids()))

    def _login_form(self) -> None:
        session_id, session = self._session()
        next_path = _safe_next(self._query().get("next"))
        if session.username is not None:
            self._redirect(next_path)
            return
        self._send(200, pages.login_page(next_path, session.csrf), headers=self._cookie(session_id))

    def _login(self) -> None:
        session_id, session = self._session()
        form = self._form() or {}
        next_path = _safe_next(form.get("next"))
        if not hmac.compare_digest(form.get("csrf", ""), session.csrf):
            self._send(400, pages.login_page(next_path, session.csrf, "The form expired; please "
                       "sign in again."), headers=self._cookie(session_id))
            return
        if not self.app.credentials_match(form.get("username", ""), form.get("password", "")):
            self._send(401, pages.login_page(next_path, session.csrf, "E-mail address or "
                       "password is wrong."), headers=self._cookie(session_id))
            return
        new_id, _ = self.app.sign_in(session_id, form.get("username", "").strip())
        self._redirect(next_path, self._cookie(new_id))

    def _from_this_host(self) -> bool:
        if self.client_address[0] in ("127.0.0.1", "::1"):
            return True
        self._json(403, {"status": "error", "message": "/sync is accepted from this host only"})
        return False

    def _sync(self) -> None:
        """The scheduler's trigger: run one sync in the worker, answer its JSON report.

        `?wait=false` (or `Prefer: respond-async`) answers 202 at once with a Location to
        poll, for schedulers that do not hold a connection open for a whole sync.
        """
        if not self._from_this_host():
            return
        self._form()  # drain any body, so the connection can be reused
        prefer = (self.headers.get("Prefer") or "").lower()
        if self._query().get("wait") == "false" or "respond-async" in prefer:
            run_id = self.app.worker.start_sync()
            self._send(202, json.dumps({"status": "running", "run": run_id}),
                       content_type="application/json; charset=utf-8",
                       headers={"Location": f"{SYNC_RUNS_PATH}{run_id}"})
            return
        report = self.app.worker.sync()
        self._json(report.http_status, report.body)

    def _sync_run(self, run_id: str) -> None:
        """GET /sync/runs/<id>: 202 "running", then the sync's own answer."""
        if not self._from_this_host():
            return
        report = self.app.worker.run(run_id)
        if report is None:
            self._json(404, {"status": "error", "message": f"no sync run {run_id} is known "
                             "(only the last few are kept)"})
            return
        self._json(report.http_status, report.body)


class AdminServer(ThreadingHTTPServer):
    """The threaded server; a failed TLS handshake or a dropped client is logged in one line."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.warning("connection from %s ended abnormally", client_address[0])


def serve(app: AdminApp, *, host: str, port: int, certfile: Path | None,
          keyfile: Path | None) -> AdminServer:
    """Bind the server (TLS when a certificate is given); the caller runs serve_forever()."""
    server = AdminServer((host, port), Handler)
    server.app = app  # type: ignore[attr-defined]
    if certfile is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(certfile, keyfile)
        # the handshake runs in the request thread, so a slow client cannot block accept()
        server.socket = context.wrap_socket(server.socket, server_side=True,
                                            do_handshake_on_connect=False)
    return server
