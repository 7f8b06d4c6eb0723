"""INT: working integration, judged from the API calls the sandbox journaled."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from checks import landed
from checks.evidence import where
from checks.judgement import Judgement, failed, judge, passed
from sbready.contract_run import NOT_GENERATABLE, ContractCase
from sbready.evidence import Exchange, api_facts, has_fact
from sbready.sandbox.dialect import response_shape
from sbready.sandbox.query import QueryError, filter_fields, parse_filter, parse_sort
from sbready.spec.index import Operation, OperationIndex
from sbready.spec.validation import violation_lines


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
        # the version rule is ours: AFAS only says "use the sequence number of the endpoint"
        rule = (" Which Accept-Version values SB accepts is our assumption (the endpoint "
                "version's major, or major.minor); AFAS says to send the endpoint's sequence "
                "number." if any("Accept-Version" in finding for finding in findings) else "")
        return failed("INT-02", "API calls lack the Bearer token or the right Accept-Version."
                      + rule, findings, warnings=sorted(warnings))
    return passed("INT-02", f"All {judged} API calls carried a Bearer token and the endpoint's "
                  "Accept-Version.", warnings=sorted(warnings))


def _schema_errors(body: Any, schema: dict[str, Any]) -> list[str]:
    return violation_lines(body, schema)  # the sandbox's own validator: both agree on DS3100


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


def _judge_observed(
    check_id: str, observed: int, findings: list[str], *, nothing: tuple[str, str], ok: str,
    bad: str, warnings: list[str] | None = None,
) -> Judgement:
    """`judge`, but when the scenario showed nothing to judge: pass, with a warning saying so."""
    if observed == 0:
        sentence, warning = nothing
        return passed(check_id, sentence, warnings=[warning, *(warnings or [])])
    if findings:
        return failed(check_id, bad, findings, warnings=warnings)
    return passed(check_id, ok, warnings=warnings)


# --- INT-04: query parameters ------------------------------------------------------------------

_WHOLE_NUMBER = re.compile(r"\d{1,18}")
# AFAS's pagination guide writes sort=FieldName+Ascending; the spec's parameter is sortField
GUIDE_SORT = "sort"


def _sort_warning(e: Exchange, operation: Operation, index: OperationIndex) -> str:
    return (f"{where(e)}: sorts with '{GUIDE_SORT}' as AFAS's pagination guide writes it, but "
            f"SB {index.sb_version}'s spec declares 'sortField' for {operation.operation_id}; "
            "which name AFAS's server honours is not documented (our assumption: the sandbox "
            "serves both), so send sortField")


def _query_problems(name: str, value: str, operation: Operation) -> list[str]:
    """What is wrong with one query value of a call to `operation` (nothing when it is fine)."""
    lowered = name.lower()
    fields = response_shape(operation).fields
    spelt = {field_name.lower() for field_name in fields}
    allowed = ", ".join(fields) or "(none)"
    if lowered in ("skip", "take"):
        if not operation.pages:
            return [f"{name}: {operation.operation_id} does not page"]
        if not _WHOLE_NUMBER.fullmatch(value):
            return [f"{name}={value!r} is not a whole number >= 0"]
        return []
    if lowered in ("sortfield", GUIDE_SORT):
        if not operation.sorts:
            return [f"{name}: {operation.operation_id} does not sort"]
        try:
            order = parse_sort(value)
        except QueryError as error:
            return [str(error)]
        if order.field.lower() not in spelt:
            return [f"{name} {value!r} names no field of the response; fields: {allowed}"]
        return []
    if lowered == "filter":
        if not operation.filters:
            return [f"filter: {operation.operation_id} does not filter"]
        try:
            named = filter_fields(parse_filter(value))
        except QueryError as error:
            return [f"filter {value!r}: {error}"]
        # field names match case-insensitively: the filtering guide writes `id eq ...`
        unknown = sorted(field_name for field_name in named if field_name.lower() not in spelt)
        if unknown:
            return [f"filter {value!r} names {', '.join(unknown)}, not a field of the response; "
                    f"fields: {allowed}"]
    return []


def query_parameters_valid(calls: Sequence[Exchange], index: OperationIndex) -> Judgement:
    """INT-04: skip/take whole numbers, sortField 'Field [ascending|descending]', OData filter;
    a warning when the app sorts with the guides' `sort` that the spec does not declare."""
    findings: list[str] = []
    warnings: list[str] = []
    judged = 0
    for e in calls:
        operation = index.match(e.method, e.api_path or e.path)
        if operation is None or not e.query:
            continue
        judged += 1
        for name, values in e.query.items():
            if name.lower() == GUIDE_SORT and operation.sorts and len(warnings) < 3:
                warnings.append(_sort_warning(e, operation, index))
            for value in values:
                findings += [f"{where(e)}: {problem}"
                             for problem in _query_problems(name, value, operation)]
    return _judge_observed(
        "INT-04", judged, findings,
        nothing=("The app sent no query parameters, so none can be malformed.",
                 "no API call carried skip/take/sortField/filter"),
        ok=f"The query parameters of all {judged} calls that had any are valid: whole "
           "skip/take, sortField naming a response field, filters in SB's OData subset.",
        bad="The app sends query parameters SB does not accept.", warnings=warnings)


