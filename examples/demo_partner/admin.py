"""Admin Center (accountant) level: one consent or app token, then a token per environment.

An admin-level app authorizes at `<base>/admin/app/auth`, trades the code at `<base>/app/token`,
lists the environments it may use with POST `<base>/authentication/getscopes`, and gets a
token per environment from `<base>/<scope>/app/token` (refresh_token grant with the Admin
Center refresh token). An Admin Center app token is exchanged at
`<base>/admin/authentication/getaccesstoken` for getscopes and at
`<base>/<scope>/authentication/getaccesstoken` for each environment. Each environment is stored
as its own connection, so the sync and the token renewal work exactly as for a customer-level
app.
"""

from __future__ import annotations

from typing import Any

import httpx

from examples.demo_partner.errors import DemoPartnerError
from examples.demo_partner.oauth import TokenClient
from examples.demo_partner.retry import send_with_retries
from examples.demo_partner.settings import Settings
from examples.demo_partner.store import Connection, Store

ADMIN_SEGMENT = "admin"
GETSCOPES = "/authentication/getscopes"


def admin_root(base_url: str, settings: Settings) -> str | None:
    """The SB root (scheme://host[:port]) when an admin-level app got the Admin Center URL."""
    root, _, segment = base_url.rstrip("/").rpartition("/")
    if settings.level == "admin" and segment == ADMIN_SEGMENT:
        return root
    return None


def environment_paths(http: httpx.Client, tokens: TokenClient, root: str,
                      admin: Connection) -> list[str]:
    """The customer environments (scope Paths) the Admin Center token may serve."""
    url = f"{root}{GETSCOPES}"
    headers = {"Authorization": f"Bearer {admin.access_token}"}

    def build(_attempt: int) -> httpx.Request:
        return http.build_request("POST", url, headers=headers)

    response = send_with_retries(http, build, what="the getscopes request",
                                 policy=tokens.policy, behaviour=tokens.behaviour,
                                 sleep=tokens.sleep)
    if response.status_code != 200:
        raise DemoPartnerError(
            f"SB refused the getscopes request (HTTP {response.status_code}); "
            "connect again from the AFAS Admin Center."
        )
    try:
        body: Any = response.json()
    except ValueError:
        body = None
    if not isinstance(body, list):
        raise DemoPartnerError("SB's getscopes answer is not a list of environments.")
    paths = [str(scope.get("Path")).strip("/") for scope in body
             if isinstance(scope, dict) and scope.get("Path")]
    # the spec's example lists the Admin Center itself (Path "admin"): it is no customer
    paths = [path for path in paths if path and path != ADMIN_SEGMENT]
    if not paths:
        raise DemoPartnerError("SB's getscopes answer lists no environment this app may use.")
    return paths


def connect_admin(
    http: httpx.Client, store: Store, settings: Settings, root: str, *, code: str,
    verifier: str, redirect_uri: str,
) -> list[Connection]:
    """Trade the Admin Center code, read the scopes, store one connection per environment."""
    tokens = TokenClient(http, settings)
    admin = tokens.exchange_code(root, code=code, verifier=verifier, redirect_uri=redirect_uri)
    connections = []
    for path in environment_paths(http, tokens, root, admin):
        base_url = f"{root}/{path}"
        if settings.flaw("shared_admin_token"):
            # the flaw: the Admin Center token is stored as if it worked in every environment
            connection = Connection(
                base_url=base_url, kind="oauth", access_token=admin.access_token,
                refresh_token=admin.refresh_token, expires_at=admin.expires_at,
            )
        else:
            # the Admin Center refresh token yields a token for this environment only
            connection = tokens.refresh(Connection(
                base_url=base_url, kind="oauth", refresh_token=admin.refresh_token,
            ))
        store.save_connection(connection)
        connections.append(connection)
    return connections


def connect_admin_app_token(
    http: httpx.Client, store: Store, settings: Settings, root: str, app_token: str
) -> list[Connection]:
    """Exchange an Admin Center app token, read the scopes, store a connection per scope."""
    tokens = TokenClient(http, settings)
    admin = tokens.exchange_app_token(f"{root}/{ADMIN_SEGMENT}", app_token)
    connections = []
    for path in environment_paths(http, tokens, root, admin):
        base_url = f"{root}/{path}"
        if settings.flaw("shared_admin_token"):
            # the flaw: the Admin Center token is stored as if it worked in every environment
            connection = Connection(base_url=base_url, kind="apptoken",
                                    access_token=admin.access_token,
                                    expires_at=admin.expires_at, app_token=app_token)
        else:
            # the same app token, exchanged in this environment, works there only
            connection = tokens.exchange_app_token(base_url, app_token)
        store.save_connection(connection)
        connections.append(connection)
    return connections
