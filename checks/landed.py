"""What landed in SB: entries held, entries held twice, and entries SB had made sent again.

ERR-05, ERR-08 and INT-08 judge the sandbox's state after a scenario first; the requests are
evidence for the message. SB answers a retry that carries the same Tracking-Identifier from
its cache without processing it again (AFAS's change-tracking page), so a same-identifier
re-send is safe; a re-send under another (or no) identifier reaches SB as a new request: it
makes a second record, or SB refuses it ("... already exists"), while the first one, possibly
half-made, stays.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from checks.evidence import where, writes
from sbready.evidence import Exchange, api_facts


def entry_key(body: Any) -> str:
    """What makes two bodies the same entry: administration + invoice number, else the body."""
    if isinstance(body, Mapping):
        number = body.get("InvoiceNumber")
        if isinstance(number, str) and number:
            return f"{str(body.get('AdministrationId', '')).lower()}|{number}"
        body = {k: v for k, v in body.items() if k != "Id"}
    return json.dumps(body, sort_keys=True, default=str)


def entry_label(body: Any) -> str:
    """How a finding names an entry: "invoice DP-S-1A2B" or a short body."""
    if isinstance(body, Mapping) and body.get("InvoiceNumber"):
        return f"invoice {body['InvoiceNumber']}"
    if isinstance(body, Mapping):
        body = {k: v for k, v in body.items() if k != "Id"}  # a record's own id is no content
    text = json.dumps(body, sort_keys=True, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def held_ids(held: Sequence[Mapping[str, Any]], body: Any) -> list[str]:
    """The ids of the records SB holds for the entry `body` describes."""
    key = entry_key(body)
    return [str(record.get("Id")) for record in held if entry_key(record) == key]


def held_twice(held: Sequence[Mapping[str, Any]]) -> dict[str, list[str]]:
    """Entries SB holds more than once: entry label -> record ids."""
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for record in held:
        groups.setdefault(entry_key(record), []).append(record)
    return {entry_label(records[0]): [str(r.get("Id")) for r in records]
            for records in groups.values() if len(records) > 1}


def made_by(exchange: Exchange) -> str | None:
    """The id SB made for this write (also for a Failed that made it anyway), if it made one."""
    if api_facts(exchange).replayed:
        return None  # the cache answered: the entry is the first attempt's
    created = api_facts(exchange).created_id
    return str(created) if created else None


def _identifier(exchange: Exchange) -> str | None:
    value = api_facts(exchange).tracking_identifier
    return str(value).strip() or None if value else None


@dataclass(frozen=True)
class Resend:
    """A write SB processed again although an earlier write had made the same entry."""

    made: Exchange  # the write that made the entry
    again: Exchange  # the later write of the same entry that reached SB as a new request

    @property
    def duplicated(self) -> bool:
        """True when SB made the entry a second time (not only refused it)."""
        return made_by(self.again) is not None

    @property
    def identifier_phrase(self) -> str:
        """"another Tracking-Identifier (x instead of y)" or "no Tracking-Identifier"."""
        sent = _identifier(self.again)
        if sent is None:
            return "no Tracking-Identifier"
        return f"another Tracking-Identifier ({sent} instead of {_identifier(self.made)})"

    @property
    def what_sb_did(self) -> str:
        """SB's reaction in a few words: a second record, or its refusal."""
        created = made_by(self.again)
        if created is not None:
            return f"SB made it a second time ({created})"
        errors = api_facts(self.again).errors or []
        first = str(errors[0]) if errors else f"result {api_facts(self.again).result}"
        return f"SB refused it: {first[:160]}"

    def sentence(self) -> str:
        """One finding: which entry, made where, sent again how, and what SB did."""
        result = api_facts(self.made).result or "an answer that was lost"
        if self.made.status == 0:
            result = "an answer that was lost"
        return (f"{entry_label(self.made.request_body)}, which SB had made at {where(self.made)} "
                f"({result}; id {made_by(self.made)}), was sent again with "
                f"{self.identifier_phrase} at {where(self.again)}: {self.what_sb_did}")


def resends_of_made(exchanges: Sequence[Exchange]) -> list[Resend]:
    """Every later POST of an entry SB had already made that reached SB as a new request.

    A re-send with the first attempt's Tracking-Identifier is answered from SB's cache
    (replayed) and is not one; neither is an attempt that never reached SB (held, dropped).
    """
    posts = [e for e in writes(exchanges) if e.method == "POST"]
    deletes = [e for e in writes(exchanges) if e.method == "DELETE"
               and api_facts(e).result == "Succeeded"]
    found: list[Resend] = []
    for position, made in enumerate(posts):
        created = made_by(made)
        if created is None:
            continue
        key = entry_key(made.request_body)
        # once the app deleted the entry (e.g. a half-made one), posting it anew is no re-send
        gone = min((e.seq for e in deletes if e.seq > made.seq and _names(e, created)),
                   default=None)
        for again in posts[position + 1:]:
            if again.api_path != made.api_path or entry_key(again.request_body) != key:
                continue
            if gone is not None and again.seq > gone:
                continue
            if api_facts(again).replayed or api_facts(again).result is None:
                continue
            if _identifier(again) is not None and _identifier(again) == _identifier(made):
                continue
            found.append(Resend(made, again))
        # later attempts are judged against the first write that made the entry only
    return _first_per_again(found)


def _names(delete: Exchange, ident: str) -> bool:
    """True when a DELETE names the record `ident` (in its body, path or query)."""
    return ident in json.dumps(delete.request_body, default=str) or ident in delete.path or \
        ident in json.dumps(delete.query, default=str)


def _first_per_again(found: list[Resend]) -> list[Resend]:
    seen: set[int] = set()
    kept = []
    for resend in found:
        if resend.again.seq not in seen:
            seen.add(resend.again.seq)
            kept.append(resend)
    return kept


def same_identifier_resends(exchanges: Sequence[Exchange]) -> list[Exchange]:
    """Writes SB answered from its Tracking-Identifier cache (safe re-sends), for messages."""
    return [e for e in writes(exchanges) if api_facts(e).replayed]
