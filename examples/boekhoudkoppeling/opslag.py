"""The app's own SQLite database: sessions, OAuth attempts, connections, booked invoices.

Tokens live here: protect the file like a password store. The web server and the sync are
separate processes, so every operation opens its own short connection.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

POGING_GELDIG_S = 600  # an OAuth attempt older than this is refused at the callback

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessies (
    id TEXT PRIMARY KEY, gebruiker TEXT, basis_url TEXT, aangemaakt REAL NOT NULL);
CREATE TABLE IF NOT EXISTS pogingen (
    state_hash TEXT PRIMARY KEY, sessie TEXT NOT NULL, verifier TEXT NOT NULL,
    basis_url TEXT NOT NULL, aangemaakt REAL NOT NULL);
CREATE TABLE IF NOT EXISTS koppelingen (
    basis_url TEXT PRIMARY KEY, gebruiker TEXT NOT NULL, refresh_token TEXT NOT NULL,
    access_token TEXT, verloopt REAL NOT NULL DEFAULT 0, gekoppeld REAL NOT NULL);
CREATE TABLE IF NOT EXISTS facturen (
    basis_url TEXT NOT NULL, factuurnummer TEXT NOT NULL, inhoud_hash TEXT NOT NULL,
    status TEXT NOT NULL, versie INTEGER NOT NULL, tracking_id TEXT NOT NULL,
    sb_id TEXT, melding TEXT, bijgewerkt REAL NOT NULL,
    PRIMARY KEY (basis_url, factuurnummer));
CREATE TABLE IF NOT EXISTS volgtokens (
    basis_url TEXT NOT NULL, eindpunt TEXT NOT NULL, tracking_token TEXT NOT NULL,
    PRIMARY KEY (basis_url, eindpunt));
CREATE TABLE IF NOT EXISTS administraties (
    basis_url TEXT PRIMARY KEY, administratie_id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS relaties (
    basis_url TEXT NOT NULL, id TEXT NOT NULL, naam TEXT NOT NULL,
    PRIMARY KEY (basis_url, id));
"""


@dataclass(frozen=True)
class Sessie:
    """A browser session: who logged in and which AFAS environment they came from."""

    id: str
    gebruiker: str | None
    basis_url: str | None


@dataclass(frozen=True)
class Poging:
    """One OAuth attempt, bound to the browser session that started it."""

    sessie: str
    verifier: str
    basis_url: str
    aangemaakt: float


@dataclass(frozen=True)
class Koppeling:
    """A connection to one AFAS SB environment (the tokens the callback stored)."""

    basis_url: str
    gebruiker: str
    refresh_token: str
    access_token: str | None
    verloopt: float


@dataclass(frozen=True)
class GeboekteFactuur:
    """What the app knows about one invoice it sent (or tried to send) to SB."""

    factuurnummer: str
    inhoud_hash: str
    status: str  # bezig | geboekt | afgewezen | mislukt | gedeeltelijk
    versie: int
    tracking_id: str
    sb_id: str | None
    melding: str | None


