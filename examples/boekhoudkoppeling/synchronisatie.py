"""The sync command: read what the invoices need from SB, then book the new invoices.

Run later than the consent (by cron, or the harness's [sync] command), never from the
OAuth callback. Exit 0 = synced, 1 = failed, 2 = not set up, 3 = connect again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from .facturen import (
    Factuur,
    OngeldigeFactuur,
    journaalpost,
    lees_exportbestand,
    tracking_identifier,
)
from .instellingen import Instellingen
from .opslag import GeboekteFactuur, Koppeling, Opslag
from .sbclient import Antwoord, SbClient, SbFout, TokenBron, kort

PAGINA = 100  # take per page; we page on until a page is shorter
# Endpoint versions of SB 6.0.0 this app was built and reviewed against.
VERSIES = {"administrations": "1.0", "ledgeraccounts": "1.0", "organisations": "2.0",
           "salesjournalentry": "2.0"}


def _lijst(body: Any) -> tuple[list[dict[str, Any]], str | None]:
    """Items and TrackingToken of a list answer: a bare array or {TrackingToken, Result}."""
    if isinstance(body, dict):
        token = body.get("TrackingToken")
        items = body.get("Result")
        return ([i for i in items if isinstance(i, dict)] if isinstance(items, list) else [],
                str(token) if token else None)
    if isinstance(body, list):
        return [i for i in body if isinstance(i, dict)], None
    return [], None


def lees_lijst(client: SbClient, eindpunt: str, *, sorteer: str = "Id ascending",
               filter_: str | None = None, tracking_token: str | None = None,
               ) -> tuple[list[dict[str, Any]], str | None]:
    """Every item of a list (all pages, stable sort) and the first page's TrackingToken."""
    items: list[dict[str, Any]] = []
    nieuw_token: str | None = None
    skip = 0
    while True:
        query: dict[str, str | int] = {"skip": skip, "take": PAGINA, "sortField": sorteer}
        if filter_:
            query["filter"] = filter_
        if tracking_token:
            query["TrackingToken"] = tracking_token
        antwoord = client.api("GET", eindpunt, versie=VERSIES[eindpunt], query=query)
        if antwoord.status != 200:
            raise SbFout(f"GET /api/{eindpunt} gaf HTTP {antwoord.status}: {kort(antwoord)}")
        pagina, token = _lijst(antwoord.json())
        if skip == 0:
            nieuw_token = token  # taken before paging on: changes meanwhile come next time
        items += pagina
        if len(pagina) < PAGINA:
            return items, nieuw_token
        skip += PAGINA


def _tekst(item: dict[str, Any], sleutel: str) -> str:
    waarde = item.get(sleutel)
    return waarde if isinstance(waarde, str) else ""


@dataclass
class Verslag:
    """What one environment's sync did, in Dutch lines for the user."""

    geboekt: list[str] = field(default_factory=list)
    fouten: list[str] = field(default_factory=list)
    opmerkingen: list[str] = field(default_factory=list)


