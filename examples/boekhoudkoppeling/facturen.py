"""The app's own sales invoices and how one becomes an SB sales journal entry."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

# Our own namespace for Tracking-Identifiers: uuid5 over it is stable across runs and machines.
TRACKING_NAMESPACE = uuid.UUID("6f1c2b7e-5a0d-4c1e-9b7a-2d9e8f3a4b10")
BTW_SOORTEN = {"hoog": "high", "laag": "low", "nul": "zero"}
_CENT = Decimal("0.01")


class OngeldigeFactuur(ValueError):
    """An invoice in the export file cannot be booked; the message says what to fix."""


@dataclass(frozen=True)
class Factuurregel:
    """One invoice line: revenue account number, amount excluding VAT, VAT amount and kind."""

    grootboek: str
    bedrag_excl: Decimal
    btw: Decimal
    btw_soort: str


@dataclass(frozen=True)
class Factuur:
    """A sales invoice as the app's invoicing module exports it."""

    factuurnummer: str
    datum: str
    klant: str
    omschrijving: str
    regels: tuple[Factuurregel, ...]

    def inhoud_hash(self) -> str:
        """A fingerprint of the content: a changed invoice may be sent again."""
        tekst = json.dumps([self.factuurnummer, self.datum, self.klant, self.omschrijving,
                            [[r.grootboek, str(r.bedrag_excl), str(r.btw), r.btw_soort]
                             for r in self.regels]], ensure_ascii=False)
        return hashlib.sha256(tekst.encode("utf-8")).hexdigest()


def tracking_identifier(administratie_id: str, factuurnummer: str, versie: int) -> str:
    """The Tracking-Identifier of one version of an invoice in one administration.

    Derived, not random: every retry of the same send carries the same GUID, even from a
    later sync after a crash, so SB books it once. A corrected invoice gets a new version.
    """
    return str(uuid.uuid5(TRACKING_NAMESPACE, f"{administratie_id}/{factuurnummer}/{versie}"))


def _bedrag(waarde: Any, waar: str) -> Decimal:
    try:
        bedrag = Decimal(str(waarde)).quantize(_CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        raise OngeldigeFactuur(f"{waar}: {waarde!r} is geen bedrag") from None
    if not bedrag.is_finite():
        raise OngeldigeFactuur(f"{waar}: {waarde!r} is geen bedrag")
    return bedrag


def lees_factuur(data: Any, waar: str) -> Factuur:
    """One invoice from the export's JSON object."""
    if not isinstance(data, dict):
        raise OngeldigeFactuur(f"{waar}: verwacht een object met factuurnummer, datum, klant")
    nummer = str(data.get("factuurnummer") or "").strip()
    if not nummer:
        raise OngeldigeFactuur(f"{waar}: factuurnummer ontbreekt")
    waar = f"{waar} ({nummer})"
    regels = []
    for i, regel in enumerate(data.get("regels") or [], start=1):
        if not isinstance(regel, dict):
            raise OngeldigeFactuur(f"{waar}, regel {i}: verwacht een object")
        soort = str(regel.get("btw_soort") or "hoog")
        if soort not in BTW_SOORTEN:
            raise OngeldigeFactuur(f"{waar}, regel {i}: btw_soort {soort!r} is niet een van "
                                   f"{', '.join(BTW_SOORTEN)}")
        regels.append(Factuurregel(str(regel.get("grootboek") or "8000"),
                                   _bedrag(regel.get("bedrag_excl"), f"{waar}, regel {i}"),
                                   _bedrag(regel.get("btw", 0), f"{waar}, regel {i}"), soort))
    if not regels:
        raise OngeldigeFactuur(f"{waar}: de factuur heeft geen regels")
    datum = str(data.get("datum") or "")
    if len(datum) != 10 or datum[4] != "-" or datum[7] != "-":
        raise OngeldigeFactuur(f"{waar}: datum {datum!r} is niet JJJJ-MM-DD")
    return Factuur(nummer, datum, str(data.get("klant") or ""),
                   str(data.get("omschrijving") or ""), tuple(regels))


def lees_exportbestand(pad: Path) -> list[Factuur]:
    """Every invoice in one export file (a JSON list); a file not there yet holds none."""
    if not pad.exists():
        return []
    try:
        data = json.loads(pad.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as fout:
        raise OngeldigeFactuur(f"{pad}: geen leesbaar JSON-bestand ({fout})") from None
    if not isinstance(data, list):
        raise OngeldigeFactuur(f"{pad}: verwacht een lijst met facturen")
    return [lees_factuur(item, f"{pad.name} #{i}") for i, item in enumerate(data, start=1)]


def journaalpost(factuur: Factuur, administratie_id: str, relatie_id: str,
                 grootboeken: dict[str, str]) -> dict[str, Any]:
    """The POST /api/salesjournalentry 2.0 body for this invoice."""
    regels = []
    for regel in factuur.regels:
        grootboek_id = grootboeken.get(regel.grootboek)
        if grootboek_id is None:
            raise OngeldigeFactuur(f"factuur {factuur.factuurnummer}: grootboekrekening "
                                   f"{regel.grootboek} bestaat niet in de administratie")
        regels.append({
            "LedgerAccountId": grootboek_id,
            "AmountExcludingVat": float(regel.bedrag_excl),
            "AmountVat": float(regel.btw),
            "VatType": BTW_SOORTEN[regel.btw_soort],
        })
    post: dict[str, Any] = {
        "AdministrationId": administratie_id,
        "InvoiceNumber": factuur.factuurnummer,
        "InvoiceDate": factuur.datum,
        "RelationType": "organisation",
        "RelationId": relatie_id,
        "Reference": f"boekhoudkoppeling:{factuur.factuurnummer}",
        "InvoiceLine": regels,
    }
    if factuur.omschrijving:
        post["Description"] = factuur.omschrijving
    return post
