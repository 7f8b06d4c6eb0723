"""What an exchange with a real SB is, read from its traffic alone (no SB state is known).

The sandbox derives its facts from its own state; the proxy can only read requests and
answers. These are the facts that traffic shows: the kind of endpoint and its environment,
token fingerprints issued and presented, whether a PKCE verifier matches a challenge the
same client sent, Tracking-Identifier, the spec operation, and how many records a list
answer carried. Facts that need SB's state (the total of a list, what SB holds) are absent.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from sbready.sandbox.http_capture import ExchangeDraft
from sbready.sandbox.redact import SandboxRedactor
from sbready.spec.index import OperationIndex

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_REMEMBERED_CHALLENGES = 256  # per proxy; enough for every consent of one run


@dataclass(frozen=True)
class Route:
    """Where a request goes in SB's URL scheme: its kind, environment and inner path."""

    kind: str  # "authorize", "consent", "token", "getaccesstoken", "getscopes", "api", "unknown"
    environment: str | None
    inner_path: str  # the path inside the environment, e.g. "/api/ledgeraccounts"


def route_of(method: str, path: str) -> Route:
    """The kind and environment of a request path, as SB shapes its URLs."""
    if path.rstrip("/") == "/app/token":
        return Route("token", None, "/app/token")
    if path.rstrip("/").lower() == "/authentication/getscopes":
        return Route("getscopes", None, "/authentication/getscopes")
    environment, _, rest = path.lstrip("/").partition("/")
    inner = "/" + rest
    lowered = inner.rstrip("/").lower()
    if not environment:
        return Route("unknown", None, path)
    if lowered == "/app/auth":
        return Route("consent" if method.upper() == "POST" else "authorize", environment, inner)
    if lowered == "/app/token":
        return Route("token", environment, inner)
    if lowered == "/authentication/getaccesstoken":
        return Route("getaccesstoken", environment, inner)
    if lowered == "/authentication/getscopes":
        return Route("getscopes", environment, inner)
    if lowered.startswith("/api/") or lowered == "/api":
        return Route("api", environment, inner)
    return Route("unknown", None, path)


def s256(verifier: str) -> str:
    """The PKCE S256 challenge of a verifier (RFC 7636 4.2)."""
    digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def form_fields(body: bytes, content_type: str | None) -> tuple[dict[str, str], str]:
    """A request body's fields (last value wins) and its encoding: form, json or other."""
    media = (content_type or "").split(";")[0].strip().lower()
    if media == "application/x-www-form-urlencoded":
        return dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)), "form"
    if media == "multipart/form-data":
        return {}, "multipart"
    return {}, "json" if media.endswith("json") else "other"


def json_body(body: bytes) -> Any:
    """The JSON a body holds, or None."""
    try:
        return json.loads(body) if body.strip() else None
    except ValueError:
        return None


