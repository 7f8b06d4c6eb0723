"""INT: working integration, judged from the API calls the sandbox journaled."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from jsonschema import Draft7Validator, FormatChecker

from checks.evidence import where
from checks.judgement import Judgement, failed, judge, passed
from sbready.sandbox.journal import Exchange
from sbready.spec.index import OperationIndex

_FORMATS = FormatChecker(formats=("uuid", "date"))  # the formats AFAS answers DS3100 for


def _header(exchange: Exchange, name: str) -> str | None:
    return exchange.request_headers.get(name.lower())


def requests_exist(calls: Sequence[Exchange], index: OperationIndex) -> Judgement:
    """INT-01: every SB request is an operation (method + path) of the declared SB version."""
    if not calls:
        return failed("INT-01", "The app made no SB API calls, so there was nothing to judge.")
    findings = [
        f"{where(e)}: {e.method} {e.api_path} does not exist in SB {index.sb_version}"
        for e in calls
        if index.match(e.method, e.api_path or e.path) is None
    ]
    return judge("INT-01", findings,
                 f"All {len(calls)} API calls are operations of SB {index.sb_version}.",
                 f"The app calls endpoints that SB {index.sb_version} does not have.")


def bearer_and_accept_version(
    calls: Sequence[Exchange], index: OperationIndex, latest: OperationIndex | None
) -> Judgement:
    """INT-02: Bearer on every call; Accept-Version equals the endpoint version."""
    findings: list[str] = []
    warnings: set[str] = set()
    judged = 0
    for e in calls:
        operation = index.match(e.method, e.api_path or e.path)
        if operation is None:
            continue  # INT-01 reports calls that match no operation
        judged += 1
        authorization = _header(e, "authorization") or ""
        if not authorization.startswith("Bearer "):
            shown = authorization.split(" ")[0] or "no Authorization header"
            findings.append(f"{where(e)}: {shown}; send Authorization: Bearer <access_token>")
        sent = _header(e, "accept-version")
        if not operation.accepts_version(sent):
            findings.append(f"{where(e)}: Accept-Version {sent!r}, but {operation.operation_id} "
                            f"needs Accept-Version: {operation.accept_version}")
        newer = latest.match(e.method, operation.path) if latest else None
        if (newer and newer.endpoint_version and operation.endpoint_version
                and newer.endpoint_version != operation.endpoint_version):
            warnings.add(f"{e.method} {operation.path} is endpoint {operation.endpoint_version} "
                         f"in SB {index.sb_version}, {newer.endpoint_version} in SB "
                         f"{latest.sb_version if latest else ''}; plan the upgrade")
    if judged == 0:
        return failed("INT-02", "No API call of the declared SB version was made.")
    if findings:
        return failed("INT-02", "API calls lack the Bearer token or the right Accept-Version.",
                      findings, warnings=sorted(warnings))
    return passed("INT-02", f"All {judged} API calls carried a Bearer token and the endpoint's "
                  "Accept-Version.", warnings=sorted(warnings))


def _schema_errors(body: Any, schema: dict[str, Any]) -> list[str]:
    validator = Draft7Validator(schema, format_checker=_FORMATS)
    errors = sorted(validator.iter_errors(body), key=lambda err: list(err.absolute_path))
    return [
        f"{'/'.join(str(p) for p in err.absolute_path) or '(body)'}: {err.message}"
        for err in errors[:10]
    ]


def bodies_match_schema(writes: Sequence[Exchange], index: OperationIndex) -> Judgement:
    """INT-03: request bodies validate against the operation's request schema."""
    findings: list[str] = []
    judged = 0
    for e in writes:
        operation = index.match(e.method, e.api_path or e.path)
        if operation is None or operation.request_schema is None:
            continue
        if operation.request_content_type and "json" not in operation.request_content_type:
            continue  # blob uploads are multipart; their content is not a schema matter
        judged += 1
        if not isinstance(e.request_body, dict | list):
            findings.append(f"{where(e)}: the body is not JSON ({e.request_content_type})")
            continue
        findings += [f"{where(e)}: {problem}"
                     for problem in _schema_errors(e.request_body, operation.request_schema)]
    if judged == 0:
        return passed("INT-03", "The app sent no request bodies, so none can be wrong.",
                      warnings=["no write was made in this scenario"])
    return judge("INT-03", findings,
                 f"All {judged} request bodies validate against their operation's schema.",
                 "Request bodies do not validate against AFAS's schema.")
