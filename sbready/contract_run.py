"""INT-09's scenario: a small schemathesis contract run of the SB target, with the app's grant.

For every operation the app used, schemathesis generates a few positive requests from the
spec; they are sent with a token minted for the app's bundles and the operation's
Accept-Version, and each answer is recorded as a `ContractCase` (status, content type and the
response-schema deviations) for the pure check in checks/integration.py to judge.

Query values whose grammar the spec leaves open (filter, sortField, TrackingToken) are left
out, and skip/take are kept small (take <= 100, our assumption: SB documents no limit): a
random filter string would only show that SB refuses junk, not whether the app's operations
are open to it.
Against a live AFAS environment only GETs are sent unless writes are allowed.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from sbready.spec.index import Operation, OperationIndex
from sbready.spec.validation import violation_lines

EXAMPLES_PER_OPERATION = 3
FREE_GRAMMAR_PARAMETERS = frozenset({"filter", "sortfield", "trackingtoken"})
MAX_TAKE = 100
# operations a generated request cannot reach meaningfully, and why (INT-09 warns instead)
NOT_GENERATABLE = {"getBlob": "needs the ReadKey of a record's Blob, which a generated request "
                              "cannot have (a random one is refused with 403)"}


@dataclass(frozen=True)
class ContractCase:
    """One generated request of the contract run and what the SB target answered."""

    operation_id: str
    method: str
    path: str  # the concrete path sent, e.g. "/api/ledgeraccounts"
    query: dict[str, Any]
    status: int  # 0 when no answer came
    content_type: str | None
    schema_problems: tuple[str, ...] = ()  # response-schema deviations (2xx answers)
    error: str | None = None  # transport error, if any
    body_excerpt: str = ""


def _positive_query(query: dict[str, Any]) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    for name, value in query.items():
        lowered = name.lower()
        if lowered in FREE_GRAMMAR_PARAMETERS:
            continue
        if lowered in ("skip", "take"):
            number = value if isinstance(value, int) and not isinstance(value, bool) else 0
            number = abs(number)
            kept[name] = min(number, MAX_TAKE) if lowered == "take" else min(number, 10_000)
            continue
        kept[name] = value
    return kept


def _generated_cases(schema: Any, operation: Operation, examples: int) -> list[Any]:
    from hypothesis import HealthCheck, given, settings

    api_operation = schema[operation.path][operation.method]
    drawn: list[Any] = []

    @given(api_operation.as_strategy())
    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def draw(case: Any) -> None:
        if len(drawn) < examples:
            drawn.append(case)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        draw()
    return drawn


def _schema_problems(operation: Operation, body: Any) -> tuple[str, ...]:
    if operation.response_schema is None:
        return ()
    return tuple(violation_lines(body, operation.response_schema, limit=3, width=160))


def contract_run(
    document: dict[str, Any],
    index: OperationIndex,
    operation_ids: Sequence[str],
    *,
    base_url: str,
    access_token: str,
    allow_writes: bool,
    examples: int = EXAMPLES_PER_OPERATION,
    timeout: float = 10.0,
) -> list[ContractCase]:
    """Send a few generated positive requests per operation; record every answer."""
    import schemathesis  # heavy: only the INT-09 scenario needs it

    schema = schemathesis.openapi.from_dict(document)
    cases: list[ContractCase] = []
    with httpx.Client(timeout=timeout) as http:
        for operation_id in operation_ids:
            operation = index.by_operation_id(operation_id)
            if operation is None or (operation.method != "GET" and not allow_writes) \
                    or operation_id in NOT_GENERATABLE:
                continue
            for case in _generated_cases(schema, operation, examples):
                cases.append(_send(http, case, operation, base_url, access_token))
    return cases


def _send(http: httpx.Client, case: Any, operation: Operation, base_url: str,
          access_token: str) -> ContractCase:
    kwargs = case.as_transport_kwargs(base_url=base_url)
    headers = {k: v for k, v in kwargs.get("headers", {}).items()
               if k.lower() not in ("authorization", "accept-version")}
    headers["Authorization"] = f"Bearer {access_token}"
    if operation.accept_version:
        headers["Accept-Version"] = operation.accept_version
    query = _positive_query(dict(kwargs.get("params") or {}))
    url = str(kwargs["url"])
    path = url[len(base_url):] if url.startswith(base_url) else url
    try:
        response = http.request(
            operation.method, url, params=query, headers=headers,
            json=kwargs.get("json"), content=kwargs.get("data") if "json" not in kwargs else None,
        )
    except httpx.HTTPError as error:
        return ContractCase(str(operation.operation_id), operation.method, path, query, 0, None,
                            error=f"{type(error).__name__}: {error}")
    content_type = response.headers.get("content-type")
    problems: tuple[str, ...] = ()
    body: Any = None
    if content_type and "json" in content_type:
        try:
            body = response.json()
        except ValueError:
            problems = ("the body is not valid JSON although the content type says so",)
    if 200 <= response.status_code < 300 and body is not None and not problems:
        problems = _schema_problems(operation, body)
    excerpt = json.dumps(body, ensure_ascii=False)[:200] if body is not None else ""
    return ContractCase(str(operation.operation_id), operation.method, path, query,
                        response.status_code, content_type, problems, body_excerpt=excerpt)


def mint_access_token(afas_base_url: str, app_token: str, *, timeout: float = 10.0) -> str:
    """Exchange an app token at {afasBaseUrl}/authentication/getaccesstoken for a Bearer token."""
    response = httpx.post(f"{afas_base_url}/authentication/getaccesstoken",
                          json={"apptoken": app_token}, timeout=timeout)
    response.raise_for_status()
    return str(response.json()["access_token"])
