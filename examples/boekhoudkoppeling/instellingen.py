"""The app's settings: command-line options plus BOEKHOUD_* environment variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from . import flaws
from .sbclient import Beleid

CALLBACK_PAD = "/afas-sb/terugkoppeling"
ONBOARDING_PAD = "/afas-sb/"


class Configuratiefout(ValueError):
    """A setting is missing or wrong; the message names it and says how to fix it."""


@dataclass(frozen=True)
class Instellingen:
    """Everything the web app and the sync need to know."""

    werkmap: Path
    client_id: str
    client_secret: str
    publieke_url: str  # where customers reach the app, e.g. https://app.boekhoudkoppeling.nl
    testhosts: tuple[str, ...]  # extra SB hosts (host:port) trusted for testing, http allowed
    gebruiker: str
    wachtwoord: str | None
    administratie: str | None  # the AFAS administration (description) to book in
    beleid: Beleid
    ca_bestand: str | None

    @property
    def database(self) -> Path:
        """The SQLite file in the work folder."""
        return self.werkmap / "boekhoudkoppeling.sqlite"

    @property
    def redirect_uri(self) -> str:
        """The OAuth callback as registered with AFAS (exactly)."""
        return self.publieke_url.rstrip("/") + CALLBACK_PAD

    @property
    def onboarding_url(self) -> str:
        """The landing page AFAS opens with ?afasBaseUrl=..."""
        return self.publieke_url.rstrip("/") + ONBOARDING_PAD


def _getal(env: Mapping[str, str], naam: str, standaard: float) -> float:
    waarde = env.get(naam, "").strip()
    if not waarde:
        return standaard
    try:
        getal = float(waarde)
    except ValueError:
        raise Configuratiefout(f"{naam}={waarde!r} is geen getal; zet bijvoorbeeld "
                               f"{naam}={standaard:g}.") from None
    if getal <= 0:
        raise Configuratiefout(f"{naam} moet groter dan 0 zijn, niet {waarde!r}.")
    return getal


def laad(werkmap: Path, publieke_url: str, env: Mapping[str, str] | None = None,
         *, secret_nodig: bool = True) -> Instellingen:
    """Settings from the environment; raises Configuratiefout with the fix for a bad one."""
    env = os.environ if env is None else env
    secret = env.get("BOEKHOUD_CLIENT_SECRET", "")
    if secret_nodig and not secret:
        raise Configuratiefout("BOEKHOUD_CLIENT_SECRET ontbreekt; zet het client secret dat "
                               "AFAS voor Boekhoudkoppeling heeft uitgegeven in die variabele.")
    try:
        flaws.actief(env)  # a self-test switch with a typo must not run the good app
    except flaws.OnbekendeFlaw as fout:
        raise Configuratiefout(str(fout)) from None
    pogingen = int(_getal(env, "BOEKHOUD_POGINGEN", 3))
    beleid = Beleid(pogingen=max(1, pogingen), timeout_s=_getal(env, "BOEKHOUD_TIMEOUT", 10.0))
    return Instellingen(
        werkmap=werkmap,
        client_id=env.get("BOEKHOUD_CLIENT_ID", "boekhoudkoppeling"),
        client_secret=secret,
        publieke_url=env.get("BOEKHOUD_PUBLIEKE_URL", publieke_url),
        testhosts=tuple(h.strip().lower() for h in env.get("BOEKHOUD_TESTHOSTS", "").split(",")
                        if h.strip()),
        gebruiker=env.get("BOEKHOUD_GEBRUIKER", "beoordelaar@boekhoudkoppeling.nl"),
        wachtwoord=env.get("BOEKHOUD_WACHTWOORD") or None,
        administratie=env.get("BOEKHOUD_ADMINISTRATIE") or None,
        beleid=beleid,
        ca_bestand=env.get("BOEKHOUD_CA_BESTAND") or None,
    )
