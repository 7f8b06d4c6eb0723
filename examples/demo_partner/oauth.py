"""AFAS SB authorization: OAuth 2.0 code flow with PKCE (S256), refresh, app-token exchange."""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx

from examples.demo_partner.errors import DemoPartnerError, ReauthorizationNeeded
from examples.demo_partner.retry import (
    DEFAULT_POLICY,
    RetryBehaviour,
    RetryPolicy,
    send_with_retries,
)
from examples.demo_partner.settings import Settings
from examples.demo_partner.store import Connection

HARDCODED_BASE_URL = "https://app-center-demo.afasfocus.nl/demo"  # only the hardcoded_host flaw
CONSTANT_STATE = "demo-partner-state"  # only the constant_state flaw


def new_verifier() -> str:
    """A PKCE code_verifier: 64 URL-safe characters (RFC 7636 allows 43 to 128)."""
    return secrets.token_urlsafe(48)


def s256_challenge(verifier: str) -> str:
    """The S256 code_challenge of a verifier: base64url(SHA-256), no padding (43 chars)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class AuthorizationRequest:
    """A started authorization: where to send the browser and what to keep server-side."""

    url: str
    base_url: str
    state: str | None
    verifier: str
    redirect_uri: str


def start_authorization(
    base_url: str, redirect_uri: str, settings: Settings
) -> AuthorizationRequest:
    """Build the authorize URL with a fresh state (>= 128 bits) and PKCE verifier."""
    if settings.flaw("hardcoded_host"):
        base_url = HARDCODED_BASE_URL
    if settings.flaw("wrong_redirect_uri"):
        redirect_uri = redirect_uri.rstrip("/") + "/extra"
    verifier = new_verifier()
    state: str | None = secrets.token_urlsafe(32)
    if settings.flaw("constant_state"):
        state = CONSTANT_STATE
    if settings.flaw("no_state"):
        state = None
    query: dict[str, str] = {
        "client_id": settings.client_id,
        "redirect_uri": redirect_uri,
        "response_type": "code",
    }
    if settings.flaw("plain_pkce"):
        query.update(code_challenge=verifier, code_challenge_method="plain")
    else:
        query.update(code_challenge=s256_challenge(verifier), code_challenge_method="S256")
    if state is not None:
        query["state"] = state
    return AuthorizationRequest(
        url=f"{base_url}/app/auth?{urlencode(query)}",
        base_url=base_url,
        state=state,
        verifier=verifier,
        redirect_uri=redirect_uri,
    )


class TokenClient:
    """Talks to SB's token endpoints for one app (client id and secret from Settings)."""

    def __init__(
        self,
        http: httpx.Client,
        settings: Settings,
        *,
        policy: RetryPolicy = DEFAULT_POLICY,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.http = http
        self.settings = settings
        self.policy = policy
        self.sleep = sleep
        self.behaviour = RetryBehaviour(
            no_backoff=settings.flaw("no_backoff"),
            ignore_retry_after=settings.flaw("ignore_retry_after"),
        )

    def _post_token(self, base_url: str, fields: dict[str, str], what: str) -> dict[str, Any]:
        url = f"{base_url}/app/token"
        params: dict[str, str] = {}
        if self.settings.flaw("secret_in_url"):
            params["client_secret"] = fields["client_secret"]

        def build(_attempt: int) -> httpx.Request:
            if self.settings.flaw("json_token_request"):
                return self.http.build_request("POST", url, params=params, json=fields)
            return self.http.build_request("POST", url, params=params, data=fields)

        response = send_with_retries(
            self.http, build, what=what, policy=self.policy, behaviour=self.behaviour,
            sleep=self.sleep,
        )
        return _token_answer(response, what)

    def exchange_code(
        self, base_url: str, *, code: str, verifier: str, redirect_uri: str
    ) -> Connection:
        """Trade an authorization code for tokens (form-encoded, all six fields)."""
        fields = {
            "grant_type": "authorization_code",
            "client_id": self.settings.client_id,
            "client_secret": self.settings.client_secret,
            "redirect_uri": redirect_uri,
            "code": code,
            "code_verifier": verifier,
        }
        if self.settings.flaw("verifier_mismatch"):
            fields["code_verifier"] = new_verifier()
        if self.settings.flaw("no_verifier"):
            del fields["code_verifier"]
        answer = self._post_token(base_url, fields, "the token request")
        return Connection(
            base_url=base_url,
            kind="oauth",
            access_token=_required(answer, "access_token"),
            refresh_token=_required(answer, "refresh_token"),
            expires_at=_expires_at(answer, default=1800),
        )

    def refresh(self, connection: Connection) -> Connection:
        """A new access token from the refresh token (SB keeps the refresh token)."""
        if not connection.refresh_token:
            raise ReauthorizationNeeded(
                f"re-authorization needed for {connection.base_url}: no refresh token stored; "
                "connect the environment again from the AFAS App Center."
            )
        fields = {
            "grant_type": "refresh_token",
            "client_id": self.settings.client_id,
            "client_secret": self.settings.client_secret,
            "refresh_token": connection.refresh_token,
        }
        answer = self._post_token(connection.base_url, fields, "the token refresh")
        return Connection(
            base_url=connection.base_url,
            kind="oauth",
            access_token=_required(answer, "access_token"),
            refresh_token=answer.get("refresh_token") or connection.refresh_token,
            expires_at=_expires_at(answer, default=1800),
        )

    def exchange_app_token(self, base_url: str, app_token: str) -> Connection:
        """An access token for an activated app token (getaccesstoken, JSON body)."""
        url = f"{base_url}/authentication/getaccesstoken"

        def build(_attempt: int) -> httpx.Request:
            if self.settings.flaw("apptoken_form_body"):
                return self.http.build_request("POST", url, data={"apptoken": app_token})
            return self.http.build_request("POST", url, json={"apptoken": app_token})

        response = send_with_retries(
            self.http, build, what="the app-token exchange", policy=self.policy,
            behaviour=self.behaviour, sleep=self.sleep,
        )
        if response.status_code in (400, 401, 403):
            raise ReauthorizationNeeded(
                f"re-authorization needed for {base_url}: SB refused the app token "
                f"(HTTP {response.status_code}); activate the app again in the AFAS App Center "
                "and hand over the new token."
            )
        answer = _token_answer(response, "the app-token exchange")
        return Connection(
            base_url=base_url,
            kind="apptoken",
            access_token=_required(answer, "access_token"),
            expires_at=_expires_at(answer, default=600),
            app_token=app_token,
        )


def _token_answer(response: httpx.Response, what: str) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code == 200 and isinstance(body, dict):
        return body
    error = body.get("error") if isinstance(body, dict) else None
    description = body.get("error_description") if isinstance(body, dict) else None
    if error == "invalid_grant":
        raise ReauthorizationNeeded(
            f"re-authorization needed: SB refused {what} (invalid_grant: {description}); "
            "connect the environment again from the AFAS App Center."
        )
    if error == "invalid_client" or response.status_code == 401:
        raise DemoPartnerError(
            f"SB refused {what} (HTTP {response.status_code}, {error or 'no error code'}); "
            "check DEMO_PARTNER_CLIENT_ID and DEMO_PARTNER_CLIENT_SECRET."
        )
    raise DemoPartnerError(
        f"SB refused {what}: HTTP {response.status_code} {error or ''} {description or ''}".strip()
    )


def _required(answer: dict[str, Any], name: str) -> str:
    value = answer.get(name)
    if not isinstance(value, str) or not value:
        raise DemoPartnerError(f"SB's token answer has no {name}; cannot continue.")
    return value


def _expires_at(answer: dict[str, Any], *, default: int) -> float:
    # AFAS's docs show expires_in as a string, the schema as an integer: accept both
    try:
        lifetime = float(answer.get("expires_in", default))
    except (TypeError, ValueError):
        lifetime = float(default)
    return time.time() + lifetime
