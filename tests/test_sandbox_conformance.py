"""Schemathesis against the served sandbox (`schema` dialect), every operation of every SB version.

Done means (the issue): with a bearer from the app-token flow and the right Accept-Version,
whatever other headers schemathesis generates (odd Accept values included), there are no
status-code, content-type or response-schema failures on generated valid data, no 5xx on
generated invalid data, and the sandbox never fails internally whatever it is sent.

Only Authorization and Accept-Version are set by the test; everything else (Accept, Blob-*
headers, Tracking-Identifier, query, JSON and multipart bodies) stays generated. The Admin
Center's getscopes is sent to `<base>/admin` with an Admin Center token (AFAS's second server);
every other operation goes to the customer environment `<base>/demo`. The document is the
normalised one: its patch list names what sb-readiness assumed (e.g. the 400/401/403 answers
AFAS documents once in components/responses and SB gives on every API operation).
"""

from __future__ import annotations

import copy
import json
import re
import time
import warnings
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from sbready.sandbox.app import FaultRule, RegisteredClient, Sandbox
from sbready.sandbox.redact import SandboxRedactor
from sbready.sandbox.server import ServedApp, serve
from sbready.spec.index import OperationIndex
from sbready.spec.lint import lint
from sbready.spec.resolve import SB_VERSIONS, load_index, load_spec
from sbready.spec.validation import is_multiple_of
from tests.test_sandbox_support import pkce

# Bounded so all ten versions finish in about a minute and a half on two cores.
POSITIVE_EXAMPLES = 5
NEGATIVE_EXAMPLES = 3
ENVIRONMENT = "demo"
ADMIN_PATHS = frozenset({"/authentication/getscopes"})  # served by the Admin Center
ADMIN_CLIENT = RegisteredClient(
    client_id="conformance-admin",
    client_secret="conformance-" + "s" * 32,
    redirect_uris=("http://127.0.0.1:9/callback",),
    level="admin",
    name="Conformance Admin",
)
POSITIVE_CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
NEGATIVE_CHECKS = [not_a_server_error]
_OVERRIDDEN = ("authorization", "accept-version")
Statuses = defaultdict[tuple[str, str], Counter[int]]  # (operation label, mode) -> answers


@dataclass(frozen=True)
class Finding:
    """One conformance failure, worded so the operation, the check and the response show."""

    operation: str
    mode: str
    check: str
    detail: str
    response: str
    request: str

    def line(self) -> str:
        """The finding as one paragraph of the test's failure message."""
        return (
            f"{self.operation} [{self.mode} data] {self.check}: {self.detail}\n"
            f"    response: {self.response}\n    request: {self.request}"
        )


@dataclass
class Target:
    """Where and as whom one operation is called."""

    base_url: str
    headers: dict[str, str]


