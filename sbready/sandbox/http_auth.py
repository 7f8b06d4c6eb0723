"""SB's authentication endpoints as HTTP routes: authorize + consent, token, app tokens, scopes.

Our reading of AFAS's authorize errors (documented assumption): an unknown client_id or a
redirect_uri that is not registered EXACTLY gets an HTML error page and never a redirect
(RFC 6749 4.1.2.1). When a required parameter (response_type, code_challenge,
code_challenge_method, state) is missing, SB answers 400 JSON "missing required request
parameters"; a parameter present with an unsupported value (response_type other than "code",
code_challenge_method other than "S256", a code_challenge that is not 43 base64url
characters) is redirected back with error=invalid_request, the description, and the state.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from sbready.sandbox.afas_errors import oauth_error, status_body
from sbready.sandbox.auth import ADMIN, PendingAuthorization, RegisteredClient, TokenError
from sbready.sandbox.http_capture import ExchangeDraft, draft_of

if TYPE_CHECKING:
    from sbready.sandbox.app import Sandbox

MISSING_PARAMETERS = "missing required request parameters"
_CHALLENGE = re.compile(r"[A-Za-z0-9_-]{43}")
_AUTHORIZE_FIELDS = ("response_type", "code_challenge", "code_challenge_method", "state")
_CODE_FIELDS = ("client_id", "client_secret", "redirect_uri", "code", "code_verifier")
_REFRESH_FIELDS = ("client_id", "client_secret", "refresh_token")
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class AuthRoutes:
    """The handlers behind /{env}/app/auth, /app/token, getaccesstoken and getscopes."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.auth = sandbox.auth

    # --- authorize (GET) and consent (POST) ----------------------------------------------

    async def authorize(self, request: Request) -> Response:
        """GET shows the consent page for a valid request; POST carries the user's decision."""
        environment = request.path_params["env"]
        draft = draft_of(request)
        draft.environment = environment
        if request.method == "POST":
            return await self._consent(request, environment, draft)
        draft.kind = "authorize"
        if not self._known_environment(environment):
            draft.facts["error"] = "unknown environment"
            return _page("Unknown environment", f"There is no environment {environment!r}.", 404)
        params = request.query_params
        client_id = params.get("client_id")
        client = self.auth.clients.get(client_id or "")
        redirect_uri = params.get("redirect_uri")
        state = params.get("state")
        draft.client_id = client_id
        draft.facts.update(
            client_known=client is not None,
            redirect_uri_registered=bool(client and redirect_uri in client.redirect_uris),
            state_present=bool(state),
            error=None,
            pending_request_id=None,
        )
        refusal = _refuse_client(client, client_id, redirect_uri, environment)
        if refusal:
            draft.facts["error"] = refusal
            return _page("This app cannot be authorized", refusal, 400)
        assert client is not None and redirect_uri is not None
        problem = _authorize_problem(params)
        if problem:
            draft.facts["error"] = problem
            if problem == MISSING_PARAMETERS:
                return JSONResponse(oauth_error("invalid_request", problem), 400)
            query = {"error": "invalid_request", "error_description": problem, "state": state}
            return RedirectResponse(_with_query(redirect_uri, query), 302)
        draft.facts["consent_withdrawn"] = self.auth.is_blocked(client.client_id, environment)
        pending = self.auth.begin(
            client.client_id,
            environment,
            redirect_uri,
            params["code_challenge"],
            state or "",
        )
        draft.facts["pending_request_id"] = pending.request_id
        return HTMLResponse(_consent_page(client, pending, request.url.path))

    async def _consent(self, request: Request, environment: str, draft: ExchangeDraft) -> Response:
        draft.kind = "consent"
        fields, encoding = await _form_fields(request)
        _journal_multipart(draft, fields, encoding)
        decision = fields.get("decision")
        request_id = fields.get("request", "")
        draft.facts.update(decision=decision, pending_request_id=request_id or None, code_fp=None)
        if decision not in ("allow", "deny"):
            return _page("No decision", "Choose Allow or Deny on the consent page.", 400)
        pending = self.auth.decide(request_id)
        if pending is None or pending.environment != environment:
            draft.facts["error"] = "unknown consent request"
            message = "This consent request is unknown or was already answered; start again."
            return _page("Unknown consent request", message, 400)
        draft.client_id = pending.client_id
        if decision == "deny":
            query = {"error": "access_denied", "state": pending.state}
            return RedirectResponse(_with_query(pending.redirect_uri, query), 302)
        code = self.auth.issue_code(pending)
        draft.facts["code_fp"] = self.auth.redactor.fingerprint(code)
        query = {"code": code, "state": pending.state}
        return RedirectResponse(_with_query(pending.redirect_uri, query), 302)

    # --- token endpoint ------------------------------------------------------------------

    async def token(self, request: Request) -> Response:
        """POST /{env}/app/token and /app/token: authorization_code and refresh_token grants."""
        environment = request.path_params.get("env")
        draft = draft_of(request)
        draft.kind = "token"
        draft.environment = environment
        target = environment or ADMIN
        if not self._known_environment(target):
            draft.facts["error"] = "unknown environment"
            return JSONResponse(status_body(404), 404)
        fields, encoding = await _form_fields(request)
        _journal_multipart(draft, fields, encoding)
        grant_type = fields.get("grant_type")
        draft.client_id = fields.get("client_id")
        draft.facts.update(
            grant_type=grant_type,
            body_encoding=encoding,
            fields_present=sorted(fields),
            client_secret_valid=None,
            verifier_length=None,
            verifier_matches_challenge=None,
            code_fp=self._fp(fields.get("code")),
            code_reused=None,
            refresh_fp=self._fp(fields.get("refresh_token")),
            issued_access_fp=None,
            issued_refresh_fp=None,
            error=None,
        )
        fault = await self.sandbox.apply_fault(request, draft, target, "/app/token", None, False)
        if fault is not None:
            return fault
        try:
            body = self._grant(fields, encoding, target, draft)
        except TokenError as error:
            draft.facts["error"] = error.error
            return JSONResponse(
                oauth_error(error.error, error.description), error.status, headers=_NO_STORE
            )
        draft.facts["issued_access_fp"] = self._fp(body.get("access_token"))
        draft.facts["issued_refresh_fp"] = self._fp(body.get("refresh_token"))
        return JSONResponse(body, headers=_NO_STORE)

    def _grant(
        self, fields: Mapping[str, str], encoding: str, environment: str, draft: ExchangeDraft
    ) -> dict[str, Any]:
        grant_type = fields.get("grant_type")
        required = {"authorization_code": _CODE_FIELDS, "refresh_token": _REFRESH_FIELDS}
        if encoding not in ("form", "multipart") or not grant_type:
            raise TokenError("invalid_request", MISSING_PARAMETERS)
        if grant_type not in required:
            message = f"grant_type {grant_type!r} is not supported"
            raise TokenError("unsupported_grant_type", message)
        if any(not fields.get(name) for name in required[grant_type]):
            raise TokenError("invalid_request", MISSING_PARAMETERS)
        try:
            client = self.auth.authenticate_client(fields["client_id"], fields["client_secret"])
        except TokenError:
            draft.facts["client_secret_valid"] = False
            raise
        draft.facts["client_secret_valid"] = True
        if grant_type == "authorization_code":
            issued = self.auth.redeem_code(
                client,
                environment,
                fields["code"],
                fields["redirect_uri"],
                fields["code_verifier"],
                draft.facts,
            )
        else:
            issued = self.auth.refresh(client, environment, fields["refresh_token"])
        body: dict[str, Any] = {
            "access_token": issued.access_token,
            "expires_in": self._lifetime(issued.expires_in),
            "token_type": "bearer",
        }
        if issued.refresh_token is not None:
            body["refresh_token"] = issued.refresh_token
        return body

    # --- app token exchange and Admin Center scopes --------------------------------------

    async def get_access_token(self, request: Request) -> Response:
        """POST /{env}/authentication/getaccesstoken {"apptoken": ..., "scope"?} -> a 600 s token.

        `env` is a customer environment or `admin` (an Admin Center activation, AFAS's
        authentication guide: "for both apps that live in a customer environment and apps
        that live in an Admin Center").
        """
        environment = request.path_params["env"]
        draft = draft_of(request)
        draft.kind = "getaccesstoken"
        draft.environment = environment
        draft.facts.update(apptoken_fp=None, issued_access_fp=None, issued_for=None, error=None)
        if not self._known_environment(environment):
            draft.facts["error"] = "unknown environment"
            return JSONResponse(status_body(404), 404)
        try:
            payload = json.loads(await request.body())
        except ValueError:
            payload = None
        app_token = payload.get("apptoken") if isinstance(payload, dict) else None
        if not isinstance(app_token, str) or not app_token:
            draft.facts["error"] = "invalid_request"
            message = 'The body must be JSON like {"apptoken": "..."}.'
            return JSONResponse(status_body(400, message), 400)
        scope = payload.get("scope") if isinstance(payload, dict) else None
        draft.facts["apptoken_fp"] = self._fp(app_token)
        draft.facts["scope"] = scope
        path = "/authentication/getaccesstoken"
        fault = await self.sandbox.apply_fault(request, draft, environment, path, None, False)
        if fault is not None:
            return fault
        try:
            token, app, target = self.auth.exchange_app_token(
                environment, app_token, scope if isinstance(scope, str) else None
            )
        except TokenError as error:
            draft.facts["error"] = error.error
            reason = error.description if error.status == 400 else None
            body = status_body(error.status, reason, observed=self._observed)
            return JSONResponse(body, error.status)
        draft.client_id = app.name
        draft.facts["issued_access_fp"] = self._fp(token)
        draft.facts["issued_for"] = target
        body = {
            "access_token": token,
            "expires_in": self._lifetime(self.auth.lifetimes.app_access),
            "token_type": "bearer",
        }
        return JSONResponse(body, headers=_NO_STORE)

    async def get_scopes(self, request: Request) -> Response:
        """GET or POST /authentication/getscopes with an Admin Center token (bearer, as the
        guide shows, or the spec's IdentityToken header) -> [{Name, Description, Path}]."""
        draft = draft_of(request)
        draft.kind = "getscopes"
        draft.environment = request.path_params.get("env")
        if draft.environment not in (None, ADMIN):
            return JSONResponse(status_body(404), 404)
        scheme, _, credential = request.headers.get("authorization", "").partition(" ")
        token = credential.strip() if scheme.lower() == "bearer" else ""
        via = "bearer" if token else None
        if not token:
            token = request.headers.get("identitytoken", "").strip()
            via = "IdentityToken" if token else None
        draft.facts.update(access_fp=self._fp(token), token_via=via)
        fault = await self.sandbox.apply_fault(
            request, draft, ADMIN, "/authentication/getscopes", None, False
        )
        if fault is not None:
            return fault
        check = self.auth.check_access(token or None, ADMIN)
        draft.client_id = check.grant.client_id if check.grant else None
        draft.facts["token_state"] = check.state
        if check.state != "valid":
            return JSONResponse(status_body(401, observed=self._observed), 401)
        return JSONResponse(self.sandbox.scopes())

    @property
    def _observed(self) -> bool:
        return self.sandbox.dialect == "observed"

    def _lifetime(self, seconds: int) -> int | str:
        """expires_in: a string as AFAS's guides show ("600"), an integer per the schema."""
        return str(seconds) if self._observed else seconds

    def _known_environment(self, environment: str) -> bool:
        return environment == ADMIN or environment in self.sandbox.environments

    def _fp(self, value: object) -> str | None:
        return self.auth.redactor.fingerprint(value) if isinstance(value, str) and value else None


