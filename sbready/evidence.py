"""The evidence the checks judge, typed: exchanges and their facts per kind, walks, listing
facts, sync outcomes and contract cases, importable from one place.

The journal keeps each exchange's facts as a plain dict (the JSON the report and the proxy
attach keeps its shape); this module says which keys each exchange kind may carry and reads
them as a frozen dataclass, so a misspelt field is a type error (mypy) rather than a silent
None. Writers are held to the same list: `unknown_facts` names every key a kind does not
declare, and the journal refuses (strict) or logs once (production) such a key.

A field the writer did not set reads as its default (None), exactly as `facts.get(name)` did.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, TypeVar

from sbready.contract_run import ContractCase
from sbready.driver.onboarding import Hop, WalkResult
from sbready.driver.sync import SyncResult
from sbready.listing import LogoFacts, UrlFacts
from sbready.sandbox.journal import Exchange

__all__ = [
    "ApiFacts", "AppTokenFacts", "AuthorizeFacts", "ConsentFacts", "ContractCase", "Exchange",
    "Facts", "Hop", "LogoFacts", "ScopesFacts", "SyncResult", "TokenFacts", "UrlFacts",
    "WalkResult", "api_facts", "app_token_facts", "authorize_facts", "consent_facts",
    "declared_fact", "facts_of", "has_fact", "scopes_facts", "token_facts", "unknown_facts",
]


@dataclass(frozen=True, kw_only=True)
class Facts:
    """Facts any exchange may carry: the capture layer's, a fault's, and the proxy's."""

    # capture layer (http_capture.py, app.py)
    secret_in_url: bool | None = None  # a secret the run knows appeared in the request URL
    client_port: int | None = None  # the peer's port: tells one connection from another
    sandbox_error: bool | None = None  # the sandbox itself failed on this request
    unsent_status: int | None = None  # the status it meant to send when the answer was dropped
    # faults (http_api.apply_fault, proxy faults), on any kind a fault may hit
    explanation: str | None = None  # said beside SB's body (an X- header), never in it
    token_invalidated: bool | None = None  # an injected 401 also killed the presented token
    result: str | None = None  # a write result ("Succeeded", "Failed", "PartiallySucceeded")
    errors: list[Any] | None = None  # the write result's errors
    # recording proxy (sbready/proxy/app.py)
    upstream: str | None = None  # the SB the proxy forwards to
    forwarded: bool | None = None
    sent_to_upstream: bool | None = None
    refused: str | None = None  # e.g. "read-only"
    upstream_error: str | None = None  # the exception type when SB could not be reached
    upstream_result: str | None = None  # SB's own result when a fault restated it


@dataclass(frozen=True, kw_only=True)
class AuthorizeFacts(Facts):
    """GET /{env}/app/auth: the authorize request that opens the consent page."""

    client_known: bool | None = None
    redirect_uri_registered: bool | None = None
    state_present: bool | None = None
    error: str | None = None  # why the sandbox refused the request
    pending_request_id: str | None = None
    consent_withdrawn: bool | None = None


@dataclass(frozen=True, kw_only=True)
class ConsentFacts(Facts):
    """POST /{env}/app/auth: the user's decision on the consent page."""

    decision: str | None = None  # "allow", "deny", or what was posted
    pending_request_id: str | None = None
    code_fp: str | None = None  # fingerprint of the code issued on allow
    error: str | None = None


@dataclass(frozen=True, kw_only=True)
class TokenFacts(Facts):
    """POST /{env}/app/token or /app/token: authorization_code and refresh_token grants."""

    grant_type: str | None = None
    body_encoding: str | None = None  # "form", "multipart", "json", ...
    fields_present: list[str] | None = None  # the body's field names, sorted
    client_secret_valid: bool | None = None
    verifier_length: int | None = None
    verifier_matches_challenge: bool | None = None
    code_fp: str | None = None
    code_reused: bool | None = None
    refresh_fp: str | None = None
    issued_access_fp: str | None = None
    issued_refresh_fp: str | None = None
    error: str | None = None  # the OAuth error answered, if any


@dataclass(frozen=True, kw_only=True)
class AppTokenFacts(Facts):
    """POST /{env}/authentication/getaccesstoken: an app token exchanged for an access token."""

    apptoken_fp: str | None = None
    scope: Any = None  # as posted: a string naming the target environment, or anything
    issued_access_fp: str | None = None
    issued_for: str | None = None  # the environment the token is for
    error: str | None = None


@dataclass(frozen=True, kw_only=True)
class ScopesFacts(Facts):
    """/authentication/getscopes with an Admin Center token."""

    access_fp: str | None = None
    token_via: str | None = None  # "bearer" or "IdentityToken"
    token_state: str | None = None  # "valid", "expired", "rejected", ...


