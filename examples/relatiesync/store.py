"""RelatieSync's own database (SQLite): the SB connection, the mirror, the outbox, sync state.

One file, shared by the server's worker and the `queue-relation` command (WAL mode, so a
writer in another process does not block readers). The app token is a long-lived credential:
the file is created readable by its owner only.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS connection (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    base_url TEXT NOT NULL,
    environment TEXT NOT NULL,
    app_token TEXT NOT NULL,
    state TEXT NOT NULL,          -- connected | reconnect_needed
    connected_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS tracking (
    list_path TEXT PRIMARY KEY,   -- e.g. /api/organisations
    tracking_token TEXT NOT NULL,
    updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS mirror (
    sb_id TEXT PRIMARY KEY,       -- SB's Id (a guid); the de-duplication key
    kind TEXT NOT NULL,           -- organisation | person
    name TEXT,
    external_id TEXT,
    digest TEXT NOT NULL,         -- of the record as SB sent it, to tell changes from repeats
    record TEXT NOT NULL,
    updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS outbox (
    local_id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,           -- organisation
    payload TEXT NOT NULL,        -- the SB request body, fixed when the relation is queued
    state TEXT NOT NULL,          -- queued | sending | created | rejected | failed | partial
    tracking_identifier TEXT,     -- set (and stored) before the first attempt, kept for retries
    sb_id TEXT,
    message TEXT,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS sync_run (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    finished_at REAL NOT NULL,
    ok INTEGER NOT NULL,
    summary TEXT NOT NULL
);
"""

OPEN_STATES = ("queued", "sending")  # outbox items a sync still has to write


@dataclass(frozen=True)
class Connection:
    """The AFAS SB environment this CRM is connected to, with its app token."""

    base_url: str
    environment: str
    app_token: str
    state: str


@dataclass(frozen=True)
class OutboxItem:
    """One relation the CRM created that must be created in SB exactly once."""

    local_id: int
    kind: str
    payload: dict[str, Any]
    state: str
    tracking_identifier: str | None
    sb_id: str | None
    message: str | None


