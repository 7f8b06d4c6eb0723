"""One sync: mirror SB's organisations and persons incrementally, then write the outbox.

Reads: the first read of a list is complete (skip/take pages sorted on Id); its TrackingToken
(taken from the first page, so changes made while paging come again) is saved, and later
syncs read only the changes since then, also paged. SB caches delta answers for a few
minutes, so an item can come twice: records are de-duplicated by Id, and a repeat that did
not change is not counted as a change.

Writes: each queued relation gets a uuid4 Tracking-Identifier that is stored before the first
attempt and reused for every retry (in this sync or a later one), so SB creates it once. SB's
answer is honoured: Succeeded -> created; PartiallySucceeded/Failed/400 -> parked for a person
to look at, never re-sent automatically (a Failed write can still have made the record).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from examples.relatiesync.flaws import flaw
from examples.relatiesync.sb_client import SbAnswer, SbClient, SbError, sb_message
from examples.relatiesync.store import OutboxItem, Store

PAGE_SIZE = 100
SORT_FIELD = "Id ascending"  # Id is unique, so pages neither skip nor repeat records
MAX_PAGES = 10_000  # a runaway guard: 1 million records per list
LISTS = (("/api/organisations", "organisation", "2.0"), ("/api/persons", "person", "2.0"))
PRODUCTS = ("/api/products", "product", "3.0")  # only read with the mirror_products flaw
CREATE_ORGANISATION = ("/api/organisation", "3.0")


@dataclass
class ListRead:
    """What one list read brought in."""

    list_path: str
    incremental: bool
    new: int = 0
    changed: int = 0
    repeated: int = 0  # the same Id again with the same content (SB's delta cache)
    without_id: int = 0

    def describe(self) -> str:
        """'organisations: full read, 120 new' and the like."""
        how = "changes" if self.incremental else "full read"
        text = f"{self.list_path.rsplit('/', 1)[-1]}: {how}, {self.new} new, {self.changed} changed"
        if self.repeated:
            text += f", {self.repeated} repeated (ignored)"
        if self.without_id:
            text += f", {self.without_id} without Id (skipped)"
        return text


@dataclass
class WriteOutcome:
    """What happened to the outbox in one sync."""

    created: list[str] = field(default_factory=list)
    linked: list[str] = field(default_factory=list)  # already in SB (same ExternalId)
    problems: list[str] = field(default_factory=list)


def records_of(body: Any) -> tuple[list[Any], str | None]:
    """The records and TrackingToken of a list answer: `[...]` or `{TrackingToken, Result}`."""
    if isinstance(body, list):
        return body, None
    if isinstance(body, dict):
        rows = body.get("Result")
        token = body.get("TrackingToken")
        return (rows if isinstance(rows, list) else []), (
            token if isinstance(token, str) and token.strip() else None)
    raise SbError("AFAS SB answered a list request with something that is not a list; "
                  "the sync stopped without changing the mirror")


def digest_of(record: dict[str, Any]) -> str:
    """A stable fingerprint of a record, to tell a real change from a repeat."""
    return hashlib.sha256(json.dumps(record, sort_keys=True, default=str).encode()).hexdigest()


def merge_record(store: Store, read: ListRead, kind: str, record: Any,
                 seen: set[str]) -> None:
    """De-duplicate one record by Id into the mirror and count what it was."""
    if flaw("names_required") and isinstance(record, dict):
        record["Name"] = record["Name"].strip()  # assumes SB always sends a Name
    sb_id = record.get("Id") if isinstance(record, dict) else None
    if not isinstance(sb_id, str) or not sb_id.strip():
        read.without_id += 1
        return
    assert isinstance(record, dict)
    key = sb_id.lower()
    digest = digest_of(record)
    known = store.mirror_digest(key)
    if key in seen or known == digest:
        read.repeated += 1
    elif known is None:
        read.new += 1
    else:
        read.changed += 1
    seen.add(key)
    if known != digest:
        store.upsert_mirror(key, kind, record, digest)


def pull_list(client: SbClient, store: Store, list_path: str, kind: str,
              version: str) -> ListRead:
    """Read one list completely (first time) or its changes (TrackingToken) into the mirror."""
    previous = None if flaw("tracking_token_ignored") else store.tracking_token(list_path)
    read = ListRead(list_path, incremental=previous is not None)
    seen: set[str] = set()
    next_token: str | None = None
    for page in range(MAX_PAGES):
        params = {"skip": str(page * PAGE_SIZE), "take": str(PAGE_SIZE), "sortField": SORT_FIELD}
        if flaw("short_sort_direction"):
            params["sortField"] = "Id asc"
        if flaw("unsorted_pages"):
            del params["sortField"]
        if previous:
            params["TrackingToken"] = previous
        answer = client.call("GET", list_path, version=version, params=params)
        if answer.status != 200:
            raise SbError(f"GET {list_path} answered HTTP {answer.status}: "
                          + sb_message(answer.body, answer.text[:200])
                          + _trace(answer))
        records, token = records_of(answer.body)
        if page == 0:
            next_token = token
        for record in records:
            merge_record(store, read, kind, record, seen)
        if flaw("organisations_one_by_one") and kind == "organisation":
            _reread_singly(client, list_path, version, records)
        if len(records) < PAGE_SIZE or flaw("first_page_only"):
            break
    # saved only after the whole list is in: an interrupted read is repeated, never skipped
    store.save_tracking_token(list_path, next_token)
    return read


def _reread_singly(client: SbClient, list_path: str, version: str, records: list[Any]) -> None:
    """The organisations_one_by_one flaw: "verifies" every record with a request of its own."""
    for record in records:
        if isinstance(record, dict) and isinstance(record.get("Id"), str):
            client.call("GET", list_path, version=version,
                        params={"filter": f"Id eq {record['Id']}"})


def _trace(answer: SbAnswer) -> str:
    return f" (TraceId {answer.trace_id})" if answer.trace_id else ""


def _errors_text(body: Any) -> str:
    """SB's write errors as one line: strings, or objects such as {"Verkoopfactuur": "..."}."""
    errors = body.get("errors") if isinstance(body, dict) else None
    parts: list[str] = []
    for error in errors if isinstance(errors, list) else []:
        if isinstance(error, dict):
            parts += [f"{key}: {value}" for key, value in error.items()]
        else:
            parts.append(str(error))
    return "; ".join(parts) or "no details given"