# --- INT-05: the grant ---------------------------------------------------------------------------

def within_grant(
    calls: Sequence[Exchange], index: OperationIndex, bundles: Sequence[str]
) -> Judgement:
    """INT-05: only operations within the app's granted bundles are called."""
    if not bundles:
        return passed("INT-05", "readiness.toml grants no particular bundles, so every "
                      "operation counts as granted.",
                      warnings=["declare the app's bundles in [app] bundles"])
    granted = set(bundles)
    findings: list[str] = []
    judged = 0
    for e in calls:
        operation = index.match(e.method, e.api_path or e.path)
        if operation is None or not operation.bundles:
            continue  # INT-01 reports unknown operations; untagged ones need no bundle
        judged += 1
        if not granted & set(operation.bundles):
            shown = ", ".join(operation.bundles[:3]) + (" ..." if len(operation.bundles) > 3
                                                        else "")
            findings.append(f"{where(e)}: {operation.operation_id} needs one of the bundles "
                            f"{shown}; the app is granted {', '.join(sorted(granted))}")
    return judge("INT-05", findings,
                 f"All {judged} calls are operations of the granted bundles "
                 f"({', '.join(sorted(granted))}).",
                 "The app calls operations outside its granted bundles.")


# --- INT-06: paging ------------------------------------------------------------------------------

def _number(e: Exchange, name: str, default: int) -> int:
    for key, values in e.query.items():
        if key.lower() == name and values and _WHOLE_NUMBER.fullmatch(values[0]):
            return int(values[0])
    return default


def _has(e: Exchange, name: str) -> bool:
    return any(key.lower() == name and any(values) for key, values in e.query.items())


def _list_key(e: Exchange) -> tuple[str, str, str]:
    """Calls with the same path, filter and TrackingToken read the same list."""
    def value(name: str) -> str:
        return next((v[0] for k, v in e.query.items() if k.lower() == name and v), "")

    return (e.api_path or e.path, value("filter"), value("trackingtoken"))


def _received_ids(e: Exchange) -> list[str] | None:
    """The record Ids one list answer carried (None when the journal kept no records)."""
    body = e.response_body
    rows = body.get("Result") if isinstance(body, dict) else body
    if not isinstance(rows, list):
        return None
    return [str(row["Id"]) for row in rows if isinstance(row, dict) and row.get("Id")]


def _outcome(pages: Sequence[Exchange], total: int) -> tuple[int, int] | None:
    """(records never received, records received more than once) over a list's pages."""
    counts: dict[str, int] = {}
    for e in pages:
        ids = _received_ids(e)
        if ids is None:
            return None
        for ident in ids:
            counts[ident] = counts.get(ident, 0) + 1
    if not counts:
        return None
    return max(0, total - len(counts)), sum(1 for times in counts.values() if times > 1)


