"""Admin Center app tokens in the sandbox: activation, exchange per environment, getscopes.

AFAS's authentication guide: the static token is exchanged at
`<base>/<environment or admin>/authentication/getaccesstoken`; an Admin Center app lists the
customer environments with getscopes and needs a separate access token per environment.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from sbready.sandbox.app import Sandbox
from tests.test_sandbox_support import *  # noqa: F403 - the shared sandbox fixtures
from tests.test_sandbox_support import bearer, client_for

pytestmark = pytest.mark.anyio
ADMIN_TOKEN = "admin-app-token-" + "q" * 40


async def _exchange(http: httpx.AsyncClient, where: str, **body: Any) -> httpx.Response:
    return await http.post(f"/{where}/authentication/getaccesstoken",
                           json={"apptoken": ADMIN_TOKEN, **body})


async def test_admin_app_token_gives_scopes_and_a_token_per_environment(
    sandbox: Sandbox,
) -> None:
    sandbox.activate("admin", token=ADMIN_TOKEN, name="Loonkoppeling")
    async with client_for(sandbox) as http:
        admin = await _exchange(http, "admin")
        assert admin.status_code == 200, admin.text
        admin_token = admin.json()["access_token"]
        by_get = await http.get("/authentication/getscopes", headers=bearer(admin_token))
        by_post = await http.post("/authentication/getscopes",
                                  headers={"IdentityToken": admin_token})
        at_admin = await http.get("/admin/authentication/getscopes", headers=bearer(admin_token))
        demo = await _exchange(http, "demo")
        acme = await _exchange(http, "acme")
        demo_token, acme_token = demo.json()["access_token"], acme.json()["access_token"]
        reads = await http.get("/demo/api/administrations", headers=bearer(demo_token))
        crossed = await http.get("/acme/api/administrations", headers=bearer(demo_token))
        admin_in_demo = await http.get("/demo/api/administrations", headers=bearer(admin_token))
        acme_reads = await http.get("/acme/api/administrations", headers=bearer(acme_token))
    assert admin.json()["expires_in"] == "600" and admin.json()["token_type"] == "bearer"
    assert by_get.status_code == by_post.status_code == at_admin.status_code == 200
    assert by_get.json() == by_post.json() == at_admin.json()
    scopes = by_get.json()
    assert all(set(item) == {"Name", "Description", "Path"} for item in scopes)
    # the spec's example lists the Admin Center itself first; the customers follow
    assert scopes[0] == {"Name": "Beheer", "Description": "", "Path": "admin"}
    assert [item["Path"] for item in scopes[1:]] == ["demo", "acme"]
    assert reads.status_code == 200 and reads.json()
    assert acme_reads.status_code == 200
    # a token works only in the environment it was issued for
    assert crossed.status_code == 401 and admin_in_demo.status_code == 401
    exchanges = sandbox.journal.find("getaccesstoken")
    assert [e.facts["issued_for"] for e in exchanges] == ["admin", "demo", "acme"]
    assert {e.client_id for e in exchanges} == {"Loonkoppeling"}
    scope_reads = sandbox.journal.find("getscopes")
    assert [e.facts["token_via"] for e in scope_reads] == ["bearer", "IdentityToken", "bearer"]


async def test_scope_field_asks_the_admin_center_for_an_environment_token(
    sandbox: Sandbox,
) -> None:
    sandbox.activate("admin", token=ADMIN_TOKEN)
    async with client_for(sandbox) as http:
        scoped = await _exchange(http, "admin", scope="demo")
        reads = await http.get("/demo/api/administrations",
                               headers=bearer(scoped.json()["access_token"]))
        unknown = await _exchange(http, "admin", scope="nergens")
        mismatch = await _exchange(http, "demo", scope="acme")
    assert scoped.status_code == 200 and reads.status_code == 200
    assert unknown.status_code == 400 and "nergens" in unknown.json()["Message"]
    assert mismatch.status_code == 400 and "acme" in mismatch.json()["Message"]


async def test_customer_tokens_do_not_open_getscopes_and_customer_app_tokens_stay_home(
    sandbox: Sandbox,
) -> None:
    customer_token = sandbox.activate("demo")
    async with client_for(sandbox) as http:
        demo = await http.post("/demo/authentication/getaccesstoken",
                               json={"apptoken": customer_token})
        scopes = await http.get("/authentication/getscopes",
                                headers=bearer(demo.json()["access_token"]))
        at_admin = await http.post("/admin/authentication/getaccesstoken",
                                   json={"apptoken": customer_token})
        anonymous = await http.get("/authentication/getscopes")
    assert demo.status_code == 200
    assert scopes.status_code == 401 and anonymous.status_code == 401
    assert at_admin.status_code == 401
    # AFAS's 401 shape (troubleshooting page): Details, no ExceptionCode
    assert "ExceptionCode" not in at_admin.json()
    assert "NotAuthenticatedException" in scopes.json()["Details"]


async def test_deactivating_the_admin_app_kills_every_token_it_gave(sandbox: Sandbox) -> None:
    sandbox.activate("admin", token=ADMIN_TOKEN, name="Loonkoppeling")
    async with client_for(sandbox) as http:
        demo_token = (await _exchange(http, "demo")).json()["access_token"]
        sandbox.withdraw_consent("Loonkoppeling", "admin")
        dead = await http.get("/demo/api/administrations", headers=bearer(demo_token))
        refused = await _exchange(http, "demo")
        sandbox.activate("admin", token=ADMIN_TOKEN, name="Loonkoppeling")  # activated again
        again = await _exchange(http, "demo")
        still_dead = await http.get("/demo/api/administrations", headers=bearer(demo_token))
    assert dead.status_code == 401 and refused.status_code == 401
    assert again.status_code == 200 and still_dead.status_code == 401


async def test_admin_scope_can_be_hidden_and_schema_dialect_types_expires_in(
    make_sandbox: Any,
) -> None:
    box = make_sandbox(list_admin_scope=False, dialect="schema")
    box.activate("admin", token=ADMIN_TOKEN)
    async with client_for(box) as http:
        admin = await _exchange(http, "admin")
        scopes = await http.get("/authentication/getscopes",
                                headers=bearer(admin.json()["access_token"]))
    assert admin.json()["expires_in"] == 600  # the spec types it integer
    assert [item["Path"] for item in scopes.json()] == ["demo", "acme"]


async def test_control_api_activates_in_the_admin_center(sandbox: Sandbox) -> None:
    key = {"X-Sbready-Key": sandbox.control_key}
    async with client_for(sandbox) as http:
        made = await http.post("/_sbready/activate", headers=key,
                               json={"environment": "admin", "token": ADMIN_TOKEN})
        wrong = await http.post("/_sbready/activate", headers=key,
                                json={"environment": "nergens"})
        exchanged = await _exchange(http, "admin")
    assert made.status_code == 200 and made.json()["environment"] == "admin"
    assert wrong.status_code == 400 and "admin" in wrong.text
    assert exchanged.status_code == 200
