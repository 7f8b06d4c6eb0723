"""The sandbox's authorization server state: clients, consent, codes, tokens, app tokens.

No HTTP here: the routes in http_auth.py turn requests into calls on `AuthServer` and its
answers into AFAS's responses. Codes and tokens are random opaque strings; the server keeps
only their SHA-256 digests, bound to client, environment and granted bundles.

App tokens (AFAS's authentication guide, "Authenticate with a static token"): an administrator
activates the app in a customer environment or in the Admin Center and gets a static token. A
customer activation is exchanged at `/<environment>/authentication/getaccesstoken`; an Admin
Center activation at `/admin/...` (a token for getscopes) and at `/<environment>/...` for every
customer environment the office manages (a token for that environment only). The spec's optional
`scope` body field names the environment: our reading is that at `/admin` it asks for that
environment's token, and elsewhere it must name the URL's environment (our assumption).

Consent model (our reading of the App Center): the consent page is shown on every authorize
request. Withdrawing consent (blocking the app) revokes every token and code of that client
in that environment and refuses new tokens there until consent is given again, either by
`restore` (unblocking) or by the user allowing a new consent request.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from sbready.sandbox.redact import SandboxRedactor

ADMIN = "admin"
Level = Literal["customer", "admin"]
TokenState = Literal["valid", "missing", "unknown", "expired", "revoked", "other_environment"]


@dataclass(frozen=True)
class Lifetimes:
    """Seconds each kind of credential lives."""

    access: int = 1800
    app_access: int = 600
    code: int = 60
    refresh: int = 30 * 24 * 3600


@dataclass
class RegisteredClient:
    """An OAuth client (a partner app) as the App Center knows it."""

    client_id: str
    client_secret: str
    redirect_uris: tuple[str, ...]
    bundles: tuple[str, ...] | None = None  # None: every bundle
    level: Level = "customer"
    name: str = "Partner app"


@dataclass
class PendingAuthorization:
    """A valid authorize request waiting for the user's decision on the consent page."""

    request_id: str
    client_id: str
    environment: str
    redirect_uri: str
    code_challenge: str
    state: str


@dataclass
class AuthorizationCode:
    """What a code stands for; `tokens` are the digests issued from it (revoked on reuse)."""

    client_id: str
    environment: str
    redirect_uri: str
    code_challenge: str
    bundles: tuple[str, ...] | None
    expires_at: float
    used: bool = False
    tokens: list[str] = field(default_factory=list)


@dataclass
class Grant:
    """An access or refresh token: who holds it, where it works, until when."""

    kind: Literal["access", "refresh"]
    client_id: str
    environment: str
    bundles: tuple[str, ...] | None
    expires_at: float
    level: Level = "customer"
    revoked: bool = False
    activation: str | None = None  # digest of the app token it was exchanged from, if any


@dataclass
class AppActivation:
    """An app token an administrator activated in one environment or in the Admin Center."""

    environment: str  # a customer environment, or ADMIN for an Admin Center activation
    bundles: tuple[str, ...] | None
    name: str
    revoked: bool = False

    @property
    def level(self) -> Level:
        """Admin Center activations serve every managed customer environment."""
        return "admin" if self.environment == ADMIN else "customer"


@dataclass(frozen=True)
class TokenCheck:
    """The verdict on a presented access token."""

    state: TokenState
    grant: Grant | None = None