def _sorted_by(e: Exchange) -> str | None:
    """The sort parameter name a call used ("sortField", or the guides' "sort"), if any."""
    named = api_facts(e).sort_parameter
    if isinstance(named, str) and named:
        return named
    return next((key for key, values in e.query.items()
                 if key.lower() in ("sortfield", GUIDE_SORT) and any(values)), None)


def lists_read_completely(calls: Sequence[Exchange], index: OperationIndex) -> Judgement:
    """INT-06: lists longer than a page are read to the end with skip/take and a sortField.

    Judged by outcome first (did every record of the list arrive, and only once?), then by
    the parameters (every page sorted); sorting with the guides' `sort`, which the spec does
    not declare, is a warning.
    """
    lists: dict[tuple[str, str, str], list[Exchange]] = {}
    for e in calls:
        operation = index.match(e.method, e.api_path or e.path)
        if (e.method != "GET" or operation is None or not operation.pages
                or not 200 <= e.status < 300 or not has_fact(e, "matched")):
            continue
        lists.setdefault(_list_key(e), []).append(e)
    findings: list[str] = []
    warnings: list[str] = []
    long_lists = 0
    for (api_path, filter_text, _), pages in lists.items():
        total = max(int(api_facts(e).matched or 0) for e in pages)
        if all(int(api_facts(e).returned or 0) >= total for e in pages):
            continue  # the whole list came in one answer
        long_lists += 1
        covered: set[int] = set()
        for e in pages:
            skip = _number(e, "skip", 0)
            covered.update(range(skip, skip + int(api_facts(e).returned or 0)))
        name = api_path + (f" (filter {filter_text})" if filter_text else "")
        missing = total - len(covered & set(range(total)))
        if missing:
            skips = ", ".join(str(_number(e, "skip", 0)) for e in pages)
            findings.append(f"{name}: read {total - missing} of {total} records "
                            f"(skip {skips}); page on until a page is short")
        outcome = _outcome(pages, total)
        if not missing and outcome is not None and any(outcome):
            never, twice = outcome
            findings.append(f"{name}: the pages covered all {total} positions, but {never} "
                            f"records never arrived and {twice} arrived more than once; "
                            "without a sort SB does not guarantee the order between pages")
        unsorted = [e for e in pages if _sorted_by(e) is None]
        if unsorted:
            findings.append(f"{name}: {len(unsorted)} of {len(pages)} pages without sortField "
                            f"(e.g. {where(unsorted[0])}); without a stable order pages can "
                            "skip or repeat records")
        guide_named = [e for e in pages if (_sorted_by(e) or "").lower() == GUIDE_SORT]
        if guide_named:
            operation = index.match("GET", api_path)
            if operation is not None:
                warnings.append(_sort_warning(guide_named[0], operation, index))
    return _judge_observed(
        "INT-06", long_lists, findings,
        nothing=("No list the app read was longer than one answer.",
                 "no multi-page list was read in this scenario"),
        ok=f"All {long_lists} lists longer than one page were read to the end with skip/take "
           "and a sortField: every record arrived exactly once.",
        bad="The app does not read long lists completely in a stable order.",
        warnings=warnings)


# --- INT-07: change tracking ---------------------------------------------------------------------

def incremental_sync(later_calls: Sequence[Exchange], index: OperationIndex, *,
                     first_calls: Sequence[Exchange] = ()) -> Judgement:
    """INT-07: after the first sync, change-tracking lists are read with their TrackingToken.

    An app whose lists have no change tracking at all (e.g. only payroll entries) has nothing
    to sync incrementally: it passes without a warning.
    """
    def tracked(e: Exchange) -> bool:
        operation = index.match(e.method, e.api_path or e.path)
        return e.method == "GET" and operation is not None and operation.tracks_changes

    if first_calls and not any(tracked(e) for e in [*first_calls, *later_calls]):
        return passed("INT-07", "None of the lists the app reads has change tracking, so there "
                      "is nothing to read incrementally.")
    findings: list[str] = []
    judged = 0
    for e in later_calls:
        operation = index.match(e.method, e.api_path or e.path)
        if e.method != "GET" or operation is None or not operation.tracks_changes:
            continue
        judged += 1
        if not _has(e, "trackingtoken"):
            findings.append(f"{where(e)}: no TrackingToken; {operation.operation_id} tracks "
                            "changes, so a later sync needs only what changed")
    return _judge_observed(
        "INT-07", judged, findings,
        nothing=("The app reads no list with change tracking on a later sync.",
                 "no change-tracking endpoint was read"),
        ok=f"All {judged} reads of change-tracking lists on a later sync carried the "
           "TrackingToken of the previous one.",
        bad="The app re-reads change-tracking lists in full on every sync.")


