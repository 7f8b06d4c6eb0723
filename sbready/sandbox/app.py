"""The SB sandbox as one ASGI app, and the Python control API the harness uses in-process.

URL shapes are AFAS's: customer environments are the first path segment
(`/demo/api/...`, `/demo/app/auth`, `/demo/app/token`,
`/demo/authentication/getaccesstoken`), the Admin Center is `admin` (`/admin/app/auth`,
token at `/app/token`, scopes at `/authentication/getscopes`). The control API lives under
`/_sbready/` (see control.py). Every other exchange is journaled, redacted at capture.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Awaitable, Callable, Sequence

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sbready.sandbox.afas_errors import status_body
from sbready.sandbox.auth import ADMIN, AuthServer, Lifetimes, RegisteredClient
from sbready.sandbox.control import control_routes
from sbready.sandbox.faults import FaultBook, FaultRule
from sbready.sandbox.http_api import ApiRoutes, apply_fault
from sbready.sandbox.http_auth import AuthRoutes
from sbready.sandbox.http_capture import CaptureLayer, ExchangeDraft, draft_of
from sbready.sandbox.journal import Journal
from sbready.sandbox.redact import SandboxRedactor
from sbready.sandbox.store import ApiRequest, ApiStore, Dialect, StoreResponse
from sbready.spec.index import Operation, OperationIndex

__all__ = ["Lifetimes", "RegisteredClient", "Sandbox", "FaultRule"]

ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
Endpoint = Callable[[Request], Awaitable[Response]]
_logger = logging.getLogger("sbready.sandbox")
_DEFAULT_LIFETIMES = Lifetimes()
# getscopes names of the seeded environments; one Description empty, as the guide's example
SCOPE_NAMES = {"demo": ("Demo Administratie B.V.", "Voorbeeldomgeving"),
               "acme": ("Acme Holding B.V.", "")}


class Sandbox:
    """A stateful local AFAS SB for one SB version: auth server, API, journal, faults."""

    def __init__(
        self,
        index: OperationIndex,
        *,
        dialect: Dialect = "observed",
        environments: Sequence[str] = ("demo", "acme"),
        lifetimes: Lifetimes = _DEFAULT_LIFETIMES,
        control_key: str | None = None,
        seed: int = 1,
        clock: Callable[[], float] = time.time,
        list_admin_scope: bool = True,
        redelivery_window: float | None = None,  # TrackingToken cache, s (see store.py)
        readkey_lifetime: float | None = None,  # blob ReadKeys, s (see blobs.py)
        records: int | None = None,  # a large customer's scale (see seed_data.py)
    ) -> None:
        if ADMIN in environments:
            raise ValueError('"admin" is the Admin Center, not a customer environment')
        self.index = index
        self.dialect: Dialect = dialect
        self.environments = tuple(environments)
        # the spec's getscopes example lists the Admin Center itself ("Beheer", Path "admin");
        # the payroll guide's example does not: apps must cope with both
        self.list_admin_scope = list_admin_scope
        self.control_key = control_key or secrets.token_urlsafe(24)
        self.journal = Journal()
        self.redactor = SandboxRedactor()
        self.auth = AuthServer(self.environments, lifetimes, self.redactor, clock)
        self.faults = FaultBook()
        self.store = ApiStore(index, dialect=dialect, environments=self.environments, seed=seed,
                              redelivery_window=redelivery_window,
                              readkey_lifetime=readkey_lifetime, records=records)
        self._store_lock = threading.Lock()
        self._api = ApiRoutes(self)
        self._auth_routes = AuthRoutes(self)
        routes = self._routes()
        starlette = Starlette(routes=routes)
        starlette.router.redirect_slashes = False
        self.app = CaptureLayer(starlette, self.journal, self.redactor)

    # --- the Python control API ----------------------------------------------------------

    def register_client(self, client: RegisteredClient) -> None:
        """Register (or replace) an OAuth client, as the App Center would."""
        self.auth.register(client)

    def activate(
        self,
        environment: str,
        *,
        bundles: Sequence[str] | None = None,
        token: str | None = None,
        name: str = "app",
    ) -> str:
        """Activate an app token in `environment`, or in the Admin Center with
        `environment="admin"` (every bundle unless given); returns it."""
        return self.auth.activate(environment, bundles, token, name)

    def scopes(self) -> list[dict[str, str]]:
        """getscopes' answer: the customer environments the office manages, as {Name,
        Description, Path} (the payroll guide's shape), the Admin Center first if listed."""
        items = [{"Name": "Beheer", "Description": "", "Path": ADMIN}] if (
            self.list_admin_scope) else []
        for environment in self.environments:
            name, description = SCOPE_NAMES.get(
                environment, (f"{environment.capitalize()} B.V.", ""))
            items.append({"Name": name, "Description": description, "Path": environment})
        return items

    def expire_tokens(
        self, *, environment: str | None = None, client_id: str | None = None
    ) -> int:
        """Expire live access tokens now (refresh tokens stay valid); returns how many."""
        return self.auth.expire_tokens(environment, client_id)

    def withdraw_consent(self, client_id: str, environment: str) -> None:
        """Block the app in the App Center: its tokens and codes in `environment` die."""
        self.auth.withdraw(client_id, environment)

    def restore_consent(self, client_id: str, environment: str) -> None:
        """Unblock the app: a new consent flow works again (old tokens stay dead)."""
        self.auth.restore(client_id, environment)

    def add_fault(self, rule: FaultRule) -> str:
        """Inject `rule` into matching requests; returns the rule id."""
        return self.faults.add(rule)

    def clear_faults(self) -> None:
        """Remove every fault rule."""
        self.faults.clear()

    def reset(self) -> None:
        """Back to a fresh sandbox: data, tokens, codes, consent, journal, faults (not clients)."""
        with self._store_lock:
            self.store.reset()
        self.auth.reset()
        self.journal.clear()
        self.faults.clear()
        self._api.replays.clear()

    # --- used by the routes --------------------------------------------------------------

    def store_handle(
        self, environment: str, operation: Operation, request: ApiRequest
    ) -> StoreResponse:
        """The store's answer (serialised: the harness thread may reset it meanwhile)."""
        with self._store_lock:
            return self.store.handle(environment, operation, request)

    async def apply_fault(
        self,
        request: Request,
        draft: ExchangeDraft,
        environment: str,
        path: str,
        operation_id: str | None,
        is_api: bool,
    ) -> Response | None:
        """See http_api.apply_fault."""
        return await apply_fault(self, request, draft, environment, path, operation_id, is_api)

    def _routes(self) -> list[Route]:
        auth, api = self._auth_routes, self._api
        sb_routes = [
            ("/app/token", auth.token, ["POST"]),
            ("/authentication/getscopes", auth.get_scopes, ["POST", "GET"]),
            ("/{env}/authentication/getscopes", auth.get_scopes, ["POST", "GET"]),
            ("/{env}/app/auth", auth.authorize, ["GET", "POST"]),
            ("/{env}/app/token", auth.token, ["POST"]),
            ("/{env}/authentication/getaccesstoken", auth.get_access_token, ["POST"]),
            ("/{env}/api/{rest:path}", api.api, ALL_METHODS),
        ]
        routes = control_routes(self)
        for path, handler, methods in sb_routes:
            routes.append(Route(path, _guarded(handler), methods=methods))
        routes.append(Route("/{rest:path}", _guarded(_not_found), methods=ALL_METHODS))
        return routes


async def _not_found(request: Request) -> Response:
    draft = draft_of(request)
    draft.kind = "unknown"
    return JSONResponse(status_body(404), 404)


def _guarded(endpoint: Endpoint) -> Endpoint:
    """`endpoint`, answering AFAS's 400 instead of a 5xx if the sandbox itself fails."""

    async def guarded(request: Request) -> Response:
        try:
            return await endpoint(request)
        except Exception:  # noqa: BLE001 - never a 5xx unless a fault asks for one
            _logger.exception("sandbox error on %s %s", request.method, request.url.path)
            draft_of(request).facts["sandbox_error"] = True
            return JSONResponse(status_body(400, "The request could not be processed."), 400)

    guarded.__name__ = getattr(endpoint, "__name__", "endpoint")
    return guarded