def created_id(body: Any) -> str | None:
    """The new relation's SB Id: data.RelationId or the first instance's Id."""
    if not isinstance(body, dict):
        return None
    data = body.get("data")
    if isinstance(data, dict) and isinstance(data.get("RelationId"), str):
        return str(data["RelationId"])
    instances = body.get("instances")
    if isinstance(instances, list):
        for instance in instances:
            if isinstance(instance, dict) and isinstance(instance.get("Id"), str):
                return str(instance["Id"])
    return None


def write_item(client: SbClient, store: Store, item: OutboxItem, outcome: WriteOutcome) -> None:
    """Create one queued organisation in SB, exactly once, and record SB's verdict."""
    name = str(item.payload.get("Name") or f"relation {item.local_id}")
    identifier = item.tracking_identifier or str(uuid.uuid4())
    if flaw("forget_created"):
        identifier = str(uuid.uuid4())
    store.mark_sending(item.local_id, identifier)  # stored first: a crash cannot lose it
    path, version = CREATE_ORGANISATION
    if flaw("organisation_version_2"):
        version = "2.0"
    answer = client.call("POST", path, version=version, body=item.payload,
                         tracking_identifier=identifier)
    for _ in range(2 if flaw("resend_rejected") else 0):
        if answer.status != 400:
            break
        answer = client.call("POST", path, version=version, body=item.payload,
                             tracking_identifier=identifier)
    result = answer.body.get("result") if isinstance(answer.body, dict) else None
    if flaw("ignore_write_result") and 200 <= answer.status < 300:
        result = "Succeeded"
    if 200 <= answer.status < 300 and result == "Succeeded":
        store.settle(item.local_id, "queued" if flaw("forget_created") else "created",
                     sb_id=created_id(answer.body))
        outcome.created.append(name)
        return
    if 200 <= answer.status < 300 and result == "PartiallySucceeded":
        state, what = "partial", "was created only partly"
    elif 200 <= answer.status < 300:
        state, what = "failed", f"failed (result {result or 'missing'})"
    else:
        state, what = "rejected", f"was rejected with HTTP {answer.status}"
    details = (_errors_text(answer.body) if 200 <= answer.status < 300
               else sb_message(answer.body, answer.text[:200]))
    message = f"'{name}' {what}: {details}{_trace(answer)}"
    # parked, not re-sent: SB may hold the record already; a person checks SB and re-queues
    store.settle(item.local_id, state, sb_id=created_id(answer.body), message=message)
    outcome.problems.append(message)


def push_outbox(client: SbClient, store: Store) -> WriteOutcome:
    """Write every open outbox item; an item already mirrored from SB is linked instead."""
    outcome = WriteOutcome()
    mirrored = {} if flaw("forget_created") else store.mirror_external_ids()
    for item in store.open_items():
        external = item.payload.get("ExternalId")
        if isinstance(external, str) and external in mirrored:
            # SB has it already (an earlier write whose answer never came): never twice
            store.settle(item.local_id, "created", sb_id=mirrored[external])
            outcome.linked.append(str(item.payload.get("Name")))
            continue
        write_item(client, store, item, outcome)
    return outcome


@dataclass(frozen=True)
class SyncReport:
    """How a sync ended: HTTP status for POST /sync, and a JSON body."""

    http_status: int
    body: dict[str, Any]

    @property
    def ok(self) -> bool:
        """True when everything was read and written."""
        return self.http_status == 200


def run_sync(client: SbClient, store: Store) -> SyncReport:
    """Pull both lists, then push the outbox; SbError subclasses stop it (caller maps them)."""
    lists = LISTS + ((PRODUCTS,) if flaw("mirror_products") else ())
    if flaw("persons_at_singular_path"):
        lists = tuple(("/api/person", kind, version) if path == "/api/persons"
                      else (path, kind, version) for path, kind, version in lists)
    reads = [pull_list(client, store, path, kind, version) for path, kind, version in lists]
    written = push_outbox(client, store)
    summary = "; ".join(read.describe() for read in reads)
    body: dict[str, Any] = {
        "read": {read.list_path: {"incremental": read.incremental, "new": read.new,
                                  "changed": read.changed, "repeated": read.repeated}
                 for read in reads},
        "created": written.created,
        "linked": written.linked,
    }
    if written.problems:
        body.update(status="error", message=(
            f"{len(written.problems)} relation(s) could not be created in AFAS SB and wait "
            "for a person to check them: " + " | ".join(written.problems)
            + f". Read: {summary}."), problems=written.problems)
        return SyncReport(502, body)
    body.update(status="ok", message=f"Synced. Read {summary}; created "
                f"{len(written.created)} relation(s) in AFAS SB.")
    return SyncReport(200, body)