class TokenError(Exception):
    """An OAuth error answer: `error` code, description and HTTP status."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


@dataclass
class IssuedTokens:
    """The raw tokens of a successful token request (they go to the app, never the journal)."""

    access_token: str
    expires_in: int
    refresh_token: str | None = None


def s256(verifier: str) -> str:
    """The PKCE S256 challenge of `verifier` (RFC 7636)."""
    digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


class AuthServer:
    """Clients, consent, codes and tokens of one sandbox; every method is thread-safe."""

    def __init__(
        self,
        environments: Sequence[str],
        lifetimes: Lifetimes,
        redactor: SandboxRedactor,
        clock: Callable[[], float],
    ) -> None:
        self.environments = tuple(environments)
        self.lifetimes = lifetimes
        self.redactor = redactor
        self.clock = clock
        self._lock = threading.RLock()
        self.clients: dict[str, RegisteredClient] = {}
        self._pending: dict[str, PendingAuthorization] = {}
        self._codes: dict[str, AuthorizationCode] = {}
        self._grants: dict[str, Grant] = {}
        self._apps: dict[str, AppActivation] = {}
        self._blocked: set[tuple[str, str]] = set()

    # --- registration and administration -------------------------------------------------

    def register(self, client: RegisteredClient) -> None:
        """Add or replace a client; its secret is never journaled."""
        with self._lock:
            self.clients[client.client_id] = client
        self.redactor.remember(client.client_secret, follow=False)

    def activate(
        self, environment: str, bundles: Sequence[str] | None, token: str | None, name: str
    ) -> str:
        """Activate an app token in `environment` (or ADMIN, the Admin Center); returns it."""
        if environment != ADMIN and environment not in self.environments:
            raise ValueError(
                f"unknown environment {environment!r}; use one of "
                f"{', '.join(self.environments)} or {ADMIN} (the Admin Center)"
            )
        app_token = token or secrets.token_urlsafe(48)
        with self._lock:
            self._apps[_digest(app_token)] = AppActivation(
                environment, tuple(bundles) if bundles is not None else None, name
            )
        self.redactor.remember(app_token, follow=True)
        return app_token

    def expire_tokens(self, environment: str | None, client_id: str | None) -> int:
        """Make matching live access tokens expired now; returns how many."""
        now = self.clock()
        count = 0
        with self._lock:
            for grant in self._grants.values():
                if (
                    grant.kind == "access"
                    and not grant.revoked
                    and grant.expires_at > now
                    and (environment is None or grant.environment == environment)
                    and (client_id is None or grant.client_id == client_id)
                ):
                    grant.expires_at = now - 1
                    count += 1
        return count

    def expire_token(self, token: str) -> bool:
        """Make this one access token expired now (a 401 fault: SB rejects it from then on)."""
        with self._lock:
            grant = self._grants.get(_digest(token))
            if grant is None or grant.kind != "access" or grant.revoked:
                return False
            grant.expires_at = min(grant.expires_at, self.clock() - 1)
            return True

    def withdraw(self, client_id: str, environment: str) -> None:
        """Block the app in `environment`: revoke its tokens and codes there.

        Deactivating an app token also kills every access token exchanged from it, in
        every environment (an Admin Center activation serves them all).
        """
        with self._lock:
            self._blocked.add((client_id, environment))
            deactivated = set()
            for digest, app in self._apps.items():
                if app.name == client_id and app.environment == environment:
                    app.revoked = True
                    deactivated.add(digest)
            for grant in self._grants.values():
                if grant.client_id == client_id and grant.environment == environment:
                    grant.revoked = True
                if grant.activation in deactivated:
                    grant.revoked = True
            for code in self._codes.values():
                if code.client_id == client_id and code.environment == environment:
                    code.used = True

    def restore(self, client_id: str, environment: str) -> None:
        """Unblock the app; earlier tokens stay revoked, a new consent flow works."""
        with self._lock:
            self._blocked.discard((client_id, environment))

    def is_blocked(self, client_id: str, environment: str) -> bool:
        """True while consent is withdrawn."""
        with self._lock:
            return (client_id, environment) in self._blocked

    def reset(self) -> None:
        """Forget codes, tokens, app tokens and consent; keep the registered clients."""
        with self._lock:
            self._pending.clear()
            self._codes.clear()
            self._grants.clear()
            self._apps.clear()
            self._blocked.clear()
        # The redactor keeps every value it learnt: an app may still send a pre-reset token.

    # --- authorize and consent -----------------------------------------------------------

    def begin(
        self, client_id: str, environment: str, redirect_uri: str, code_challenge: str, state: str
    ) -> PendingAuthorization:
        """Remember a valid authorize request until the user decides."""
        pending = PendingAuthorization(
            secrets.token_urlsafe(16), client_id, environment, redirect_uri, code_challenge, state
        )
        with self._lock:
            self._pending[pending.request_id] = pending
        return pending

    def decide(self, request_id: str) -> PendingAuthorization | None:
        """Take the pending request (single use); None when unknown."""
        with self._lock:
            return self._pending.pop(request_id, None)

    def issue_code(self, pending: PendingAuthorization) -> str:
        """The user allowed: consent is (re)given and a short-lived, single-use code issued."""
        client = self.clients[pending.client_id]
        code = secrets.token_urlsafe(32)
        with self._lock:
            self._blocked.discard((pending.client_id, pending.environment))
            self._codes[_digest(code)] = AuthorizationCode(
                client_id=pending.client_id,
                environment=pending.environment,
                redirect_uri=pending.redirect_uri,
                code_challenge=pending.code_challenge,
                bundles=client.bundles,
                expires_at=self.clock() + self.lifetimes.code,
            )
        self.redactor.remember(code, follow=True)
        return code

    # --- token endpoint ------------------------------------------------------------------

    def authenticate_client(self, client_id: str, client_secret: str) -> RegisteredClient:
        """The client, or TokenError invalid_client (401)."""
        with self._lock:
            client = self.clients.get(client_id)
        if client is None or not secrets.compare_digest(
            client.client_secret.encode(), client_secret.encode("utf-8", "surrogatepass")
        ):
            raise TokenError("invalid_client", "client authentication failed", 401)
        return client

    def redeem_code(
        self,
        client: RegisteredClient,
        environment: str,
        code: str,
        redirect_uri: str,
        code_verifier: str,
        facts: dict[str, object],
    ) -> IssuedTokens:
        """Exchange a code for tokens, or raise TokenError; writes facts as it judges."""
        facts["verifier_length"] = len(code_verifier)
        with self._lock:
            record = self._codes.get(_digest(code))
            facts["code_reused"] = bool(record and record.used)
            matches = record is not None and s256(code_verifier) == record.code_challenge
            facts["verifier_matches_challenge"] = matches if record is not None else None
            # SB rejects a malformed verifier before it looks at the code.
            if not 43 <= len(code_verifier) <= 128:
                raise TokenError("invalid_grant", "invalid code_verifier length")
            if record is None:
                raise TokenError("invalid_grant", "invalid authorization code")
            if record.used:
                # A replayed code means it leaked: revoke what it produced (RFC 6749 4.1.2).
                for token in record.tokens:
                    self._grants[token].revoked = True
                raise TokenError("invalid_grant", "authorization code already used")
            record.used = True
            if record.client_id != client.client_id or record.environment != environment:
                raise TokenError("invalid_grant", "authorization code was not issued here")
            if record.expires_at <= self.clock():
                raise TokenError("invalid_grant", "authorization code expired")
            if record.redirect_uri != redirect_uri:
                raise TokenError("invalid_grant", "redirect_uri does not match")
            if not matches:
                raise TokenError("invalid_grant", "code_verifier does not match code_challenge")
            access = self._issue("access", client, environment, record.bundles)
            refresh = self._issue("refresh", client, environment, record.bundles)
            record.tokens.extend([_digest(access), _digest(refresh)])
        return IssuedTokens(access, self.lifetimes.access, refresh)

    def refresh(
        self, client: RegisteredClient, environment: str, refresh_token: str
    ) -> IssuedTokens:
        """A new access token for `environment` from a refresh token (no new refresh token).

        An Admin Center refresh token (environment "admin") yields a token for any customer
        environment; a customer refresh token only for its own environment.
        """
        with self._lock:
            grant = self._grants.get(_digest(refresh_token))
            if grant is None or grant.kind != "refresh":
                raise TokenError("invalid_grant", "unknown refresh token")
            if grant.revoked:
                raise TokenError("invalid_grant", "refresh token revoked")
            if grant.expires_at <= self.clock():
                raise TokenError("invalid_grant", "refresh token expired")
            if grant.client_id != client.client_id:
                raise TokenError("invalid_grant", "refresh token belongs to another client")
            admin_to_customer = grant.environment == ADMIN and environment in self.environments
            if grant.environment != environment and not admin_to_customer:
                raise TokenError("invalid_grant", "refresh token is not valid for this environment")
            if (client.client_id, environment) in self._blocked:
                raise TokenError("invalid_grant", "consent was withdrawn")
            access = self._issue("access", client, environment, grant.bundles)
        return IssuedTokens(access, self.lifetimes.access)

    def exchange_app_token(
        self, environment: str, app_token: str, scope: str | None = None
    ) -> tuple[str, AppActivation, str]:
        """An access token (600 s) for an activated app token: (token, activation, the
        environment it works in), or TokenError (401 unknown/revoked, 400 bad scope)."""
        with self._lock:
            digest = _digest(app_token)
            app = self._apps.get(digest)
            if app is None or app.revoked:
                raise TokenError("invalid_grant", "unknown app token", 401)
            target = self._app_token_target(app, environment, scope)
            token = secrets.token_urlsafe(32)
            self._grants[_digest(token)] = Grant(
                "access",
                app.name,
                target,
                app.bundles,
                self.clock() + self.lifetimes.app_access,
                level=app.level if target == ADMIN else "customer",
                activation=digest,
            )
        self.redactor.remember(token, follow=True)
        return token, app, target

    def _app_token_target(self, app: AppActivation, environment: str, scope: str | None) -> str:
        """Where the exchanged token works; an Admin Center token may ask for a scope."""
        if app.environment != ADMIN and environment != app.environment:
            raise TokenError("invalid_grant", "unknown app token", 401)
        if environment == ADMIN and scope:
            if scope not in self.environments and scope != ADMIN:
                raise TokenError("invalid_request", f"unknown scope {scope!r}", 400)
            return scope
        if scope and scope != environment:
            raise TokenError(
                "invalid_request", f"scope {scope!r} is not this environment ({environment})", 400
            )
        return environment

    def _issue(
        self,
        kind: Literal["access", "refresh"],
        client: RegisteredClient,
        environment: str,
        bundles: tuple[str, ...] | None,
    ) -> str:
        lifetime = self.lifetimes.access if kind == "access" else self.lifetimes.refresh
        token = secrets.token_urlsafe(32)
        self._grants[_digest(token)] = Grant(
            kind, client.client_id, environment, bundles, self.clock() + lifetime, client.level
        )
        self.redactor.remember(token, follow=True)
        return token

    # --- resource side -------------------------------------------------------------------

    def check_access(self, token: str | None, environment: str) -> TokenCheck:
        """Is `token` a live access token for `environment`?"""
        if not token:
            return TokenCheck("missing")
        with self._lock:
            grant = self._grants.get(_digest(token))
        if grant is None or grant.kind != "access":
            return TokenCheck("unknown")
        if grant.revoked:
            return TokenCheck("revoked", grant)
        if grant.expires_at <= self.clock():
            return TokenCheck("expired", grant)
        if grant.environment != environment:
            return TokenCheck("other_environment", grant)
        return TokenCheck("valid", grant)