def _bearer_from_app_token(base_url: str, sandbox: Sandbox) -> str:
    """The app-token flow: activate (every bundle), then POST getaccesstoken."""
    app_token = sandbox.activate(ENVIRONMENT, name="conformance")
    answer = httpx.post(
        f"{base_url}/{ENVIRONMENT}/authentication/getaccesstoken",
        json={"apptoken": app_token},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["access_token"]
    return token


def _admin_bearer(base_url: str, sandbox: Sandbox) -> str:
    """The Admin Center's OAuth flow: authorize, allow on the consent page, redeem the code."""
    sandbox.register_client(ADMIN_CLIENT)
    verifier, challenge = pkce()
    redirect_uri = ADMIN_CLIENT.redirect_uris[0]
    with httpx.Client(base_url=base_url, timeout=10) as http:
        page = http.get(
            "/admin/app/auth",
            params={
                "client_id": ADMIN_CLIENT.client_id,
                "redirect_uri": redirect_uri,
                "response_type": "code",
                "code_challenge": challenge,
                "code_challenge_method": "S256",
                "state": "conformance-state",
            },
        )
        request_id = re.search(r'name="request" value="([^"]+)"', page.text)
        assert page.status_code == 200 and request_id, page.text
        allowed = http.post(
            "/admin/app/auth", data={"request": request_id.group(1), "decision": "allow"}
        )
        code = httpx.URL(allowed.headers["location"]).params["code"]
        answer = http.post(
            "/app/token",
            data={
                "grant_type": "authorization_code",
                "client_id": ADMIN_CLIENT.client_id,
                "client_secret": ADMIN_CLIENT.client_secret,
                "redirect_uri": redirect_uri,
                "code": code,
                "code_verifier": verifier,
            },
        )
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["access_token"]
    return token


def _targets(served: ServedApp, sandbox: Sandbox) -> Callable[[str, str], Target]:
    customer = _bearer_from_app_token(served.base_url, sandbox)
    admin = _admin_bearer(served.base_url, sandbox)
    index: OperationIndex = sandbox.index

    def target(method: str, path: str) -> Target:
        if path in ADMIN_PATHS:
            return Target(f"{served.base_url}/admin", {"Authorization": f"Bearer {admin}"})
        headers = {"Authorization": f"Bearer {customer}"}
        operation = index.match(method, path)
        assert operation is not None, f"{method} {path} is not in the index"
        if operation.accept_version is not None:
            headers["Accept-Version"] = operation.accept_version
        return Target(f"{served.base_url}/{ENVIRONMENT}", headers)

    return target


def _with_our_headers(case: Any, ours: dict[str, str]) -> None:
    """Replace the generated Authorization and Accept-Version; keep every other header."""
    generated = {
        name: value
        for name, value in (case.headers or {}).items()
        if name.lower() not in _OVERRIDDEN
    }
    case.headers = {**generated, **ours}


def _short(text: object, limit: int = 400) -> str:
    shown = repr(text) if not isinstance(text, str) else text
    return shown if len(shown) <= limit else shown[:limit] + "..."


def _describe_request(request: requests.PreparedRequest | None) -> str:
    if request is None:
        return "(not sent)"
    headers = {k: v for k, v in request.headers.items() if k.lower() != "authorization"}
    body = request.body if isinstance(request.body, str | bytes) else None
    return f"{request.method} {request.url} headers={headers} body={_short(body, 300)}"


def _describe_response(response: Any) -> str:
    """Status, content type and the start of the body of a schemathesis Response."""
    content_type = response.headers.get("content-type") or ["(none)"]
    shown = content_type[0] if isinstance(content_type, list) else content_type
    return f"{response.status_code} {shown} {_short(response.text, 300)}"


def _check_name(failure: Failure, checks: list[Any]) -> str:
    """The check of ours that reported `failure`, e.g. "status_code_conformance"."""
    ran = {check.__name__ for check in checks}
    reporting = [name for name in type(failure).checks if name in ran]
    return reporting[0] if reporting else type(failure).__name__


def _exercise(
    schema: Any,
    target: Callable[[str, str], Target],
    findings: list[Finding],
    only: frozenset[str] | None = None,
) -> Statuses:
    """Run both generation modes over every operation (or those labelled in `only`).

    Returns the statuses answered per (operation label, mode).
    """
    statuses: Statuses = defaultdict(Counter)
    plans = (
        (GenerationMode.POSITIVE, POSITIVE_EXAMPLES, POSITIVE_CHECKS),
        (GenerationMode.NEGATIVE, NEGATIVE_EXAMPLES, NEGATIVE_CHECKS),
    )
    for result in schema.get_all_operations():
        operation = result.ok()
        if only is not None and operation.label not in only:
            continue
        where = target(operation.method.upper(), operation.path)
        for mode, examples, checks in plans:
            _exercise_operation(
                operation, mode, examples, checks, where, findings, statuses
            )
    return statuses


def _exercise_operation(
    operation: Any,
    mode: GenerationMode,
    examples: int,
    checks: list[Any],
    where: Target,
    findings: list[Finding],
    statuses: Statuses,
) -> None:
    label, mode_name = operation.label, mode.value

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def call(case: Any) -> None:
        _with_our_headers(case, where.headers)
        try:
            response = case.call(base_url=where.base_url, timeout=10)
        except (requests.ConnectionError, requests.Timeout) as error:  # dropped: a crash to us
            findings.append(
                Finding(label, mode_name, "transport", _short(repr(error)), "(none)",
                        _describe_request(getattr(error, "request", None)))
            )
            return
        statuses[label, mode_name][response.status_code] += 1
        try:
            case.validate_response(response, checks=checks)
        except FailureGroup as group:
            for failure in group.exceptions:
                findings.append(
                    Finding(label, mode_name, _check_name(failure, checks),
                            _short(failure.message, 300), _describe_response(response),
                            _describe_request(response.request))
                )

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            call()
    except Unsatisfiable:
        # e.g. no way to make getscopes' two optional string headers invalid
        assert mode is GenerationMode.NEGATIVE, f"{label}: no valid request can be generated"


def _internal_failures(sandbox: Sandbox) -> Iterator[Finding]:
    """Exchanges where the sandbox caught its own exception (a crash, answered as a 400)."""
    for exchange in sandbox.journal.find():
        if exchange.facts.get("sandbox_error"):
            yield Finding(
                exchange.operation_id or exchange.path, "any", "sandbox_error",
                "the sandbox raised while answering (see the sbready.sandbox log)",
                f"{exchange.status} {_short(exchange.response_body, 300)}",
                f"{exchange.method} {exchange.url} body={_short(exchange.request_body, 300)}",
            )


@dataclass
class ConformanceRun:
    """What one run found, and what the sandbox answered."""

    sb_version: str
    operations: int
    findings: list[Finding]
    statuses: Statuses
    seconds: float

    def requests(self, mode: str) -> int:
        """How many requests of `mode` ("positive" or "negative") got an answer."""
        return sum(sum(answers.values()) for (_, kind), answers in self.statuses.items()
                   if kind == mode)

    def failure_message(self) -> str:
        """Every distinct (operation, mode, check) failure, with its response and request."""
        unique = {(f.operation, f.mode, f.check): f for f in self.findings}
        return (
            f"SB {self.sb_version}: {len(self.findings)} conformance failures in "
            f"{self.requests('positive')} valid + {self.requests('negative')} invalid requests "
            f"over {self.operations} operations ({self.seconds:.1f} s):\n"
            + "\n".join(f.line() for f in list(unique.values())[:25])
        )


def run_conformance(
    spec_file: Path,
    *,
    dialect: Literal["schema", "observed"] = "schema",
    only: frozenset[str] | None = None,
    faults: tuple[FaultRule, ...] = (),
) -> ConformanceRun:
    """Serve a fresh sandbox for `spec_file` and run schemathesis against it."""
    started = time.perf_counter()
    loaded = load_spec(str(spec_file))
    index = load_index(str(spec_file))
    sandbox = Sandbox(index, dialect=dialect, environments=(ENVIRONMENT,))
    for rule in faults:
        sandbox.add_fault(rule)
    schema = schemathesis.openapi.from_dict(copy.deepcopy(loaded.document))
    findings: list[Finding] = []
    # A fresh connection per request: requests' keep-alive stalls on delayed ACKs here.
    with serve(sandbox.app) as served:
        target = _targets(served, sandbox)
        statuses = _exercise(schema, target, findings, only)
    findings += _internal_failures(sandbox)
    operations = len(only) if only is not None else len(index.operations)
    seconds = time.perf_counter() - started
    return ConformanceRun(loaded.sb_version, operations, findings, statuses, seconds)


@pytest.mark.parametrize("sb_version", SB_VERSIONS)
def test_sandbox_conforms_to_the_normalised_spec(spec_dir: Path, sb_version: str) -> None:
    run = run_conformance(spec_dir / f"{sb_version}.json")
    assert not run.findings, run.failure_message()
    index = load_index(str(spec_dir / f"{sb_version}.json"))
    exercised = {label for (label, mode) in run.statuses if mode == "positive"}
    assert exercised == {f"{op.method} {op.path}" for op in index.operations}
    # The schema checks only mean something if valid data reaches the store's real answers.
    unanswered = sorted(
        f"{op.method} {op.path}"
        for op in index.api_operations()
        if "{" not in op.path and not run.statuses[f"{op.method} {op.path}", "positive"][200]
    )
    assert not unanswered, f"SB {sb_version}: no valid request got a 200 from {unanswered}"


def test_the_run_reports_schema_breaks_and_server_errors(spec_dir: Path) -> None:
    # The observed dialect answers GET /api/addresses as {TrackingToken, Result} where the
    # schema says array; a fault makes POST /api/salesjournalentry answer 500.
    addresses, sales = "GET /api/addresses", "POST /api/salesjournalentry"
    server_error = FaultRule(kind="status", status=500, path="/api/salesjournalentry", times=None)
    run = run_conformance(
        spec_dir / "6.0.0.json",
        dialect="observed",
        only=frozenset({addresses, sales}),
        faults=(server_error,),
    )
    found = {(f.operation, f.mode, f.check) for f in run.findings}
    assert (addresses, "positive", "response_schema_conformance") in found
    assert (sales, "positive", "not_a_server_error") in found
    assert (sales, "negative", "not_a_server_error") in found
    message = run.failure_message()
    assert "response: 500 application/json" in message and '"TrackingToken"' in message
    assert f"{addresses} [positive data] response_schema_conformance" in message


# --- the defects the conformance run found, pinned down one by one -------------------------


def test_normalise_documents_the_errors_sb_answers_and_lint_still_lists_them(
    spec_dir: Path,
) -> None:
    loaded = load_spec(str(spec_dir / "6.0.0.json"))
    for path, item in loaded.raw["paths"].items():
        for method in item:
            responses = loaded.document["paths"][path][method]["responses"]
            if path.startswith("/api/") and "default" not in responses:
                assert {"400", "401", "403"} <= set(responses), f"{method} {path}"
    sales = loaded.document["paths"]["/api/salesjournalentry"]["post"]["responses"]
    assert sales["401"] == {"$ref": "#/components/responses/401"}
    assert "401" not in loaded.raw["paths"]["/api/salesjournalentry"]["post"]["responses"]
    token = loaded.document["paths"]["/app/token"]["post"]["responses"]["400"]
    assert token["content"]["application/json"]["schema"]["required"] == ["error"]
    lint_lines = [defect.message for defect in lint(loaded.raw)]
    assert (
        "POST /api/salesjournalentry documents no 400, 401, 403 response although SB answers "
        "them with AFAS's error body; attached components/responses 400, 401, 403."
    ) in lint_lines
    assert any(line.startswith("POST /app/token documents no 400, 401") for line in lint_lines)


def test_multiple_of_is_exact_for_cents_and_lenient_for_huge_floats() -> None:
    assert is_multiple_of(19.99, 0.01) and is_multiple_of(0.3, 0.1)
    assert is_multiple_of(-3.460609742909055e32, 0.01)  # too large for decimal arithmetic
    assert not is_multiple_of(19.999, 0.01)
    assert not is_multiple_of(float("inf"), 0.01) and not is_multiple_of(5, 0)


@pytest.mark.parametrize(
    "body",
    [
        {"Result": [{"Id": "a", "Name": "plain"}], "TrackingToken": "2025"},
        {"instances": [{"Code": "INV-1", "Id": "x"}]},  # "Code" is a fingerprinted field name
        {"to\u212aen": "kelvin-sign key"},  # lowers to "token"
        {"note": "contains KNOWN-secret-value-123 inside"},
        {"note": 'contains a "quoted" known secret: sec"ret-with-quote'},
    ],
)
def test_redaction_fast_path_equals_the_full_walk(body: dict[str, Any]) -> None:
    redactor = SandboxRedactor()
    redactor.remember("KNOWN-secret-value-123", follow=True)
    redactor.remember('sec"ret-with-quote', follow=False)
    redacted, text = redactor.json_with_text(body)
    assert redacted == redactor.json(body)
    assert json.loads(text) == redacted
    assert "KNOWN-secret-value-123" not in text and 'sec\\"ret-with-quote' not in text


@dataclass
class Api:
    """A served SB 6.0.0 sandbox (schema dialect) and a demo client with an app-token bearer."""

    http: httpx.Client
    sandbox: Sandbox

    def version(self, method: str, path: str) -> dict[str, str]:
        operation = self.sandbox.index.match(method, path)
        assert operation is not None and operation.accept_version is not None
        return {"Accept-Version": operation.accept_version}


@pytest.fixture
def api(spec_dir: Path) -> Iterator[Api]:
    sandbox = Sandbox(load_index(str(spec_dir / "6.0.0.json")), dialect="schema",
                      environments=(ENVIRONMENT,))
    with serve(sandbox.app) as served:
        token = _bearer_from_app_token(served.base_url, sandbox)
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=f"{served.base_url}/{ENVIRONMENT}", headers=headers,
                          timeout=10) as http:
            yield Api(http, sandbox)