class TrafficFacts:
    """Derives the journal's facts from requests and answers; remembers what links them."""

    def __init__(self, redactor: SandboxRedactor, index: OperationIndex | None) -> None:
        self.redactor = redactor
        self.index = index
        self._lock = threading.Lock()
        # challenges sent per client (newest last): a verifier matches one of them
        self._challenges: OrderedDict[str, str] = OrderedDict()
        self._codes_redeemed: set[str] = set()
        self.last_access_token: str | None = None  # in memory only, for INT-09's contract run

    def fp(self, value: object) -> str | None:
        """The journal's fingerprint of a secret value (None for no value)."""
        return self.redactor.fingerprint(value) if isinstance(value, str) and value else None

    # ---- before forwarding ------------------------------------------------------------------
    def request(self, draft: ExchangeDraft, route: Route, method: str, query: str,
                headers: dict[str, str], body: bytes) -> None:
        """Facts the request alone shows; secrets it carries are remembered for redaction."""
        draft.kind, draft.environment = route.kind, route.environment
        if route.kind == "authorize":
            self._authorize(draft, dict(parse_qsl(query, keep_blank_values=True)))
        elif route.kind == "consent":
            fields, _ = form_fields(body, headers.get("content-type"))
            draft.facts.update(decision=fields.get("decision"), code_fp=None)
        elif route.kind == "token":
            self._token_request(draft, *form_fields(body, headers.get("content-type")))
        elif route.kind == "getaccesstoken":
            payload = json_body(body)
            app_token = payload.get("apptoken") if isinstance(payload, dict) else None
            self.redactor.remember(app_token if isinstance(app_token, str) else None, follow=True)
            draft.facts.update(apptoken_fp=self.fp(app_token), issued_access_fp=None,
                               issued_for=None, error=None,
                               scope=payload.get("scope") if isinstance(payload, dict) else None)
        elif route.kind == "getscopes":
            token, via = _presented(headers)
            draft.facts.update(access_fp=self.fp(token), token_via=via)
        elif route.kind == "api":
            self._api_request(draft, route, method, headers)

    def _authorize(self, draft: ExchangeDraft, params: dict[str, str]) -> None:
        client_id = params.get("client_id")
        draft.client_id = client_id
        challenge = params.get("code_challenge")
        draft.facts.update(state_present=bool(params.get("state")), error=None)
        if client_id and challenge:
            with self._lock:
                self._challenges[challenge] = client_id
                while len(self._challenges) > _REMEMBERED_CHALLENGES:
                    self._challenges.popitem(last=False)

    def _token_request(self, draft: ExchangeDraft, fields: dict[str, str], encoding: str) -> None:
        for name, follow in (("client_secret", False), ("code_verifier", False), ("code", True),
                             ("refresh_token", True)):
            self.redactor.remember(fields.get(name), follow=follow)
        draft.client_id = fields.get("client_id")
        verifier = fields.get("code_verifier")
        code = fields.get("code")
        matches = None
        if verifier:
            with self._lock:
                matches = self._challenges.get(s256(verifier)) == draft.client_id
        reused = None
        if code:
            with self._lock:
                reused = code in self._codes_redeemed
                self._codes_redeemed.add(code)
        draft.facts.update(
            grant_type=fields.get("grant_type"), body_encoding=encoding,
            fields_present=sorted(fields), client_secret_valid=None,
            verifier_length=len(verifier) if verifier else None,
            verifier_matches_challenge=matches, code_fp=self.fp(code), code_reused=reused,
            refresh_fp=self.fp(fields.get("refresh_token")), issued_access_fp=None,
            issued_refresh_fp=None, error=None,
        )

    def _api_request(self, draft: ExchangeDraft, route: Route, method: str,
                     headers: dict[str, str]) -> None:
        draft.api_path = route.inner_path
        operation = self.index.match(method, route.inner_path) if self.index else None
        draft.operation_id = operation.operation_id if operation else None
        token, via = _presented(headers)
        bearer = via == "bearer"
        version = headers.get("accept-version")
        draft.facts.update(
            bearer=bearer, access_fp=self.fp(token) if bearer else None,
            accept_version=version,
            version_ok=operation.accepts_version(version) if operation else None,
            in_grant=None, tracking_identifier=headers.get("tracking-identifier"),
            replayed=None,  # SB's cache is not visible from outside
        )
        if bearer and token:
            self.redactor.remember(token, follow=True)

    # ---- after the answer ---------------------------------------------------------------------
    def answer(self, draft: ExchangeDraft, status: int, headers: dict[str, str],
               body: bytes, request_headers: dict[str, str]) -> None:
        """Facts the answer shows; tokens it issues are remembered for redaction first."""
        payload = json_body(body) if "json" in headers.get("content-type", "") else None
        if draft.kind in ("token", "getaccesstoken"):
            self._issued(draft, status, payload)
        elif draft.kind == "consent":
            location = headers.get("location", "")
            code = dict(parse_qsl(urlsplit(location).query)).get("code")
            self.redactor.remember(code, follow=True)
            draft.facts["code_fp"] = self.fp(code)
        elif draft.kind == "getscopes":
            draft.facts["token_state"] = "valid" if 200 <= status < 300 else (
                "rejected" if status == 401 else None)
        elif draft.kind == "api":
            self._api_answer(draft, status, payload, request_headers)

    def _issued(self, draft: ExchangeDraft, status: int, payload: Any) -> None:
        body = payload if isinstance(payload, dict) else {}
        access, refresh = body.get("access_token"), body.get("refresh_token")
        self.redactor.remember(access if isinstance(access, str) else None, follow=True)
        self.redactor.remember(refresh if isinstance(refresh, str) else None, follow=True)
        if 200 <= status < 300:
            draft.facts["issued_access_fp"] = self.fp(access)
            if draft.kind == "token":
                draft.facts["issued_refresh_fp"] = self.fp(refresh)
                draft.facts["client_secret_valid"] = True
            else:
                scope = draft.facts.get("scope")
                draft.facts["issued_for"] = scope if isinstance(scope, str) and scope else (
                    draft.environment)
            return
        error = body.get("error") if isinstance(body.get("error"), str) else None
        draft.facts["error"] = error or f"status {status}"
        if error == "invalid_client":
            draft.facts["client_secret_valid"] = False

    def _api_answer(self, draft: ExchangeDraft, status: int, payload: Any,
                    request_headers: dict[str, str]) -> None:
        draft.facts["token_state"] = "valid" if status not in (401,) else "rejected"
        if status == 403:
            draft.facts["in_grant"] = False
        token, via = _presented(request_headers)
        if via == "bearer" and token and 200 <= status < 300:
            self.last_access_token = token  # never journaled: only a fingerprint is
        if isinstance(payload, list):
            draft.facts["returned"] = len(payload)
        elif isinstance(payload, dict):
            listed = payload.get("Result")
            if isinstance(listed, list):
                draft.facts["returned"] = len(listed)
            result = payload.get("result")
            if isinstance(result, str):
                draft.facts["result"] = result
                errors = payload.get("errors")
                draft.facts["errors"] = errors if isinstance(errors, list) else []


def _presented(headers: dict[str, str]) -> tuple[str | None, str | None]:
    """The token a request presents and how: ("bearer" or "IdentityToken")."""
    scheme, _, credential = headers.get("authorization", "").strip().partition(" ")
    if scheme.lower() == "bearer" and credential.strip():
        return credential.strip(), "bearer"
    identity = headers.get("identitytoken", "").strip()
    return (identity, "IdentityToken") if identity else (None, None)
