"""The app's own SQLite database: sign-in attempts, SB connections, synced data, posted entries.

Tokens are kept in this file as a real small SaaS would keep them in its database; protect
the file like a password store (file permissions, disk encryption).
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from examples.demo_partner.errors import UsageProblem

ATTEMPT_LIFETIME = 600.0  # seconds a started authorization may take to come back

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS auth_attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT, state TEXT, session_id TEXT NOT NULL,
    base_url TEXT NOT NULL, verifier TEXT NOT NULL, redirect_uri TEXT NOT NULL,
    created REAL NOT NULL, used INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS connections (
    base_url TEXT PRIMARY KEY, kind TEXT NOT NULL, access_token TEXT, refresh_token TEXT,
    expires_at REAL, app_token TEXT, connected_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS tracking_tokens (
    base_url TEXT NOT NULL, endpoint TEXT NOT NULL, token TEXT NOT NULL,
    PRIMARY KEY (base_url, endpoint));
CREATE TABLE IF NOT EXISTS records (
    base_url TEXT NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL,
    PRIMARY KEY (base_url, kind, id));
CREATE TABLE IF NOT EXISTS entries (
    base_url TEXT NOT NULL, invoice_number TEXT NOT NULL, tracking_identifier TEXT NOT NULL,
    payload_hash TEXT NOT NULL, status TEXT NOT NULL, sb_id TEXT, detail TEXT,
    updated REAL NOT NULL, PRIMARY KEY (base_url, invoice_number));
"""


@dataclass(frozen=True)
class AuthAttempt:
    """One started OAuth authorization, kept server-side until its callback."""

    id: int
    state: str | None
    session_id: str
    base_url: str
    verifier: str
    redirect_uri: str
    created: float


@dataclass
class Connection:
    """The credentials for one AFAS SB environment (keyed by its base URL)."""

    base_url: str
    kind: str  # "oauth" | "apptoken"
    access_token: str | None = None
    refresh_token: str | None = None
    expires_at: float | None = None
    app_token: str | None = None

    @property
    def environment(self) -> str:
        """The environment name: the last path segment of the base URL."""
        return self.base_url.rstrip("/").rsplit("/", 1)[-1]


@dataclass(frozen=True)
class EntryRecord:
    """What the app remembers about one invoice it posts as a sales journal entry."""

    base_url: str
    invoice_number: str
    tracking_identifier: str
    payload_hash: str
    status: str  # "pending" | "posted" | "partial" | "failed" | "made_with_errors" | "rejected"
    sb_id: str | None
    detail: str | None


