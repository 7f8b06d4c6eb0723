"""An app against the observed dialect: only the defensively written one survives AFAS's shapes.

The same small client runs naive (pages without a sort, keeps every delta item, parses the
upload answer as JSON) and defensive (sorts, de-duplicates by Id, accepts a bodiless 200), in
both dialects. The naive client survives the schema dialect's neat answers and fails the
observed one, which answers as AFAS's pagination, change-tracking and blobs guides describe.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from sbready.sandbox.app import Sandbox
from tests.test_sandbox_support import *  # noqa: F403 - the shared sandbox fixtures
from tests.test_sandbox_support import bearer, client_for

pytestmark = pytest.mark.anyio
PAGE = 100


@dataclass
class Outcome:
    """What the app ended up with, and what went wrong on the way."""

    ledger_accounts: list[str] = field(default_factory=list)
    ledger_total: int = 0
    organisations: list[str] = field(default_factory=list)
    organisation_total: int = 0
    blob_uploaded: bool = False
    errors: list[str] = field(default_factory=list)


class PartnerApp:
    """A minimal SB client; `defensive` switches on what AFAS's guides ask of apps."""

    def __init__(self, http: httpx.AsyncClient, token: str, *, defensive: bool) -> None:
        self.http, self.token, self.defensive = http, token, defensive

    def _headers(self, version: str) -> dict[str, str]:
        return bearer(self.token, version)

    async def read_all(self, path: str, version: str, **extra: str) -> tuple[list[Any], Any]:
        rows: list[Any] = []
        token = None
        for page in range(50):
            params = {"skip": str(page * PAGE), "take": str(PAGE), **extra}
            if self.defensive:
                params["sortField"] = "Id ascending"  # the guide: always combine with a sort
            answer = await self.http.get(path, headers=self._headers(version), params=params)
            answer.raise_for_status()
            body = answer.json()
            got = body["Result"] if isinstance(body, dict) else body
            token = token or (body.get("TrackingToken") if isinstance(body, dict) else None)
            rows.extend(got)
            if len(got) < PAGE:
                break
        return rows, token

    def keep(self, held: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[Any]:
        if not self.defensive:
            return held + new
        by_id = {row["Id"]: row for row in held}
        by_id.update({row["Id"]: row for row in new})  # a re-delivered item replaces itself
        return list(by_id.values())

    async def upload(self, content: bytes) -> bool:
        blob_id = str(uuid.uuid4())
        headers = {**self._headers("1"), "Blob-Content-Length": str(len(content)),
                   "Blob-Content-Type": "application/pdf", "Blob-Content-FileName": "bon.pdf"}
        reserved = await self.http.put(f"/demo/api/blob/{blob_id}", headers=headers)
        reserved.raise_for_status()
        answer = await self.http.put(
            f"/demo/api/blob/{blob_id}", headers={**self._headers("1"),
                                                  "Blob-Upload-Type": "blob"},
            files={"file": ("bon.pdf", content, "application/pdf")})
        answer.raise_for_status()
        if self.defensive:  # the guide: "HTTP 200 response without a response body"
            return not answer.content or bool(json.loads(answer.content).get("BlobAccepted"))
        return bool(answer.json()["BlobAccepted"])


async def run_app(sandbox: Sandbox, *, defensive: bool) -> Outcome:
    outcome = Outcome()
    async with client_for(sandbox) as http:
        app_token = sandbox.activate("demo")
        access = (await http.post("/demo/authentication/getaccesstoken",
                                  json={"apptoken": app_token})).json()["access_token"]
        app = PartnerApp(http, access, defensive=defensive)
        try:
            accounts, _ = await app.read_all("/demo/api/ledgeraccounts", "1")
            outcome.ledger_accounts = [row["Id"] for row in accounts]
            held, token = await app.read_all("/demo/api/organisations", "2")
            created = await http.post("/demo/api/organisation", headers=bearer(access, "3"),
                                      json={"Name": "Nieuwe Klant B.V."})
            assert created.json()["result"] == "Succeeded", created.text
            for _ in range(2):  # two later syncs, each with the token of the one before
                changed, next_token = await app.read_all("/demo/api/organisations", "2",
                                                         TrackingToken=token)
                held, token = app.keep(held, changed), next_token or token
            outcome.organisations = [row["Id"] for row in held]
            outcome.blob_uploaded = await app.upload(b"%PDF-1.4 bon")
        except (httpx.HTTPError, ValueError, KeyError) as error:
            outcome.errors.append(f"{type(error).__name__}: {error}")
        full = await http.get("/demo/api/ledgeraccounts", headers=bearer(access, "1"),
                              params={"take": "5000"})
        outcome.ledger_total = len(full.json())
        everyone = await http.get("/demo/api/organisations", headers=bearer(access, "2"),
                                  params={"take": "5000"})
        body = everyone.json()
        outcome.organisation_total = len(body["Result"] if isinstance(body, dict) else body)
    return outcome


def survived(outcome: Outcome) -> list[str]:
    """What is wrong with the outcome (nothing when the app synced correctly)."""
    problems = list(outcome.errors)
    if sorted(set(outcome.ledger_accounts)) != sorted(outcome.ledger_accounts) or \
            len(set(outcome.ledger_accounts)) != outcome.ledger_total:
        problems.append(f"ledger accounts: {len(set(outcome.ledger_accounts))} distinct of "
                        f"{outcome.ledger_total}, {len(outcome.ledger_accounts)} held")
    if len(outcome.organisations) != outcome.organisation_total:
        problems.append(f"organisations: holds {len(outcome.organisations)} for "
                        f"{outcome.organisation_total} in SB")
    if not outcome.blob_uploaded:
        problems.append("blob not uploaded")
    return problems


@pytest.mark.parametrize("dialect", ["observed", "schema"])
async def test_a_defensive_app_survives_both_dialects(
    make_sandbox: Callable[..., Sandbox], dialect: str,
) -> None:
    outcome = await run_app(make_sandbox(dialect=dialect), defensive=True)
    assert survived(outcome) == []


async def test_a_naive_app_survives_only_the_schema_dialect(
    make_sandbox: Callable[..., Sandbox],
) -> None:
    assert survived(await run_app(make_sandbox(dialect="schema"), defensive=False)) == []
    problems = survived(await run_app(make_sandbox(dialect="observed"), defensive=False))
    assert any(p.startswith("ledger accounts:") for p in problems), problems  # unsorted pages
    assert any(p.startswith("organisations: holds") for p in problems), problems  # re-delivery
    assert any(p.startswith("JSONDecodeError") for p in problems), problems  # bodiless upload
