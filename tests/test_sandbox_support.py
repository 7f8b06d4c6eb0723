"""Shared helpers for the sandbox tests: a sandbox factory, PKCE, and an OAuth walker."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from sbready.sandbox.app import Lifetimes, RegisteredClient, Sandbox
from sbready.spec.index import OperationIndex
from sbready.spec.resolve import load_index

BASE = "http://sb.test"
CALLBACK = "https://partner.example/Appcenter/AFASSB/callback"
SECRET = "s3cret-" + "x" * 30


@pytest.fixture(scope="session")
def index_600(spec_dir: Path) -> OperationIndex:
    """The operation index of SB 6.0.0."""
    return load_index(spec=str(spec_dir / "6.0.0.json"))


class ManualClock:
    """A clock tests move by hand."""

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def make_sandbox(index_600: OperationIndex) -> Callable[..., Sandbox]:
    """Build sandboxes over SB 6.0.0 (the real store) with the demo client registered."""

    def build(**options: Any) -> Sandbox:
        sandbox = Sandbox(index_600, **options)
        sandbox.register_client(customer_client())
        return sandbox

    return build


@pytest.fixture
def sandbox(make_sandbox: Callable[..., Sandbox], clock: ManualClock) -> Sandbox:
    return make_sandbox(clock=clock, lifetimes=Lifetimes())


def customer_client(**changes: Any) -> RegisteredClient:
    fields: dict[str, Any] = dict(
        client_id="partner",
        client_secret=SECRET,
        redirect_uris=(CALLBACK,),
        bundles=None,
        level="customer",
        name="Partner Boekhouding",
    )
    fields.update(changes)
    return RegisteredClient(**fields)


def pkce() -> tuple[str, str]:
    """A fresh (verifier, S256 challenge) pair."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def client_for(sandbox: Sandbox) -> httpx.AsyncClient:
    """An httpx client talking to the sandbox in-process."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=sandbox.app), base_url=BASE)


def query_of(url: str) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlsplit(url).query).items()}


@dataclass
class Consent:
    """The outcome of an authorize + consent walk."""

    location: str
    params: dict[str, str]
    verifier: str


async def consent(
    http: httpx.AsyncClient,
    env: str = "demo",
    *,
    decision: str = "allow",
    client_id: str = "partner",
    state: str = "state-" + "a" * 30,
    redirect_uri: str = CALLBACK,
) -> Consent:
    """Authorize with PKCE, answer the consent page, return the redirect back to the app."""
    verifier, challenge = pkce()
    page = await http.get(
        f"/{env}/app/auth",
        params={
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "state": state,
        },
    )
    assert page.status_code == 200, page.text
    action = re.search(r'<form method="post" action="([^"]+)"', page.text)
    request_id = re.search(r'name="request" value="([^"]+)"', page.text)
    assert action and request_id
    answer = await http.post(
        action.group(1), data={"request": request_id.group(1), "decision": decision}
    )
    assert answer.status_code == 302, answer.text
    location = answer.headers["location"]
    return Consent(location, query_of(location), verifier)


def code_exchange_form(walk: Consent, **overrides: str) -> dict[str, str]:
    """The six fields of a correct authorization-code exchange after `walk`."""
    return {
        "grant_type": "authorization_code",
        "client_id": "partner",
        "client_secret": SECRET,
        "redirect_uri": CALLBACK,
        "code": walk.params["code"],
        "code_verifier": walk.verifier,
        **overrides,
    }


async def token_for(http: httpx.AsyncClient, env: str = "demo", **overrides: str) -> dict[str, Any]:
    """The full PKCE flow; returns the token endpoint's JSON."""
    walk = await consent(http, env)
    form = code_exchange_form(walk, **overrides)
    response = await http.post(f"/{env}/app/token", data=form)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def bearer(token: str, version: str | None = "1") -> dict[str, str]:
    headers = {"Authorization": f"Bearer {token}"}
    if version is not None:
        headers["Accept-Version"] = version
    return headers


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def served(sandbox: Sandbox) -> Iterator[str]:
    """The sandbox served by uvicorn on loopback; yields its base URL."""
    from sbready.sandbox.server import serve

    with serve(sandbox.app) as running:
        yield running.base_url
