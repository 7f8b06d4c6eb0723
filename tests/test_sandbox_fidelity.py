"""Over HTTP: the observed dialect's error bodies and headers as AFAS's troubleshooting page and
spec show them, with the sandbox's own explanation beside the body, never in it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from sbready.sandbox.app import Sandbox
from tests.test_sandbox_support import *  # noqa: F403 - the shared sandbox fixtures
from tests.test_sandbox_support import bearer, client_for

pytestmark = pytest.mark.anyio
EXPLANATION = "x-sbready-explanation"


async def _token(http, sandbox: Sandbox, **activation) -> str:  # type: ignore[no-untyped-def]
    app_token = sandbox.activate("demo", **activation)
    answer = await http.post("/demo/authentication/getaccesstoken", json={"apptoken": app_token})
    return str(answer.json()["access_token"])


async def test_401_and_403_carry_details_and_no_exception_code(sandbox: Sandbox) -> None:
    async with client_for(sandbox) as http:
        token = await _token(http, sandbox, bundles=["Verkoopjournaalpost"])
        unauthenticated = await http.get("/demo/api/administrations", headers=bearer("nope"))
        forbidden = await http.get("/demo/api/creditorbalance", headers=bearer(token))
    body = unauthenticated.json()
    assert set(body) == {"StatusCode", "Message", "TraceId", "Details", "AdditionalInfo"}
    assert body["Details"].startswith("Afas.Core.Exceptions.NotAuthenticatedException: Er is "
                                      "geen ingelogde gebruiker.")
    assert forbidden.status_code == 403 and "ExceptionCode" not in forbidden.json()
    assert "StatusCode: Forbidden (403)" in forbidden.json()["Details"]
    # the spec declares Content-Version on the shared 401 response, not on 403
    assert unauthenticated.headers["content-version"] == "1"
    assert "content-version" not in forbidden.headers


async def test_the_schema_dialect_sends_the_schemas_401(
    make_sandbox: Callable[..., Sandbox],
) -> None:
    sandbox = make_sandbox(dialect="schema")
    async with client_for(sandbox) as http:
        answer = await http.get("/demo/api/administrations", headers=bearer("nope"))
    assert set(answer.json()) == {"StatusCode", "Message", "TraceId", "AdditionalInfo"}


async def test_bad_filter_and_ds3100_keep_our_explanation_outside_afas_body(
    sandbox: Sandbox,
) -> None:
    async with client_for(sandbox) as http:
        token = await _token(http, sandbox)
        bad_filter = await http.get("/demo/api/organisations", headers=bearer(token, "2"),
                                    params={"filter": "Name ne 'x'"})
        ds3100 = await http.post("/demo/api/salesjournalentry", headers=bearer(token, "2"),
                                 json={"InvoiceNumber": "X-1"})
    assert bad_filter.status_code == 400
    assert bad_filter.json()["Message"] == "Ongeldig gebruikersfilter."
    assert bad_filter.json()["AdditionalInfo"] == {"ExceptionType": "AntaUserException"}
    assert "operator 'ne' is not supported" in bad_filter.headers[EXPLANATION]
    assert bad_filter.headers["content-version"] == "2"
    body = ds3100.json()
    assert ds3100.status_code == 400 and body["ExceptionCode"] == "DS3100"
    assert body["Message"].startswith("Invalid JSON request Required properties are missing "
                                      "from object: ")
    assert body["AdditionalInfo"]["DefinitionName"] == "salesjournalentry.UpdateConnectorHandler"
    assert body["AdditionalInfo"]["PropertyNames"] == ""
    assert "Required property" in ds3100.headers[EXPLANATION]
    journaled = sandbox.journal.find("api")
    assert "operator 'ne'" in journaled[-2].facts["explanation"]
    assert journaled[-2].response_headers[EXPLANATION]


async def test_the_journal_records_which_sort_name_the_app_used(sandbox: Sandbox) -> None:
    async with client_for(sandbox) as http:
        token = await _token(http, sandbox)
        for params in ({"sortField": "Id ascending"}, {"sort": "Id+Ascending"}, {}):
            answer = await http.get("/demo/api/ledgeraccounts", headers=bearer(token),
                                    params={"take": "10", **params})
            assert answer.status_code == 200, answer.text
    used = [e.facts["sort_parameter"] for e in sandbox.journal.find("api")]
    assert used == ["sortField", "sort", None]


async def test_the_redelivery_window_is_set_on_the_sandbox(
    make_sandbox: Callable[..., Sandbox],
) -> None:
    assert make_sandbox().store.redelivery_window == 300
    assert make_sandbox(readkey_lifetime=60).store.readkeys.lifetime == 60
    quiet = make_sandbox(redelivery_window=0)
    async with client_for(quiet) as http:
        token = await _token(http, quiet)
        first = (await http.get("/demo/api/organisations", headers=bearer(token, "2"))).json()
        await http.post("/demo/api/organisation", headers=bearer(token, "3"),
                        json={"Name": "Nieuwe Klant B.V."})
        delta = (await http.get("/demo/api/organisations", headers=bearer(token, "2"),
                                params={"TrackingToken": first["TrackingToken"]})).json()
        again = (await http.get("/demo/api/organisations", headers=bearer(token, "2"),
                                params={"TrackingToken": delta["TrackingToken"]})).json()
    assert [r["Name"] for r in delta["Result"]] == ["Nieuwe Klant B.V."]
    assert again["Result"] == []


async def test_an_injected_ds3100_is_afas_body_with_the_injection_said_beside_it(
    sandbox: Sandbox,
) -> None:
    from sbready.sandbox.app import FaultRule

    sandbox.add_fault(FaultRule("ds3100", method="POST"))
    async with client_for(sandbox) as http:
        token = await _token(http, sandbox)
        answer = await http.post("/demo/api/salesjournalentry", headers=bearer(token, "2"),
                                 json={"InvoiceNumber": "X-1"})
    assert answer.json()["Message"] == "Invalid JSON request String"
    assert answer.json()["AdditionalInfo"]["DefinitionName"] == \
        "salesjournalentry.UpdateConnectorHandler"
    assert "injected by sb-readiness" in answer.headers[EXPLANATION]
    assert "sb-readiness" not in answer.text
