"""The bureau's own records: the connected office, its client environments, the payroll runs.

One JSON file in the data folder, rewritten atomically under a lock after every change, so a
Tracking-Identifier is on disk before the request that carries it leaves the process. The
app token lives in the same file, which is created readable by its owner only.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

RunState = Literal["new", "sending", "booked", "failed", "partial", "rejected"]
OPEN_STATES: tuple[RunState, ...] = ("new", "sending")  # still to be booked (again)


@dataclass(frozen=True)
class PayrollRun:
    """One payroll run of one client: booked as one payroll journal entry."""

    run_id: str
    environment: str  # the client's SB environment (getscopes Path)
    period: str  # yyyy-mm
    booking_date: str  # yyyy-mm-dd
    description: str
    gross_wages_cents: int
    employer_charges_cents: int
    net_wages_cents: int
    payroll_tax_cents: int
    state: RunState = "new"
    tracking_identifier: str | None = None  # fixed before the first send, reused on retries
    entry_id: str | None = None  # the Id SB gave the journal entry
    message: str = ""  # why the run is held, in the words SB used


@dataclass(frozen=True)
class ClientEnvironment:
    """A client of the office, as getscopes lists it, and where its payroll is booked."""

    path: str
    name: str
    administration_id: str | None = None  # chosen once, then kept (the guide: record it)
    administration_name: str = ""


@dataclass(frozen=True)
class Office:
    """The accounting office that activated the app in its Admin Center."""

    admin_base_url: str  # <root>/admin, as handed over
    app_token: str = field(repr=False)  # a secret: never printed


class LedgerBookError(RuntimeError):
    """The records cannot be read; the message says which file and what to do."""


class LedgerBook:
    """Thread-safe access to the bureau's records in `<data>/salarisbureau-state.json`."""

    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self.path = data_dir / "salarisbureau-state.json"
        self._lock = threading.RLock()
        self._state: dict[str, Any] = {"office": None, "environments": {}, "runs": {}}
        if self.path.exists():
            try:
                self._state = json.loads(self.path.read_text(encoding="utf-8"))
            except ValueError as error:
                raise LedgerBookError(f"{self.path} is not valid JSON ({error}); restore it "
                                      "from a backup before starting the app.") from None

    def _save(self) -> None:
        temporary = self.path.with_suffix(".tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(self._state, handle, indent=1, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.path)

    # ---- the office -----------------------------------------------------------------------

    def office(self) -> Office | None:
        """The connected office, if any."""
        with self._lock:
            raw = self._state["office"]
            return Office(**raw) if raw else None

    def connect_office(self, office: Office) -> None:
        """Store the office's (new) app token; a reconnect replaces the old one."""
        with self._lock:
            self._state["office"] = asdict(office)
            self._save()

    # ---- client environments --------------------------------------------------------------

    def environments(self) -> dict[str, ClientEnvironment]:
        """The client environments seen so far, by path."""
        with self._lock:
            return {p: ClientEnvironment(**e) for p, e in self._state["environments"].items()}

    def remember_environment(self, environment: ClientEnvironment) -> bool:
        """Store or update an environment; True when it was not known before."""
        with self._lock:
            new = environment.path not in self._state["environments"]
            self._state["environments"][environment.path] = asdict(environment)
            self._save()
            return new

    # ---- payroll runs ---------------------------------------------------------------------

    def runs(self, environment: str | None = None) -> list[PayrollRun]:
        """Every payroll run (of one environment), oldest first."""
        with self._lock:
            runs = [PayrollRun(**r) for r in self._state["runs"].values()]
        return [r for r in runs if environment is None or r.environment == environment]

    def open_runs(self, environment: str) -> list[PayrollRun]:
        """The runs of `environment` still to be booked (new, or sent without an answer)."""
        return [r for r in self.runs(environment) if r.state in OPEN_STATES]

    def add_run(self, run: PayrollRun) -> None:
        """Record a new payroll run (its run_id must be new)."""
        with self._lock:
            if run.run_id in self._state["runs"]:
                raise ValueError(f"payroll run {run.run_id} exists already")
            self._state["runs"][run.run_id] = asdict(run)
            self._save()

    def update_run(self, run: PayrollRun, **changes: Any) -> PayrollRun:
        """Persist changes to a run (on disk before this returns) and return the new run."""
        updated = replace(run, **changes)
        with self._lock:
            self._state["runs"][run.run_id] = asdict(updated)
            self._save()
        return updated