def _refuse_client(
    client: RegisteredClient | None, client_id: str | None, redirect_uri: str | None, env: str
) -> str | None:
    """Why the request cannot even be redirected back, or None."""
    if client is None:
        return f"client_id {client_id!r} is not a registered app." if client_id else (
            "client_id is missing."
        )
    if not redirect_uri or redirect_uri not in client.redirect_uris:
        return "redirect_uri is not registered for this app; it must match one exactly."
    if (env == ADMIN) != (client.level == "admin"):
        where = "the Admin Center (/admin/app/auth)" if client.level == "admin" else (
            "customer environments (/<environment>/app/auth)"
        )
        return f"This app is registered for {where}."
    return None


def _authorize_problem(params: Mapping[str, str]) -> str | None:
    """What is wrong with a registered client's authorize parameters, or None."""
    if any(not params.get(name) for name in _AUTHORIZE_FIELDS):
        return MISSING_PARAMETERS
    if params["response_type"] != "code":
        return "response_type must be code"
    if params["code_challenge_method"] != "S256":
        return "code_challenge_method must be S256"
    if not _CHALLENGE.fullmatch(params["code_challenge"]):
        return "code_challenge must be 43 base64url characters (the SHA-256 of the verifier)"
    return None


async def _form_fields(request: Request) -> tuple[dict[str, str], str]:
    """The body's fields (last value wins) and its encoding: form, multipart, json or other."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media == "application/x-www-form-urlencoded":
        text = (await request.body()).decode("utf-8", "replace")
        return dict(parse_qsl(text, keep_blank_values=True)), "form"
    if media == "multipart/form-data":
        try:
            form = await request.form()
        except Exception:  # noqa: BLE001 - malformed multipart is the client's error
            return {}, "multipart"
        return {k: v if isinstance(v, str) else "<file>" for k, v in form.items()}, "multipart"
    return {}, "json" if media.endswith("json") else "other"


def _journal_multipart(draft: ExchangeDraft, fields: Mapping[str, str], encoding: str) -> None:
    """Journal multipart fields like form fields (name -> [values]); raw parts say little."""
    if encoding == "multipart":
        draft.set_request_body({name: [value] for name, value in fields.items()})


def _with_query(uri: str, params: Mapping[str, str | None]) -> str:
    """`uri` with `params` appended to its query (None values left out)."""
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return f"{uri}{'&' if '?' in uri else '?'}{query}"


def _page(title: str, message: str, status: int) -> HTMLResponse:
    body = (
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{html.escape(title)}</title></head><body><h1>{html.escape(title)}</h1><p>{html.escape(message)}</p>"
        "</body></html>"
    )
    return HTMLResponse(body, status)


def _consent_page(client: RegisteredClient, pending: PendingAuthorization, action: str) -> str:
    bundles = client.bundles if client.bundles is not None else ("every bundle",)
    items = "".join(f"<li>{html.escape(bundle)}</li>" for bundle in bundles)
    where = "the Admin Center" if pending.environment == ADMIN else (
        f"environment {pending.environment}"
    )
    return (
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>Give {html.escape(client.name)} access</title></head><body>"
        f"<h1>{html.escape(client.name)} asks for access</h1>"
        f"<p>{html.escape(client.name)} wants to use AFAS SB in "
        f"<strong class=\"environment\">{html.escape(where)}</strong> with these bundles:</p>"
        f"<ul class=\"bundles\">{items}</ul>"
        f"<form method=\"post\" action=\"{html.escape(action)}\">"
        f"<input type=\"hidden\" name=\"request\" value=\"{html.escape(pending.request_id)}\">"
        "<button type=\"submit\" name=\"decision\" value=\"allow\">Allow</button>"
        "<button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button>"
        "</form></body></html>"
    )