class Opslag:
    """Typed access to the database file."""

    def __init__(self, pad: Path) -> None:
        self.pad = pad
        pad.parent.mkdir(parents=True, exist_ok=True)
        with self._db() as db:
            db.executescript(_SCHEMA)

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.pad, timeout=10)
        try:
            with db:  # one transaction per block
                yield db
        finally:
            db.close()

    # ---- sessions and OAuth attempts ---------------------------------------------------------
    def sessie(self, sessie_id: str) -> Sessie | None:
        """The session with this id, if any."""
        with self._db() as db:
            rij = db.execute("SELECT id, gebruiker, basis_url FROM sessies WHERE id = ?",
                             (sessie_id,)).fetchone()
        return Sessie(*rij) if rij else None

    def bewaar_sessie(self, sessie: Sessie) -> None:
        """Create or update a session."""
        with self._db() as db:
            db.execute("INSERT INTO sessies (id, gebruiker, basis_url, aangemaakt) "
                       "VALUES (?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
                       "gebruiker = excluded.gebruiker, basis_url = excluded.basis_url",
                       (sessie.id, sessie.gebruiker, sessie.basis_url, time.time()))

    def bewaar_poging(self, state_hash: str, poging: Poging) -> None:
        """Remember an OAuth attempt under the hash of its state."""
        with self._db() as db:
            db.execute("INSERT INTO pogingen VALUES (?, ?, ?, ?, ?)",
                       (state_hash, poging.sessie, poging.verifier, poging.basis_url,
                        poging.aangemaakt))

    def neem_poging(self, state_hash: str) -> Poging | None:
        """Take (and delete: a state is used once) the attempt with this state hash."""
        with self._db() as db:
            rij = db.execute("SELECT sessie, verifier, basis_url, aangemaakt FROM pogingen "
                             "WHERE state_hash = ?", (state_hash,)).fetchone()
            db.execute("DELETE FROM pogingen WHERE state_hash = ? OR aangemaakt < ?",
                       (state_hash, time.time() - POGING_GELDIG_S))
        return Poging(*rij) if rij else None

    def laatste_poging(self, sessie_id: str) -> Poging | None:
        """The session's most recent attempt (only the state_niet_controleren flaw uses it)."""
        with self._db() as db:
            rij = db.execute("SELECT sessie, verifier, basis_url, aangemaakt FROM pogingen "
                             "WHERE sessie = ? ORDER BY aangemaakt DESC LIMIT 1",
                             (sessie_id,)).fetchone()
        return Poging(*rij) if rij else None

    # ---- connections -------------------------------------------------------------------------
    def bewaar_koppeling(self, koppeling: Koppeling) -> None:
        """Store (or replace, after a new consent) the connection to an environment."""
        with self._db() as db:
            db.execute("INSERT OR REPLACE INTO koppelingen VALUES (?, ?, ?, ?, ?, ?)",
                       (koppeling.basis_url, koppeling.gebruiker, koppeling.refresh_token,
                        koppeling.access_token, koppeling.verloopt, time.time()))

    def werk_token_bij(self, basis_url: str, access_token: str, verloopt: float) -> None:
        """Keep a refreshed access token (AFAS's refresh answer has no new refresh token)."""
        with self._db() as db:
            db.execute("UPDATE koppelingen SET access_token = ?, verloopt = ? "
                       "WHERE basis_url = ?", (access_token, verloopt, basis_url))

    def koppelingen(self) -> list[Koppeling]:
        """Every connected environment, oldest first."""
        with self._db() as db:
            rijen = db.execute("SELECT basis_url, gebruiker, refresh_token, access_token, "
                               "verloopt FROM koppelingen ORDER BY gekoppeld").fetchall()
        return [Koppeling(*rij) for rij in rijen]

    # ---- invoices ----------------------------------------------------------------------------
    def factuur(self, basis_url: str, factuurnummer: str) -> GeboekteFactuur | None:
        """What the app recorded for this invoice in this environment."""
        with self._db() as db:
            rij = db.execute("SELECT factuurnummer, inhoud_hash, status, versie, tracking_id, "
                             "sb_id, melding FROM facturen WHERE basis_url = ? AND "
                             "factuurnummer = ?", (basis_url, factuurnummer)).fetchone()
        return GeboekteFactuur(*rij) if rij else None

    def bewaar_factuur(self, basis_url: str, factuur: GeboekteFactuur) -> None:
        """Record an invoice's state (before sending: 'bezig' with its Tracking-Identifier)."""
        with self._db() as db:
            db.execute("INSERT OR REPLACE INTO facturen VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (basis_url, factuur.factuurnummer, factuur.inhoud_hash, factuur.status,
                        factuur.versie, factuur.tracking_id, factuur.sb_id, factuur.melding,
                        time.time()))

    # ---- the customer's choice of administration ------------------------------------------
    def administratie(self, basis_url: str) -> str | None:
        """The administration this environment books in, once chosen (kept across consents)."""
        with self._db() as db:
            rij = db.execute("SELECT administratie_id FROM administraties WHERE basis_url = ?",
                             (basis_url,)).fetchone()
        return str(rij[0]) if rij else None

    def kies_administratie(self, basis_url: str, administratie_id: str) -> None:
        """Remember the administration chosen for this environment."""
        with self._db() as db:
            db.execute("INSERT OR REPLACE INTO administraties VALUES (?, ?)",
                       (basis_url, administratie_id))

    # ---- change tracking and relations -------------------------------------------------------
    def volgtoken(self, basis_url: str, eindpunt: str) -> str | None:
        """The TrackingToken of the last read of this endpoint."""
        with self._db() as db:
            rij = db.execute("SELECT tracking_token FROM volgtokens WHERE basis_url = ? AND "
                             "eindpunt = ?", (basis_url, eindpunt)).fetchone()
        return str(rij[0]) if rij else None

    def bewaar_relaties(self, basis_url: str, eindpunt: str, relaties: dict[str, str],
                        tracking_token: str | None) -> None:
        """Upsert relations (a token reused within minutes may repeat items) and the token."""
        with self._db() as db:
            db.executemany("INSERT OR REPLACE INTO relaties VALUES (?, ?, ?)",
                           [(basis_url, rid, naam) for rid, naam in relaties.items()])
            if tracking_token:
                db.execute("INSERT OR REPLACE INTO volgtokens VALUES (?, ?, ?)",
                           (basis_url, eindpunt, tracking_token))

    def relatie_id(self, basis_url: str, naam: str) -> str | None:
        """The SB id of the organisation with this name (case-insensitive)."""
        with self._db() as db:
            rij = db.execute("SELECT id FROM relaties WHERE basis_url = ? AND "
                             "lower(naam) = lower(?) ORDER BY id LIMIT 1",
                             (basis_url, naam)).fetchone()
        return str(rij[0]) if rij else None