class Synchronisatie:
    """The sync of one connected environment."""

    def __init__(self, opslag: Opslag, instellingen: Instellingen, koppeling: Koppeling,
                 client: SbClient, log: Callable[[str], None]) -> None:
        self.opslag = opslag
        self.instellingen = instellingen
        self.koppeling = koppeling
        self.basis = koppeling.basis_url
        self.client = client
        self.log = log
        self.verslag = Verslag()

    def administratie(self) -> str:
        """The Id of the administration to book in.

        Chosen once (by BOEKHOUD_ADMINISTRATIE, or the only one) and kept as the customer's
        configuration; later syncs look it up by Id, so renamed records do not matter.
        """
        items, _ = lees_lijst(self.client, "administrations")
        ids = [_tekst(i, "Id") for i in items if _tekst(i, "Id")]
        gekozen = self.opslag.administratie(self.basis)
        if gekozen:
            if gekozen not in ids:
                raise SbFout(f"de gekozen administratie ({gekozen}) staat niet (meer) in AFAS "
                             f"SB-omgeving {self.basis} ({len(ids)} administraties gevonden).")
            return gekozen
        gewenst = self.instellingen.administratie
        if gewenst:
            ids = [_tekst(i, "Id") for i in items if _tekst(i, "Id")
                   and _tekst(i, "Description").lower() == gewenst.lower()]
            if not ids:
                raise SbFout(f"administratie {gewenst!r} staat niet in AFAS SB-omgeving "
                             f"{self.basis} ({len(items)} administraties gevonden); controleer "
                             "BOEKHOUD_ADMINISTRATIE.")
        if len(ids) != 1:
            raise SbFout(f"{len(ids)} administraties in AFAS SB gevonden; kies er één met "
                         "BOEKHOUD_ADMINISTRATIE=<omschrijving>.")
        self.opslag.kies_administratie(self.basis, ids[0])
        return ids[0]

    def werk_relaties_bij(self) -> None:
        """Organisations, incrementally with the TrackingToken of the previous sync."""
        token = self.opslag.volgtoken(self.basis, "organisations")
        items, nieuw = lees_lijst(self.client, "organisations", tracking_token=token)
        relaties = {_tekst(i, "Id"): _tekst(i, "Name") for i in items
                    if _tekst(i, "Id") and _tekst(i, "Name")}
        self.opslag.bewaar_relaties(self.basis, "organisations", relaties, nieuw or token)

    def grootboeken(self, administratie_id: str) -> dict[str, str]:
        """Ledger account number -> Id in the administration (all pages)."""
        items, _ = lees_lijst(self.client, "ledgeraccounts",
                              filter_=f"AdministrationId eq {administratie_id}")
        return {_tekst(i, "LedgerAccountNumber"): _tekst(i, "Id") for i in items
                if _tekst(i, "LedgerAccountNumber") and _tekst(i, "Id")}

    def te_boeken(self, facturen: Sequence[Factuur]) -> Iterator[tuple[Factuur, int]]:
        """Invoices to send now and the version to send; notes on those held back."""
        for factuur in facturen:
            stand = self.opslag.factuur(self.basis, factuur.factuurnummer)
            if stand is None:
                yield factuur, 1
            elif stand.status == "bezig":
                yield factuur, stand.versie  # outcome unknown: resend with the same identifier
            elif stand.status in ("geboekt", "gedeeltelijk"):
                if stand.status == "gedeeltelijk" and stand.inhoud_hash != factuur.inhoud_hash():
                    self.verslag.opmerkingen.append(
                        f"Factuur {factuur.factuurnummer} is gewijzigd maar al gedeeltelijk "
                        "geboekt; corrigeer de boeking in AFAS SB.")
                continue
            elif stand.inhoud_hash == factuur.inhoud_hash():
                self.verslag.opmerkingen.append(
                    f"Factuur {factuur.factuurnummer} is eerder {stand.status} "
                    f"({stand.melding}) en wordt pas na een correctie opnieuw verstuurd.")
            else:
                yield factuur, stand.versie + 1  # corrected after a rejection

    def boek(self, factuur: Factuur, versie: int, administratie_id: str,
             grootboeken: dict[str, str]) -> None:
        """Post one invoice and record what SB answered."""
        nummer = factuur.factuurnummer
        tracking_id = tracking_identifier(administratie_id, nummer, versie)

        def bewaar(status: str, melding: str | None = None, sb_id: str | None = None) -> None:
            self.opslag.bewaar_factuur(self.basis, GeboekteFactuur(
                nummer, factuur.inhoud_hash(), status, versie, tracking_id, sb_id, melding))

        relatie_id = self.opslag.relatie_id(self.basis, factuur.klant)
        try:
            if relatie_id is None:
                raise OngeldigeFactuur(f"klant {factuur.klant!r} staat niet als organisatie "
                                       "in AFAS SB")
            post = journaalpost(factuur, administratie_id, relatie_id, grootboeken)
        except OngeldigeFactuur as fout:
            # not recorded: the missing customer or account may exist in SB by the next sync
            self.verslag.fouten.append(f"factuur {nummer} niet verstuurd: {fout}")
            return
        bewaar("bezig")  # before sending: a crash mid-send resends with this identifier
        antwoord = self.client.api("POST", "salesjournalentry", versie=VERSIES["salesjournalentry"],
                                   body=post, tracking_id=tracking_id)
        self._verwerk(antwoord, nummer, bewaar)

    def _verwerk(self, antwoord: Antwoord, nummer: str,
                 bewaar: Callable[..., None]) -> None:
        body = antwoord.json()
        if antwoord.status == 400:
            info = body if isinstance(body, dict) else {}
            code = info.get("ExceptionCode") or "400"
            melding = f"{kort(antwoord)} ({code}, TraceId {info.get('TraceId') or 'onbekend'})"
            bewaar("afgewezen", melding)
            self.verslag.fouten.append(f"factuur {nummer} afgewezen door AFAS SB: {melding}")
            return
        if antwoord.status != 200 or not isinstance(body, dict):
            bewaar("mislukt", f"HTTP {antwoord.status}: {kort(antwoord)}")
            self.verslag.fouten.append(f"factuur {nummer}: AFAS SB antwoordde HTTP "
                                       f"{antwoord.status} ({kort(antwoord)})")
            return
        resultaat = body.get("result", body.get("Result"))
        fouten = "; ".join(str(f) for f in body.get("errors") or []) or "geen details"
        trace = body.get("traceId") or body.get("TraceId")
        spoor = f" (TraceId {trace})" if trace else ""
        if resultaat == "Succeeded":
            bewaar("geboekt", None, _sb_id(body))
            self.verslag.geboekt.append(nummer)
        elif resultaat == "PartiallySucceeded":
            bewaar("gedeeltelijk", fouten + spoor)
            self.verslag.fouten.append(f"factuur {nummer} is maar gedeeltelijk geboekt (result "
                                       f"PartiallySucceeded): {fouten}{spoor}")
        else:
            bewaar("mislukt", f"{resultaat}: {fouten}{spoor}")
            self.verslag.fouten.append(f"factuur {nummer} niet geboekt (result {resultaat}): "
                                       f"{fouten}{spoor}")

    def voer_uit(self, facturen: Sequence[Factuur]) -> Verslag:
        """Read, then book; raises SbFout when the sync cannot go on."""
        administratie_id = self.administratie()
        self.werk_relaties_bij()
        werk = list(self.te_boeken(facturen))
        if werk:
            grootboeken = self.grootboeken(administratie_id)
            for factuur, versie in werk:
                self.boek(factuur, versie, administratie_id, grootboeken)
        return self.verslag