class Store:
    """Typed access to the database; safe to share between the web and worker threads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            path.touch(mode=0o600)  # holds the app token: owner only
        with self._db() as db:
            db.executescript(SCHEMA)

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            db = sqlite3.connect(self.path, timeout=10)
            try:
                db.execute("PRAGMA journal_mode=WAL")
                db.row_factory = sqlite3.Row
                with db:  # one transaction, committed on success
                    yield db
            finally:
                db.close()

    # ---- connection ----------------------------------------------------------------------
    def connection(self) -> Connection | None:
        """The stored connection, if the administrator has connected an environment."""
        with self._db() as db:
            row = db.execute("SELECT * FROM connection WHERE id = 1").fetchone()
        if row is None:
            return None
        return Connection(row["base_url"], row["environment"], row["app_token"], row["state"])

    def connect(self, base_url: str, environment: str, app_token: str) -> None:
        """Store a (new) connection; a different environment starts the mirror afresh."""
        with self._db() as db:
            old = db.execute("SELECT base_url FROM connection WHERE id = 1").fetchone()
            if old is not None and old["base_url"] != base_url:
                db.execute("DELETE FROM tracking")
                db.execute("DELETE FROM mirror")
            db.execute("INSERT OR REPLACE INTO connection VALUES (1, ?, ?, ?, 'connected', ?)",
                       (base_url, environment, app_token, time.time()))

    def set_connection_state(self, state: str) -> None:
        """Mark the connection connected, or in need of a new app token."""
        with self._db() as db:
            db.execute("UPDATE connection SET state = ? WHERE id = 1", (state,))

    # ---- change tracking and the mirror --------------------------------------------------
    def tracking_token(self, list_path: str) -> str | None:
        """The TrackingToken saved after the last complete read of `list_path`."""
        with self._db() as db:
            row = db.execute("SELECT tracking_token FROM tracking WHERE list_path = ?",
                             (list_path,)).fetchone()
        return str(row["tracking_token"]) if row else None

    def save_tracking_token(self, list_path: str, token: str | None) -> None:
        """Remember the token for the next delta; None forgets it (next read is full)."""
        with self._db() as db:
            if token is None:
                db.execute("DELETE FROM tracking WHERE list_path = ?", (list_path,))
            else:
                db.execute("INSERT OR REPLACE INTO tracking VALUES (?, ?, ?)",
                           (list_path, token, time.time()))

    def mirror_digest(self, sb_id: str) -> str | None:
        """The digest of the mirrored record with SB Id `sb_id`, if it is known."""
        with self._db() as db:
            row = db.execute("SELECT digest FROM mirror WHERE sb_id = ?", (sb_id,)).fetchone()
        return str(row["digest"]) if row else None

    def upsert_mirror(self, sb_id: str, kind: str, record: dict[str, Any], digest: str) -> None:
        """Insert or replace one mirrored SB record (keyed by its Id: never twice)."""
        name = record.get("Name")
        external = record.get("ExternalId")
        with self._db() as db:
            db.execute(
                "INSERT OR REPLACE INTO mirror VALUES (?, ?, ?, ?, ?, ?, ?)",
                (sb_id, kind, name if isinstance(name, str) else None,
                 external if isinstance(external, str) else None, digest,
                 json.dumps(record, ensure_ascii=False), time.time()))

    def mirror_external_ids(self) -> dict[str, str]:
        """ExternalId -> SB Id of mirrored records that carry one (our own relations)."""
        with self._db() as db:
            rows = db.execute("SELECT external_id, sb_id FROM mirror "
                              "WHERE external_id IS NOT NULL").fetchall()
        return {str(row["external_id"]): str(row["sb_id"]) for row in rows}

    def mirror_counts(self) -> dict[str, int]:
        """How many SB records of each kind the mirror holds."""
        with self._db() as db:
            rows = db.execute("SELECT kind, COUNT(*) AS n FROM mirror GROUP BY kind").fetchall()
        return {str(row["kind"]): int(row["n"]) for row in rows}

    # ---- the outbox ----------------------------------------------------------------------
    def queue_relation(self, kind: str, payload: dict[str, Any]) -> int:
        """Queue a new relation for creation in SB; returns its local id."""
        now = time.time()
        with self._db() as db:
            cursor = db.execute(
                "INSERT INTO outbox (kind, payload, state, created_at, updated_at) "
                "VALUES (?, ?, 'queued', ?, ?)",
                (kind, json.dumps(payload, ensure_ascii=False), now, now))
            return int(cursor.lastrowid or 0)

    def next_local_id(self) -> int:
        """The local id the next queued relation will get (for its ExternalId)."""
        with self._db() as db:
            row = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'").fetchone()
        return int(row["seq"]) + 1 if row else 1

    def open_items(self) -> list[OutboxItem]:
        """Outbox items still to be written, oldest first."""
        return self._items("WHERE state IN (?, ?) ORDER BY local_id", OPEN_STATES)

    def all_items(self) -> list[OutboxItem]:
        """Every outbox item, newest first (for the status page)."""
        return self._items("ORDER BY local_id DESC", ())

    def _items(self, where: str, args: tuple[str, ...]) -> list[OutboxItem]:
        with self._db() as db:
            rows = db.execute(f"SELECT * FROM outbox {where}", args).fetchall()
        return [OutboxItem(int(r["local_id"]), str(r["kind"]), json.loads(r["payload"]),
                           str(r["state"]), r["tracking_identifier"], r["sb_id"], r["message"])
                for r in rows]

    def mark_sending(self, local_id: int, tracking_identifier: str) -> None:
        """Persist the write's Tracking-Identifier before the first byte is sent."""
        with self._db() as db:
            db.execute("UPDATE outbox SET state = 'sending', tracking_identifier = ?, "
                       "updated_at = ? WHERE local_id = ?",
                       (tracking_identifier, time.time(), local_id))

    def settle(self, local_id: int, state: str, *, sb_id: str | None = None,
               message: str | None = None) -> None:
        """Record how SB answered a write (created, rejected, failed, partial) or a pause."""
        with self._db() as db:
            db.execute("UPDATE outbox SET state = ?, sb_id = COALESCE(?, sb_id), message = ?, "
                       "updated_at = ? WHERE local_id = ?",
                       (state, sb_id, message, time.time(), local_id))

    # ---- sync runs -----------------------------------------------------------------------
    def record_run(self, ok: bool, summary: str) -> None:
        """Keep the outcome of one sync for the status page."""
        with self._db() as db:
            db.execute("INSERT INTO sync_run (finished_at, ok, summary) VALUES (?, ?, ?)",
                       (time.time(), int(ok), summary))

    def last_run(self) -> tuple[float, bool, str] | None:
        """When the last sync finished, whether it succeeded, and its summary."""
        with self._db() as db:
            row = db.execute("SELECT * FROM sync_run ORDER BY id DESC LIMIT 1").fetchone()
        return (float(row["finished_at"]), bool(row["ok"]), str(row["summary"])) if row else None


def database_path(raw: str) -> Path:
    """The database path from the command line, with ~ expanded."""
    return Path(os.path.expanduser(raw))
