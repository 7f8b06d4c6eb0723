"""Which afasBaseUrl the app accepts: AFAS SB hosts only (it later sends its secret there)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from . import flaws

AFAS_DOMAIN = ".afasfocus.nl"
_ENVIRONMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$")
_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")


class OngeldigAdres(ValueError):
    """The afasBaseUrl cannot be used; the message says why, in Dutch, for the user."""


class VreemdeHost(OngeldigAdres):
    """The afasBaseUrl is well-formed but points at a host that is not AFAS SB."""


@dataclass(frozen=True)
class SbOmgeving:
    """A validated AFAS SB environment: `https://sub.afasfocus.nl/<omgeving>`."""

    basis_url: str  # scheme://host[:port]/<omgeving>, no trailing slash
    host: str  # host[:port] as it must be trusted
    omgeving: str  # the customer environment path segment

    @property
    def server_url(self) -> str:
        """The API server without the environment (`https://sub.afasfocus.nl`)."""
        return self.basis_url.rsplit("/", 1)[0]


def _host_port(hostname: str, port: int | None) -> str:
    return f"{hostname}:{port}" if port is not None else hostname


def is_afas_host(hostname: str) -> bool:
    """True for `<sub>.afasfocus.nl` (one or more DNS labels before AFAS's domain)."""
    if not hostname.endswith(AFAS_DOMAIN):
        return False
    labels = hostname[: -len(AFAS_DOMAIN)].split(".")
    return all(_LABEL.match(label) for label in labels)


def parse_basis_url(waarde: str | None, testhosts: Iterable[str] = ()) -> SbOmgeving:
    """Validate afasBaseUrl: https on `*.afasfocus.nl` (or http/https on a test host, exactly
    `host:port` from `testhosts`), one environment segment, nothing else.

    Raises OngeldigAdres (malformed) or VreemdeHost (not an AFAS host) with a Dutch message.
    """
    if waarde is None:
        raise OngeldigAdres("Het adres van uw AFAS SB-omgeving (afasBaseUrl) ontbreekt. Start "
                            "de koppeling vanuit de App Center van AFAS SB.")
    waarde = waarde.strip()
    if not waarde:
        raise OngeldigAdres("Het adres van uw AFAS SB-omgeving (afasBaseUrl) is leeg. Start de "
                            "koppeling vanuit de App Center van AFAS SB.")
    delen = urlsplit(waarde)
    if delen.scheme not in ("https", "http") or not delen.netloc:
        raise OngeldigAdres("afasBaseUrl is geen webadres; verwacht iets als "
                            "https://uwkantoor.afasfocus.nl/omgeving.")
    if delen.username or delen.password or delen.query or delen.fragment:
        raise OngeldigAdres("afasBaseUrl mag geen gebruikersnaam, query of anker bevatten; "
                            "verwacht https://uwkantoor.afasfocus.nl/omgeving.")
    try:
        poort = delen.port
    except ValueError:
        raise OngeldigAdres("afasBaseUrl heeft een ongeldig poortnummer; verwacht "
                            "https://uwkantoor.afasfocus.nl/omgeving.") from None
    hostname = (delen.hostname or "").lower()
    host = _host_port(hostname, poort)
    segmenten = [s for s in delen.path.split("/") if s]
    if len(segmenten) != 1 or not _ENVIRONMENT.match(segmenten[0]):
        raise OngeldigAdres("afasBaseUrl noemt geen klantomgeving; verwacht "
                            "https://uwkantoor.afasfocus.nl/omgeving (één padsegment).")
    omgeving = segmenten[0]
    if omgeving.lower() == "admin":
        raise OngeldigAdres("Boekhoudkoppeling werkt per klantomgeving, niet in de Admin "
                            "Center; activeer de app in de omgeving van de klant.")
    vertrouwd_test = host in {h.strip().lower() for h in testhosts if h.strip()} \
        or flaws.aan("elke_host")
    if not vertrouwd_test:
        if not is_afas_host(hostname) or poort not in (None, 443):
            raise VreemdeHost(f"{hostname} is geen AFAS SB-server; Boekhoudkoppeling maakt "
                              f"alleen verbinding met adressen op *{AFAS_DOMAIN}.")
        if delen.scheme != "https":
            raise OngeldigAdres("afasBaseUrl moet met https:// beginnen.")
    return SbOmgeving(f"{delen.scheme}://{host}/{omgeving}", host, omgeving)
