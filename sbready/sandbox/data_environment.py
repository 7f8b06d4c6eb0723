"""The mutable data of one customer environment: entities, blobs, change tracking, write log."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sbready.sandbox.seed_data import Entity, EnvironmentSeed, build_environment, generic_entities

_TOKEN = re.compile(r"^(\d{8})(\d{6})(\d{1,12})$")
CHANGED = "_changed"  # entity key holding the change number of its last create/update


class ChangeClock:
    """Monotonic change numbers and the TrackingTokens that carry them.

    AFAS documents the format `yyyyMMdd<id>` with the id "determined server-side"; its
    examples (202312040745010, 2024020508565910) read as yyyyMMdd HHmmss and a counter, so
    ours are yyyyMMdd + HHmmss (UTC, when issued) + the change number. One clock lives as
    long as the store, across resets, so tokens only ever grow. The clock also remembers
    when each change happened, for the re-delivery cache (see store.py).
    """

    def __init__(self, now: Callable[[], float] = time.time) -> None:
        self.number = 0
        self.now = now
        self._lock = threading.Lock()
        self._times: dict[int, float] = {}
        self.quiet: set[int] = set()  # change numbers that are seed data, never re-delivered

    def tick(self, *, seed: bool = False) -> int:
        """The next change number (`seed`: the birth of an environment's seed data)."""
        with self._lock:
            self.number += 1
            self._times[self.number] = self.now()
            if seed:
                self.quiet.add(self.number)
            return self.number

    def changed_at(self, number: int) -> float | None:
        """When change `number` happened (None for seed data and unknown numbers)."""
        return None if number in self.quiet else self._times.get(number)

    def token(self) -> str:
        """A TrackingToken for "everything up to now"."""
        issued = datetime.fromtimestamp(self.now(), UTC)
        return f"{issued:%Y%m%d%H%M%S}{self.number}"

    @staticmethod
    def parse(token: str) -> int:
        """The change number in a TrackingToken; ValueError when it is not one of ours."""
        match = _TOKEN.match(token.strip())
        if match is None:
            raise ValueError(f"TrackingToken {token!r} is malformed; send the TrackingToken "
                             "of a previous answer (yyyyMMdd followed by digits)")
        datetime.strptime(match.group(1) + match.group(2), "%Y%m%d%H%M%S")  # or ValueError
        return int(match.group(3))


_SEEDS: dict[tuple[int, str, int | None], EnvironmentSeed] = {}
_SEEDS_LOCK = threading.Lock()


def seed_for(seed: int, environment: str, records: int | None = None) -> EnvironmentSeed:
    """The (cached, shared, never mutated) seed data of one environment at scale `records`."""
    key = (seed, environment, records)
    with _SEEDS_LOCK:
        cached = _SEEDS.get(key)
        if cached is None:
            if len(_SEEDS) > 64 or (records and any(k[2] for k in _SEEDS)):
                _SEEDS.clear()  # large seeds are not kept side by side
            cached = _SEEDS[key] = build_environment(seed, environment, records)
        return cached


class Environment:
    """One environment's current data (a private copy of its seed plus writes)."""

    def __init__(self, name: str, seed: EnvironmentSeed, clock: ChangeClock) -> None:
        self.name = name
        self.seed = seed
        self.clock = clock
        self.born = clock.tick(seed=True)  # seed records count as changed at this moment
        self._entities: dict[str, list[Entity]] = {
            kind: [{**entity, CHANGED: self.born} for entity in entities]
            for kind, entities in seed.entities.items()
        }
        self._by_id: dict[str, dict[str, Entity]] = {}
        self.blobs = seed.blobs.copy()
        self.versions: dict[str, int] = {}  # kind -> edit count, for projection caches
        self.written: dict[str, list[dict[str, Any]]] = {}
        # kind -> {(administration lower case, invoice number)}: duplicate checks at scale
        self._invoice_numbers: dict[str, set[tuple[str, str]]] = {}
        # (kind, administration) -> entities a reference may point at, per kind versions
        self._candidates: dict[tuple[str, Any], tuple[tuple[int, ...], list[Entity]]] = {}

    def entities(self, kind: str) -> list[Entity]:
        """Entities of one kind; kinds without a model get generic entities on first use."""
        found = self._entities.get(kind)
        if found is None:
            generated = generic_entities(self.seed, kind)
            found = self._entities[kind] = [{**e, CHANGED: self.born} for e in generated]
        return found

    def find(self, kind: str, entity_id: Any) -> Entity | None:
        """The entity of `kind` with this Id (case-insensitive guid), if any."""
        if not isinstance(entity_id, str):
            return None
        index = self._by_id.get(kind)
        if index is None:
            index = self._by_id[kind] = {str(e.get("Id")).lower(): e for e in self.entities(kind)}
        return index.get(entity_id.lower())

    def candidates(self, kind: str, administration: Any = None) -> list[Entity]:
        """Entities a reference of `kind` ("relation": organisations and persons) may point
        at: those of `administration` when it has any, else all. Cached until the kinds
        change, so projecting a large customer's records is not quadratic."""
        kinds = ("organisation", "person") if kind == "relation" else (kind,)
        versions = tuple(self.version(k) for k in kinds) + tuple(
            len(self.entities(k)) for k in kinds)
        key = (kind, administration)
        cached = self._candidates.get(key)
        if cached is not None and cached[0] == versions:
            return cached[1]
        everything = [entity for k in kinds for entity in self.entities(k)]
        found = everything
        if administration:
            same = [c for c in everything if c.get("AdministrationId") == administration]
            found = same or everything
        self._candidates[key] = (versions, found)
        return found

    def invoice_number_taken(self, kind: str, administration: str, number: str) -> bool:
        """True when an entity of `kind` in `administration` (lower case) has this
        InvoiceNumber: what a duplicate check asks, without a scan per write."""
        index = self._invoice_numbers.get(kind)
        if index is None:
            index = self._invoice_numbers[kind] = {
                key for key in map(_invoice_key, self.entities(kind)) if key is not None}
        return (administration, number) in index

    def version(self, kind: str) -> int:
        """How often this kind was edited (0 for seed data)."""
        return self.versions.get(kind, 0)

    def _touched(self, kind: str) -> None:
        self.versions[kind] = self.versions.get(kind, 0) + 1
        self._by_id.pop(kind, None)
        self._invoice_numbers.pop(kind, None)

    def add(self, kind: str, entity: Entity) -> Entity:
        """Create an entity (bumps change tracking)."""
        entity[CHANGED] = self.clock.tick()
        self.entities(kind).append(entity)
        index = self._invoice_numbers.get(kind)
        self._touched(kind)
        key = _invoice_key(entity)
        if index is not None:  # a create keeps the index: one more number
            if key is not None:
                index.add(key)
            self._invoice_numbers[kind] = index
        return entity

    def update(self, kind: str, entity: Entity, changes: dict[str, Any]) -> Entity:
        """Change fields of an existing entity (bumps change tracking)."""
        entity.update(changes)
        entity[CHANGED] = self.clock.tick()
        self._touched(kind)
        return entity

    def remove(self, kind: str, predicate: Any) -> list[Entity]:
        """Delete the entities of `kind` for which predicate(entity) is true."""
        current = self.entities(kind)
        removed = [e for e in current if predicate(e)]
        if removed:
            self._entities[kind] = [e for e in current if not predicate(e)]
            self._touched(kind)
        return removed

    def record_written(self, api_path: str, record: dict[str, Any]) -> None:
        """Log a record created through a write endpoint (for `ApiStore.written`)."""
        self.written.setdefault(api_path, []).append(record)


def _invoice_key(entity: Entity) -> tuple[str, str] | None:
    number = entity.get("InvoiceNumber")
    if not isinstance(number, str):
        return None
    return str(entity.get("AdministrationId", "")).lower(), number