# --- INT-08: the scenario's writes -------------------------------------------------------------

def expected_writes_landed(
    baseline: Sequence[Exchange],
    later: Sequence[Exchange],
    written: Mapping[str, Sequence[dict[str, Any]]],
    expected: Mapping[str, int] | None,
    *,
    sync_outcome: str,
    sync_output: str,
) -> Judgement:
    """INT-08: the declared writes land in SB, valid, exactly once (also over a second sync).

    Judged on what SB holds (`written`: per API path, across the office's environments) and
    on SB's answers: each expected record was made, with result Succeeded, and is held once;
    no entry SB had made was sent again as a new request. `expected` counts across the
    environments too (an Admin Center app writes in each).
    """
    if expected is None:
        return failed("INT-08", "readiness.toml does not say what the sync should write, so "
                      "the scenario cannot be judged; add [scenario] expected_writes = "
                      '{ "/api/..." = N }.')
    findings: list[str] = []
    if sync_outcome != "synced":
        last_line = (sync_output.strip().splitlines() or ["(no output)"])[-1]
        findings.append(f"the baseline sync ended '{sync_outcome}': {last_line}")
    for api_path, count in expected.items():
        created = [e for e in baseline if e.api_path == api_path and 200 <= e.status < 300
                   and landed.made_by(e)]
        if len(created) != count:
            places = sorted({e.environment or "?" for e in created})
            findings.append(f"{api_path}: {count} records expected, the baseline sync created "
                            f"{len(created)}" + (f" (in {', '.join(places)})" if places else ""))
        held = written.get(api_path, ())
        stored_ids = {str(record.get("Id")) for record in held}
        for e in created:
            if api_facts(e).result not in (None, "Succeeded"):
                findings.append(f"{where(e)}: result {api_facts(e).result}: "
                                f"{api_facts(e).errors}")
            if str(landed.made_by(e)) not in stored_ids:
                findings.append(f"{where(e)}: the record it created is not in SB")
        mine = [e for e in list(baseline) + list(later) if e.api_path == api_path]
        resent: dict[int, list[landed.Resend]] = {}
        for resend in landed.resends_of_made(mine):
            resent.setdefault(resend.made.seq, []).append(resend)
        for resends in resent.values():
            made = resends[0].made
            findings.append(
                f"{api_path}: {landed.entry_label(made.request_body)} was sent "
                f"{len(resends) + 1} times as a new request ({where(made)}, "
                + ", ".join(where(r.again) for r in resends) + f"); {resends[0].what_sb_did}")
        for label, ids in landed.held_twice(held).items():
            findings.append(f"{api_path}: SB holds {label} {len(ids)} times ({', '.join(ids)})")
    declared = ", ".join(f"{n} x {path}" for path, n in expected.items()) or "no writes"
    return judge("INT-08", findings,
                 f"The scenario completed: {declared} landed in SB, valid and exactly once, "
                 "also after another sync.",
                 "The scenario's writes did not land in SB exactly once.")


# --- INT-09: contract run ------------------------------------------------------------------------