def _sb_id(body: dict[str, Any]) -> str | None:
    """The new entry's id: in `instances` or, in other answers, `data.SalesJournalEntryId`."""
    for instance in body.get("instances") or []:
        if isinstance(instance, dict) and instance.get("Id"):
            return str(instance["Id"])
    data = body.get("data")
    if isinstance(data, dict) and data.get("SalesJournalEntryId"):
        return str(data["SalesJournalEntryId"])
    return None


def lees_facturen(bestanden: Sequence[Path]) -> list[Factuur]:
    """All invoices of the export files, each invoice number once."""
    gezien: dict[str, Factuur] = {}
    for pad in bestanden:
        for factuur in lees_exportbestand(pad):
            if factuur.factuurnummer in gezien and gezien[factuur.factuurnummer] != factuur:
                raise OngeldigeFactuur(f"factuurnummer {factuur.factuurnummer} staat twee keer "
                                       "in de export met verschillende inhoud")
            gezien[factuur.factuurnummer] = factuur
    return list(gezien.values())


def synchroniseer(instellingen: Instellingen, bestanden: Sequence[Path],
                  log: Callable[[str], None] = print) -> int:
    """Sync the work folder's AFAS SB environment; print a one-line reason last; exit code.

    One work folder is one customer: its invoices go to the environment it connected most
    recently (after a move to a new environment the old connection is not booked in).
    """
    try:
        facturen = lees_facturen(bestanden)
    except OngeldigeFactuur as fout:
        log(f"Synchronisatie mislukt: de factuurexport is niet bruikbaar: {fout}")
        return 2
    opslag = Opslag(instellingen.database)
    koppelingen = opslag.koppelingen()
    if not koppelingen:
        log("Synchronisatie mislukt: er is nog geen koppeling met AFAS SB. Koppel de app via "
            "de App Center van AFAS SB.")
        return 2
    koppeling = koppelingen[-1]
    tokens = TokenBron(
        koppeling.basis_url + "/app/token", instellingen.client_id, instellingen.client_secret,
        koppeling.refresh_token, koppeling.access_token, koppeling.verloopt,
        bewaar=partial(opslag.werk_token_bij, koppeling.basis_url))
    client = SbClient(koppeling.basis_url, tokens, instellingen.beleid, instellingen.ca_bestand,
                      log=log)
    try:
        verslag = Synchronisatie(opslag, instellingen, koppeling, client, log).voer_uit(facturen)
    except SbFout as fout:
        log(f"Synchronisatie mislukt: {koppeling.basis_url}: {fout}")
        return fout.exit_code
    finally:
        client.sluit()
    for opmerking in verslag.opmerkingen:
        log(f"Let op: {opmerking}")
    if verslag.geboekt:
        log(f"{len(verslag.geboekt)} facturen geboekt in {koppeling.basis_url}: "
            + ", ".join(verslag.geboekt) + ".")
    if verslag.fouten:
        for regel in verslag.fouten[:-1]:
            log(f"Fout: {regel}")
        andere = len(verslag.fouten) - 1
        log(f"Synchronisatie mislukt: {koppeling.basis_url}: {verslag.fouten[-1]}"
            + (f" (en {andere} andere fouten, zie hierboven)" if andere else ""))
        return 1
    log(f"Synchronisatie geslaagd: AFAS SB-omgeving {koppeling.basis_url} is bijgewerkt.")
    return 0