class Store:
    """Thread-safe access to the app's SQLite file (one connection, one lock)."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._lock = threading.Lock()
        # the web server (thread pool) and a `sync` process may share the file
        try:
            self._db = sqlite3.connect(self.path, timeout=10.0, check_same_thread=False)
            self._db.row_factory = sqlite3.Row
            with self._lock, self._db:
                self._db.executescript(_SCHEMA)
        except sqlite3.Error as error:
            raise UsageProblem(
                f"cannot use the database {self.path} ({error}); pass --db with a writable path."
            ) from None

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock, self._db:
            yield self._db

    # -- meta ---------------------------------------------------------------------------
    def session_key(self) -> str:
        """The key that signs session cookies: made once, then kept in the database."""
        with self._tx() as db:
            row = db.execute("SELECT value FROM meta WHERE key='session_key'").fetchone()
            if row:
                return str(row["value"])
            key = secrets.token_urlsafe(32)
            db.execute("INSERT INTO meta (key, value) VALUES ('session_key', ?)", (key,))
            return key

    # -- authorization attempts ------------------------------------------------------------
    def add_attempt(
        self, *, state: str | None, session_id: str, base_url: str, verifier: str,
        redirect_uri: str,
    ) -> None:
        """Remember a started authorization (state, PKCE verifier) until its callback."""
        with self._tx() as db:
            db.execute(
                "INSERT INTO auth_attempts (state, session_id, base_url, verifier, redirect_uri,"
                " created) VALUES (?, ?, ?, ?, ?, ?)",
                (state, session_id, base_url, verifier, redirect_uri, time.time()),
            )

    def take_attempt(self, state: str) -> AuthAttempt | None:
        """The unused, fresh attempt with this state, marked used (a state works once)."""
        with self._tx() as db:
            row = db.execute(
                "SELECT * FROM auth_attempts WHERE state=? AND used=0 AND created>? "
                "ORDER BY id DESC LIMIT 1",
                (state, time.time() - ATTEMPT_LIFETIME),
            ).fetchone()
            return self._use(db, row)

    def take_latest_attempt(self, session_id: str) -> AuthAttempt | None:
        """The newest unused attempt of a browser session (only the state-less flaws use it)."""
        with self._tx() as db:
            row = db.execute(
                "SELECT * FROM auth_attempts WHERE session_id=? AND used=0 AND created>? "
                "ORDER BY id DESC LIMIT 1",
                (session_id, time.time() - ATTEMPT_LIFETIME),
            ).fetchone()
            return self._use(db, row)

    @staticmethod
    def _use(db: sqlite3.Connection, row: sqlite3.Row | None) -> AuthAttempt | None:
        if row is None:
            return None
        db.execute("UPDATE auth_attempts SET used=1 WHERE id=?", (row["id"],))
        return AuthAttempt(
            id=row["id"], state=row["state"], session_id=row["session_id"],
            base_url=row["base_url"], verifier=row["verifier"],
            redirect_uri=row["redirect_uri"], created=row["created"],
        )

    # -- connections -----------------------------------------------------------------------
    def save_connection(self, connection: Connection) -> None:
        """Insert or update the credentials of one environment."""
        with self._tx() as db:
            db.execute(
                "INSERT INTO connections (base_url, kind, access_token, refresh_token,"
                " expires_at, app_token, connected_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT(base_url) DO UPDATE SET kind=excluded.kind,"
                " access_token=excluded.access_token, refresh_token=excluded.refresh_token,"
                " expires_at=excluded.expires_at, app_token=excluded.app_token",
                (
                    connection.base_url, connection.kind, connection.access_token,
                    connection.refresh_token, connection.expires_at, connection.app_token,
                    time.time(),
                ),
            )

    def connections(self) -> list[Connection]:
        """Every stored connection, oldest first."""
        with self._tx() as db:
            rows = db.execute("SELECT * FROM connections ORDER BY connected_at").fetchall()
        return [
            Connection(
                base_url=row["base_url"], kind=row["kind"], access_token=row["access_token"],
                refresh_token=row["refresh_token"], expires_at=row["expires_at"],
                app_token=row["app_token"],
            )
            for row in rows
        ]

    def connection(self, base_url: str) -> Connection | None:
        """The stored connection for one base URL, if any."""
        return next((c for c in self.connections() if c.base_url == base_url), None)

    # -- synced data -----------------------------------------------------------------------
    def tracking_token(self, base_url: str, endpoint: str) -> str | None:
        """The TrackingToken of the last complete read of a change-tracking endpoint."""
        with self._tx() as db:
            row = db.execute(
                "SELECT token FROM tracking_tokens WHERE base_url=? AND endpoint=?",
                (base_url, endpoint),
            ).fetchone()
        return None if row is None else str(row["token"])

    def set_tracking_token(self, base_url: str, endpoint: str, token: str) -> None:
        """Remember the TrackingToken to ask only for changes next time."""
        with self._tx() as db:
            db.execute(
                "INSERT INTO tracking_tokens (base_url, endpoint, token) VALUES (?, ?, ?)"
                " ON CONFLICT(base_url, endpoint) DO UPDATE SET token=excluded.token",
                (base_url, endpoint, token),
            )

    def save_records(
        self, base_url: str, kind: str, records: Iterable[dict[str, Any]], *, replace: bool
    ) -> None:
        """Store records by Id; `replace` drops the kind's old records first (full reads)."""
        with self._tx() as db:
            if replace:
                db.execute("DELETE FROM records WHERE base_url=? AND kind=?", (base_url, kind))
            for record in records:
                record_id = record.get("Id")
                if not isinstance(record_id, str) or not record_id:
                    continue  # a record without an Id cannot be referenced by a write
                db.execute(
                    "INSERT INTO records (base_url, kind, id, data) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT(base_url, kind, id) DO UPDATE SET data=excluded.data",
                    (base_url, kind, record_id, json.dumps(record)),
                )

    def records(self, base_url: str, kind: str) -> list[dict[str, Any]]:
        """The stored records of one kind, in Id order."""
        with self._tx() as db:
            rows = db.execute(
                "SELECT data FROM records WHERE base_url=? AND kind=? ORDER BY id",
                (base_url, kind),
            ).fetchall()
        return [json.loads(row["data"]) for row in rows]

    # -- posted entries --------------------------------------------------------------------
    def entry(self, base_url: str, invoice_number: str) -> EntryRecord | None:
        """What was recorded for one invoice in one environment."""
        with self._tx() as db:
            row = db.execute(
                "SELECT * FROM entries WHERE base_url=? AND invoice_number=?",
                (base_url, invoice_number),
            ).fetchone()
        if row is None:
            return None
        return EntryRecord(
            base_url=row["base_url"], invoice_number=row["invoice_number"],
            tracking_identifier=row["tracking_identifier"], payload_hash=row["payload_hash"],
            status=row["status"], sb_id=row["sb_id"], detail=row["detail"],
        )

    def save_entry(self, entry: EntryRecord) -> None:
        """Insert or update an entry record (written before the first send, then updated)."""
        with self._tx() as db:
            db.execute(
                "INSERT INTO entries (base_url, invoice_number, tracking_identifier,"
                " payload_hash, status, sb_id, detail, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT(base_url, invoice_number) DO UPDATE SET"
                " tracking_identifier=excluded.tracking_identifier,"
                " payload_hash=excluded.payload_hash, status=excluded.status,"
                " sb_id=excluded.sb_id, detail=excluded.detail, updated=excluded.updated",
                (
                    entry.base_url, entry.invoice_number, entry.tracking_identifier,
                    entry.payload_hash, entry.status, entry.sb_id, entry.detail, time.time(),
                ),
            )