@dataclass(frozen=True, kw_only=True)
class ApiFacts(Facts):
    """/{env}/api/...: the gates SB applies, then what the store answered."""

    bearer: bool | None = None
    access_fp: str | None = None
    token_state: str | None = None
    accept_version: str | None = None
    version_ok: bool | None = None
    in_grant: bool | None = None
    tracking_identifier: str | None = None
    replayed: bool | None = None  # answered from SB's tracking-identifier cache
    write_result_fault: dict[str, Any] | None = None  # planned fault; the route pops it
    # reads (store.py)
    sort_parameter: str | None = None
    order: str | None = None  # "shuffled" when the sandbox shuffled an unsorted page
    returned: int | None = None  # rows in this page
    matched: int | None = None  # rows the filter matched in all
    redelivered: int | None = None  # rows a tracking token delivered again
    query_error: str | None = None
    exception_code: str | None = None  # "DS3100" for what SB could not process
    detail: str | None = None  # the validation detail behind a DS3100
    property_name: str | None = None  # the property it names, "" for none
    error: str | None = None  # why the store answered 404 ("environment", "method", ...)
    # writes (writes.py)
    created_id: str | None = None
    half_made: bool | None = None  # made, yet answered Failed
    injected: str | None = None  # what a write_result fault did to the answer
    # blobs (store.py)
    blob: str | None = None
    blob_error: str | None = None
    length: int | None = None
    reserved: bool | None = None
    uploaded: int | None = None
    received: int | None = None
    complete: bool | None = None


KIND_FACTS: dict[str, type[Facts]] = {
    "authorize": AuthorizeFacts,
    "consent": ConsentFacts,
    "token": TokenFacts,
    "getaccesstoken": AppTokenFacts,
    "getscopes": ScopesFacts,
    "api": ApiFacts,
}

_F = TypeVar("_F", bound=Facts)
_NAMES: dict[type[Facts], frozenset[str]] = {}
_CACHE_KEY = "_typed_facts"  # per exchange: (class, facts dict identity, size) -> view


def _names(cls: type[Facts]) -> frozenset[str]:
    names = _NAMES.get(cls)
    if names is None:
        names = _NAMES[cls] = frozenset(f.name for f in fields(cls))
    return names


def _view(exchange: Exchange, cls: type[_F]) -> _F:
    raw = exchange.facts
    cache: dict[type[Facts], tuple[int, int, Facts]] = exchange.__dict__.setdefault(
        _CACHE_KEY, {})
    kept = cache.get(cls)
    if kept is not None and kept[0] == id(raw) and kept[1] == len(raw):
        return kept[2]  # type: ignore[return-value]
    names = _names(cls)
    view = cls(**{k: v for k, v in raw.items() if k in names})
    cache[cls] = (id(raw), len(raw), view)
    return view


def facts_for(kind: str) -> type[Facts]:
    """The facts class of an exchange kind (the common `Facts` for control/unknown)."""
    return KIND_FACTS.get(kind, Facts)


def facts_of(exchange: Exchange) -> Facts:
    """The exchange's facts as its own kind's class (narrow with isinstance)."""
    return _view(exchange, facts_for(exchange.kind))


def authorize_facts(exchange: Exchange) -> AuthorizeFacts:
    """The facts read as an authorize request's (absent fields read None)."""
    return _view(exchange, AuthorizeFacts)


def consent_facts(exchange: Exchange) -> ConsentFacts:
    """The facts read as a consent decision's."""
    return _view(exchange, ConsentFacts)


def token_facts(exchange: Exchange) -> TokenFacts:
    """The facts read as a token request's (None for grant_type on other kinds)."""
    return _view(exchange, TokenFacts)


def app_token_facts(exchange: Exchange) -> AppTokenFacts:
    """The facts read as a getaccesstoken exchange's."""
    return _view(exchange, AppTokenFacts)


def scopes_facts(exchange: Exchange) -> ScopesFacts:
    """The facts read as a getscopes exchange's."""
    return _view(exchange, ScopesFacts)


def api_facts(exchange: Exchange) -> ApiFacts:
    """The facts read as an /api/ call's."""
    return _view(exchange, ApiFacts)


def declared_fact(name: str) -> str:
    """`name` if some exchange kind declares that fact; else KeyError (a misspelt name)."""
    if not any(name in _names(cls) for cls in KIND_FACTS.values()):
        raise KeyError(f"no exchange kind declares the fact {name!r}")
    return name


def has_fact(exchange: Exchange, name: str) -> bool:
    """Whether the writer set `name` at all (a few checks tell absent from None)."""
    return declared_fact(name) in exchange.facts


def unknown_facts(kind: str, facts: dict[str, Any]) -> list[str]:
    """The keys of `facts` that the kind's facts class does not declare, sorted."""
    names = _names(facts_for(kind))
    return sorted(k for k in facts if k not in names)