def test_tracking_identifier_replays_only_on_its_own_operation(api: Api) -> None:
    same = {"Tracking-Identifier": "8522fea1-a067-4851-9b8e-a7b7080ac3af"}
    organisation_version = api.version("POST", "/api/organisation")
    person_version = api.version("POST", "/api/person")
    organisation = api.http.post("/api/organisation", json={"Name": "Eerste B.V."},
                                 headers={**same, **organisation_version})
    person = api.http.post("/api/person", json={"FirstName": "Sanne", "LastName": "Jansen"},
                           headers={**same, **person_version})
    again = api.http.post("/api/organisation", json={"Name": "Tweede B.V."},
                          headers={**same, **organisation_version})
    assert [organisation.status_code, person.status_code, again.status_code] == [200] * 3, (
        person.text
    )
    assert person.json()["instances"] != organisation.json()["instances"]
    assert again.json() == organisation.json()
    replayed = [e.facts["replayed"] for e in api.sandbox.journal.find("api")]
    assert replayed == [False, False, True]


def test_afas_sort_example_internal_id_sorts_in_record_order(api: Api) -> None:
    version = api.version("GET", "/api/ledgeraccounts")

    def ids(sort: str | None) -> list[str]:
        query = {"take": "300"} if sort is None else {"take": "300", "sortField": sort}
        answer = api.http.get("/api/ledgeraccounts", params=query, headers=version)
        assert answer.status_code == 200, answer.text
        return [record["Id"] for record in answer.json()]

    assert len(ids(None)) > 100
    assert ids("InternalId ascending") == ids(None) == ids("InternalId")
    assert ids("InternalId descending") == ids(None)[::-1]
    unknown = api.http.get("/api/ledgeraccounts", params={"sortField": "Nope"}, headers=version)
    assert unknown.status_code == 400 and "unknown field 'Nope'" in unknown.json()["Message"]
