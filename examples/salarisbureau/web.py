"""The web side: the routes and what they answer (served by server.py, an asyncio server).

Routes: GET /afas-sb/?afasBaseUrl=... (the onboarding URL AFAS opens), GET/POST
/afas-sb/connect (paste the app token), GET /support, GET /health, POST /sync (runs one
sync, answers JSON per environment), POST /review/payroll-run (adds one payroll run per
client environment: what the bureau's payroll engine does each month). Production puts it
behind the bureau's login and TLS.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from examples.salarisbureau import pages
from examples.salarisbureau.afas_address import ADMIN_CENTER, AddressError, parse_afas_address
from examples.salarisbureau.booking import connect_office, sync_office
from examples.salarisbureau.ledger_book import LedgerBook
from examples.salarisbureau.payroll import new_run
from examples.salarisbureau.sb_api import SbProblem
from examples.salarisbureau.settings import Settings

log = logging.getLogger("salarisbureau.web")
ONBOARDING_PATH = "/afas-sb/"
REASONS = {200: "OK", 400: "Bad Request", 403: "Forbidden", 404: "Not Found",
           405: "Method Not Allowed", 409: "Conflict", 411: "Length Required",
           413: "Payload Too Large", 414: "URI Too Long", 431: "Request Header Fields Too Large",
           500: "Internal Server Error", 502: "Bad Gateway"}
PAGE_HEADERS = [  # credential pages: never cached, framed, or leaking the URL onwards
    ("Cache-Control", "no-store"), ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "no-referrer"), ("X-Content-Type-Options", "nosniff"),
    ("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; "
     "form-action 'self'; frame-ancestors 'none'"),
]


@dataclass
class Answer:
    """One HTTP answer."""

    status: int
    body: str
    content_type: str = "text/html; charset=utf-8"


def _json(status: int, body: dict[str, Any]) -> Answer:
    return Answer(status, json.dumps(body, ensure_ascii=False), "application/json")


def _form(body: bytes) -> dict[str, str]:
    """A form-encoded POST body (the server already bounded its size)."""
    raw = body.decode("utf-8", "replace")
    return {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}


class SalarisbureauApp:
    """The application; request threads share the ledger book and one sync lock."""

    def __init__(self, book: LedgerBook, settings: Settings, *, transport: Any = None) -> None:
        self.book = book
        self.settings = settings
        self.transport = transport  # tests hand in an httpx transport
        self._sync_lock = threading.Lock()  # one sync at a time: runs are booked once

    def handle(self, method: str, target: str, body: bytes) -> Answer:
        """Answer one request (`target` is the path with its query string)."""
        try:
            return self.route(method, target, body)
        except Exception:  # the log gets the traceback, the browser one sentence
            log.exception("request failed")
            return Answer(500, pages.problem("Something went wrong", "Salarisbureau could "
                                             "not handle this request; please try again."))

    def route(self, method: str, target: str, body: bytes) -> Answer:
        """Dispatch one request by method and path."""
        parts = urlsplit(target)
        path = parts.path or "/"
        query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        routes: dict[tuple[str, str], Callable[[], Answer]] = {
            ("GET", ONBOARDING_PATH): lambda: self.landing(query.get("afasBaseUrl")),
            ("GET", pages.CONNECT_PATH): lambda: Answer(
                200, pages.connect_form(query.get("base_url", ""))),
            ("POST", pages.CONNECT_PATH): lambda: self.connect(_form(body)),
            ("GET", "/support"): lambda: Answer(200, pages.support()),
            ("GET", "/health"): lambda: Answer(200, "ok", "text/plain"),
            ("POST", "/sync"): self.sync,
            ("POST", "/review/payroll-run"): self.add_payroll_runs,
        }
        handler = routes.get((method, path))
        if handler is not None:
            return handler()
        if any(p == path for _, p in routes):
            return Answer(405, pages.problem("Not allowed", f"{method} is not used on {path}."))
        return Answer(404, pages.problem("Not found", f"There is no page {path}."))

    # ---- pages ----------------------------------------------------------------------------

    def landing(self, raw_base_url: str | None) -> Answer:
        """The onboarding URL: refuse what is not AFAS, welcome a prospect, greet the office."""
        try:
            address = parse_afas_address(raw_base_url, self.settings.trusted_test_hosts)
        except AddressError as error:
            status = 403 if error.untrusted else 400
            return Answer(status, pages.problem("This address cannot be used", str(error)))
        if address.environment != ADMIN_CENTER:
            return Answer(200, pages.customer_environment(address.base_url))
        office = self.book.office()
        if office is None or office.admin_base_url != address.base_url:
            return Answer(200, pages.welcome(address.base_url))
        return Answer(200, pages.connected_status(address.base_url))

    def connect(self, form: dict[str, str]) -> Answer:
        """The pasted app token: checked against SB before it is kept."""
        raw_base_url, token = form.get("base_url", ""), form.get("token", "").strip()
        try:
            address = parse_afas_address(raw_base_url, self.settings.trusted_test_hosts)
        except AddressError as error:
            status = 403 if error.untrusted else 400
            return Answer(status, pages.connect_form(raw_base_url, str(error)))
        if address.environment != ADMIN_CENTER:
            return Answer(400, pages.connect_form(raw_base_url, (
                "Salarisbureau connects at the Admin Center level: use the address of your "
                f"Admin Center ({address.root}/{ADMIN_CENTER}) and its app token.")))
        if not token or any(c.isspace() for c in token) or len(token) > 4096:
            return Answer(400, pages.connect_form(address.base_url, (
                "Paste the app token exactly as the App Center shows it (one word, no "
                "spaces).")))
        try:
            environments = connect_office(self.book, self.settings, address.base_url, token,
                                          transport=self.transport)
        except SbProblem as problem:
            status = 400 if problem.kind == "token_refused" else 502
            return Answer(status, pages.connect_form(address.base_url, problem.message))
        log.info("office %s connected with %d client environment(s)", address.base_url,
                 len(environments))
        return Answer(200, pages.connect_done(environments))

    # ---- machine endpoints ----------------------------------------------------------------

    def sync(self) -> Answer:
        """One sync; 200 when every environment is fine, else 409/502 with the reasons."""
        if not self._sync_lock.acquire(timeout=120):
            return _json(409, {"status": "error", "message": "Another sync is still running; "
                               "try again when it has finished."})
        try:
            report = sync_office(self.book, self.settings, transport=self.transport)
        finally:
            self._sync_lock.release()
        if report.ok:
            return _json(200, report.as_json())
        status = 409 if self.book.office() is None else 502
        return _json(status, report.as_json())

    def add_payroll_runs(self) -> Answer:
        """The payroll engine's monthly run: one new payroll run per client environment."""
        runs = [new_run(self.book, path) for path in self.book.environments()]
        if not runs:
            return _json(409, {"status": "error", "message": "No client environments yet; "
                               "connect the office first."})
        return _json(200, {"status": "ok", "added": [run.run_id for run in runs]})
