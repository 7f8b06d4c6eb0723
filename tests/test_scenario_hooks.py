"""What helper checks INT-04..10 and ERR-02..10 rely on: [scenario] config, the demo's data
hook, the unusual-answer generator, the "body" fault and the connection fact."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from jsonschema import Draft7Validator

from examples.demo_partner.new_invoice import write_new_invoice
from examples.demo_partner.readiness import demo_config
from examples.demo_partner.sync import load_invoices
from sbready.config import load_config
from sbready.errors import UsageError
from sbready.sandbox.app import Sandbox
from sbready.sandbox.faults import FaultRule
from sbready.sandbox.oddities import MAX_ROWS, VARIANTS, unusual_body
from sbready.sandbox.server import serve
from sbready.spec.index import OperationIndex
from sbready.spec.resolve import load_index

MINIMAL = '''
[app]
name = "X"
onboarding_url = "https://x.example/"
bundles = ["Verkoopjournaalpost"]
sb_version = "6.0.0"
auth = "apptoken"

[apptoken]
command = "connect {app_token}"
'''


@pytest.fixture(scope="module")
def index(spec_dir: Path) -> OperationIndex:
    return load_index(spec=str(spec_dir / "6.0.0.json"))


def _config(tmp_path: Path, extra: str) -> Any:
    path = tmp_path / "readiness.toml"
    path.write_text(MINIMAL + extra, "utf-8")
    return load_config(path, environ={})


def test_scenario_is_optional_and_read(tmp_path: Path) -> None:
    assert _config(tmp_path, "").scenario.expected_writes is None
    config = _config(tmp_path, '[scenario]\nexpected_writes = { "/api/salesjournalentry" = 3 }\n'
                     'new_work = "make-one {workdir}/x.json"\n')
    assert config.scenario.expected_writes == {"/api/salesjournalentry": 3}
    assert config.scenario.new_work == "make-one {workdir}/x.json"


@pytest.mark.parametrize(("extra", "words"), [
    ('[scenario]\nexpected_writes = { "salesjournalentry" = 3 }\n', "use the API path"),
    ('[scenario]\nexpected_writes = { "/api/salesjournalentry" = -1 }\n', "whole number >= 0"),
    ('[scenario]\nexpected_writes = 3\n', "must be a table"),
    ('[scenario]\nnewwork = "x"\n', "did you mean 'new_work'"),
    ('[thresholds]\nunreachable_timeout = 0\n', "positive number"),
])
def test_scenario_mistakes_are_one_line_usage_errors(tmp_path: Path, extra: str,
                                                     words: str) -> None:
    with pytest.raises(UsageError, match=words):
        _config(tmp_path, extra)


def test_demo_config_declares_its_scenario(tmp_path: Path) -> None:
    text, environ = demo_config(tmp_path)
    path = tmp_path / "readiness.toml"
    path.write_text(text, "utf-8")
    config = load_config(path, environ=environ)
    assert config.scenario.expected_writes == {"/api/salesjournalentry": 3}
    assert config.scenario.new_work and "new_invoice" in config.scenario.new_work
    assert config.thresholds.unreachable_timeout == 10
    assert config.start is not None
    assert "DEMO_PARTNER_SCENARIO_INVOICES" in config.start.env


def test_new_invoice_replaces_the_file_with_one_fresh_valid_invoice(tmp_path: Path) -> None:
    target = tmp_path / "scenario.json"
    first = write_new_invoice(target)
    second = write_new_invoice(target)
    invoices = load_invoices(target)
    assert first != second and [invoice.number for invoice in invoices] == [second]


# --- the unusual answers (ERR-09) -------------------------------------------------------------

def _organisations(count: int) -> dict[str, Any]:
    rows = [{"Id": f"00000000-0000-0000-0000-00000000000{n}", "Name": f"Org {n}",
             "CocNumber": "123", "IsArchived": False} for n in range(count)]
    return {"TrackingToken": "202601010000001", "Result": rows}


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_variant_is_valid_against_the_response_schema(index: OperationIndex,
                                                            variant: str) -> None:
    operation = index.by_operation_id("get_organisations_2.0")
    assert operation is not None and operation.response_schema is not None
    odd = unusual_body(operation, _organisations(5), variant)
    assert odd is not None
    errors = list(Draft7Validator(operation.response_schema).iter_errors(odd))
    if variant == "nulls":  # null only where AFAS's own examples show null
        assert all(e.instance is None for e in errors)
        assert odd["Result"][0]["CocNumber"] is None and odd["Result"][0]["Name"] == "Org 0"
    else:
        assert not errors, [e.message for e in errors]
    assert len(odd["Result"]) == (0 if variant == "empty lists" else MAX_ROWS)
    if variant == "sparse records":
        assert odd["Result"][0] == {"Id": "00000000-0000-0000-0000-000000000000"}
    if variant.startswith("unicode"):
        name = odd["Result"][0]["Name"]
        assert len(name) == 255 and not name.isascii()
        assert odd["Result"][0]["Id"].startswith("0000")  # uuids stay uuids


def test_non_list_answers_get_no_variant(index: OperationIndex) -> None:
    operation = index.by_operation_id("get_organisations_2.0")
    assert operation is not None
    assert unusual_body(operation, {"Message": "x"}, "nulls") is None
    with pytest.raises(ValueError, match="unknown variant"):
        unusual_body(operation, _organisations(1), "gibberish")


# --- the sandbox additions ----------------------------------------------------------------------

def test_body_fault_rule_is_validated() -> None:
    assert FaultRule("body", body=[]).describe().startswith("body: answered 200")
    with pytest.raises(ValueError, match="HTTP status"):
        FaultRule("body", body=[], status=99)


def test_body_fault_answers_and_connections_are_journaled(index: OperationIndex) -> None:
    sandbox = Sandbox(index)
    served = serve(sandbox.app)
    try:
        token = sandbox.activate("demo")
        base = f"{served.base_url}/demo"
        sandbox.add_fault(FaultRule("body", path="/api/administrations", body=[{"Id": "x"}]))
        with httpx.Client(timeout=5) as http:
            access = http.post(f"{base}/authentication/getaccesstoken",
                               json={"apptoken": token}).json()["access_token"]
            headers = {"Authorization": f"Bearer {access}", "Accept-Version": "1"}
            odd = http.get(f"{base}/api/administrations", headers=headers)
            normal = http.get(f"{base}/api/administrations", headers=headers)
        with httpx.Client(timeout=5) as other:
            other.get(f"{base}/api/administrations", headers=headers)
    finally:
        served.stop()
    assert odd.json() == [{"Id": "x"}] and json.loads(normal.text) != [{"Id": "x"}]
    ports = [e.facts["client_port"] for e in sandbox.journal.find("api")]
    assert ports[0] == ports[1] != ports[2]  # keep-alive reuses; a new client connects anew


# --- [scenario] new_work as a URL (issue 11: real products offer an HTTP hook) ---------------

def test_new_work_may_be_a_url(tmp_path: Path) -> None:
    from sbready.config import is_http_url

    config = _config(tmp_path, '[scenario]\nnew_work = "https://app.example/test/new-work"\n')
    assert config.scenario.new_work == "https://app.example/test/new-work"
    assert is_http_url(config.scenario.new_work)
    assert not is_http_url("{python} -m make_work")


def test_empty_new_work_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="new_work in \\[scenario\\] is empty; give a command"):
        _config(tmp_path, '[scenario]\nnew_work = " "\n')


def test_post_hook_posts_and_reports_failures_in_one_line() -> None:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    from sbready.driver.sync import post_hook
    from sbready.errors import HarnessError
    from sbready.secrets import Redactor

    posted: list[str] = []

    async def new_work(request: Request) -> PlainTextResponse:
        posted.append(request.method)
        return PlainTextResponse("1 nieuwe factuur klaargezet")

    async def broken(request: Request) -> PlainTextResponse:
        return PlainTextResponse("geen werk", status_code=500)

    app = Starlette(routes=[Route("/work", new_work, methods=["POST"]),
                            Route("/broken", broken, methods=["POST"])])
    served = serve(app)
    try:
        answer = post_hook(f"{served.base_url}/work", what="[scenario] new_work", timeout=5,
                           ca_file=None, redactor=Redactor())
        with pytest.raises(HarnessError, match="new_work: POST .*/broken answered 500: geen werk"):
            post_hook(f"{served.base_url}/broken", what="[scenario] new_work", timeout=5,
                      ca_file=None, redactor=Redactor())
    finally:
        served.stop()
    with pytest.raises(HarnessError, match="is the app running"):
        post_hook(f"{served.base_url}/work", what="[scenario] new_work", timeout=2,
                  ca_file=None, redactor=Redactor())
    assert answer == "1 nieuwe factuur klaargezet" and posted == ["POST"]