def contract_conforms(cases: Sequence[ContractCase], needed: Sequence[str]) -> Judgement:
    """INT-09: every operation the app uses answers the app's grant, conforming to the spec."""
    if not needed:
        return failed("INT-09", "The app made no SB API call, so there was nothing to run "
                      "the contract against.")
    findings: list[str] = []
    warnings: list[str] = []
    forbidden = [c for c in cases if c.status == 403]
    for operation_id in needed:
        if not any(c.operation_id == operation_id for c in cases):
            reason = NOT_GENERATABLE.get(operation_id, "writes are not sent to a live SB")
            warnings.append(f"{operation_id}: not exercised ({reason})")
    for c in forbidden:
        findings.append(f"{c.method} {c.path} ({c.operation_id}) -> 403: the app's bundles do "
                        "not grant it")
    for c in cases:
        if c.status == 0:
            findings.append(f"{c.method} {c.path}: no answer ({c.error})")
        elif c.status >= 500 or c.status == 404:
            findings.append(f"{c.method} {c.path} -> {c.status}: {c.body_excerpt}")
        elif c.status != 403 and "json" not in (c.content_type or ""):
            findings.append(f"{c.method} {c.path} -> {c.status} with content type "
                            f"{c.content_type}, not JSON")
        elif 200 <= c.status < 300 and c.schema_problems:
            warnings.append(f"{c.method} {c.path}: SB's answer deviates from its published "
                            f"schema ({c.schema_problems[0]}); the app must cope with it")
    ok = sum(1 for c in cases if 200 <= c.status < 300)
    if forbidden:
        return failed("INT-09", "Missing rights on a needed endpoint: with the app's grant SB "
                      "answers 403 to operations the app uses.", findings,
                      warnings=sorted(set(warnings)))
    if findings:
        return failed("INT-09", "The contract run found answers that do not conform.", findings,
                      warnings=sorted(set(warnings)))
    return passed("INT-09", f"The contract run sent {len(cases)} generated requests to the "
                  f"{len(needed)} operations the app uses; {ok} succeeded, none was refused "
                  "for missing rights, every answer was JSON.", warnings=sorted(set(warnings)))


# --- INT-10: request volume ----------------------------------------------------------------------

def request_volume(calls: Sequence[Exchange], *, requests_per_item: int) -> Judgement:
    """INT-10: at most N requests per synced item (cfg), over reused connections."""
    if not calls:
        return failed("INT-10", "The app made no SB API calls, so the volume cannot be judged.")
    created = [e for e in calls if e.method in ("POST", "PUT", "DELETE")
               and 200 <= e.status < 300
               and (api_facts(e).result if has_fact(e, "result") else "Succeeded") == "Succeeded"]
    read = sum(int(api_facts(e).returned or 0) for e in calls if e.method == "GET")
    # the item a sync exists for is what it writes; a read-only sync's items are its records
    items = len(created) or read
    unit = "entries written" if created else "records read"
    ratio = len(calls) / max(1, items)
    findings: list[str] = []
    if ratio > requests_per_item:
        per_path: dict[str, int] = {}
        for e in calls:
            per_path[f"{e.method} {e.api_path}"] = per_path.get(f"{e.method} {e.api_path}", 0) + 1
        busiest = sorted(per_path.items(), key=lambda item: -item[1])[:3]
        findings.append(f"{len(calls)} requests for {items} {unit} = {ratio:.1f} per item "
                        f"(limit {requests_per_item}); most: "
                        + ", ".join(f"{name} x{n}" for name, n in busiest))
    ports = [api_facts(e).client_port for e in calls]
    known = [port for port in ports if port is not None]
    warnings: list[str] = []
    if len(known) >= 4 and len(set(known)) == len(known):
        # slower, not wrong: SB answers every request; keep-alive only saves handshakes
        warnings.append(f"each of the {len(known)} requests opened a new connection; reusing "
                        "connections (HTTP keep-alive) makes the sync faster")
    connections = len(set(known)) if known else None
    if findings:
        return failed("INT-10", "The app's request volume is not sane.", findings,
                      warnings=warnings)
    return passed("INT-10", f"{len(calls)} requests for {items} {unit} ({ratio:.1f} per item, "
                  f"limit {requests_per_item})" + (f" over {connections} connection(s)."
                                                   if connections else "."),
                  warnings=warnings)
