"""The CRM side: relations its users create, queued for AFAS SB (`queue-relation`, demo data)."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from examples.relatiesync.flaws import flaw
from examples.relatiesync.store import Store

_TRADES = ("Bloemenhandel", "Fietsenmakerij", "Installatiebedrijf", "Drukkerij", "Adviesbureau",
           "Bouwbedrijf", "Kaasmakerij", "Schildersbedrijf")
_PLACES = ("De Tulp", "Noorderlicht", "Van der Berg", "Het Anker", "Zuidwest", "De Molen")


def new_external_id() -> str:
    """The CRM's own id for a relation, sent to SB as ExternalId (unique across installs)."""
    return f"rs-{uuid.uuid4()}"


def organisation_payload(name: str, *, city: str = "Leusden") -> dict[str, Any]:
    """The POST /api/organisation 3.0 body for a relation the CRM created."""
    slug = "".join(ch for ch in name.lower() if ch.isalnum())[:24] or "relatie"
    return {
        ("Tradename" if flaw("name_as_tradename") else "Name"): name,
        "ExternalId": new_external_id(),
        "EmailAddress": f"info@{slug}.example",
        "PhoneNumber": "033-1234567",
        "CocNumber": f"{secrets.randbelow(10**8):08d}",
        "Addresses": [{
            "StreetName": "Inspiratielaan", "HouseNumber": 1 + secrets.randbelow(200),
            "PostalZone": "3833AV", "CityName": city, "CountryCode": "NL",
            # a single address is the preferred one for everything (AFAS's relations guide)
            "PreferredSupplierAddress": True, "PreferredShippingAddress": True,
            "PreferredBillingAddress": True,
        }],
    }


def random_name(number: int) -> str:
    """A plausible, unique-enough organisation name for a new CRM relation."""
    trade = _TRADES[secrets.randbelow(len(_TRADES))]
    place = _PLACES[secrets.randbelow(len(_PLACES))]
    return f"{trade} {place} {number}-{secrets.token_hex(2)}"


def queue_new_relation(store: Store, name: str | None = None) -> tuple[int, str]:
    """Queue one new organisation for AFAS SB; returns its local id and name."""
    chosen = name or random_name(store.next_local_id())
    return store.queue_relation("organisation", organisation_payload(chosen)), chosen


DEMO_RELATIONS = ("Bloemenhandel De Tulp B.V.", "Fietsenmakerij Van der Berg")


def add_demo_relations(store: Store) -> int:
    """On an empty outbox: the two relations a fresh demo CRM has waiting for AFAS SB."""
    if store.all_items():
        return 0
    for name in DEMO_RELATIONS:
        queue_new_relation(store, name)
    return len(DEMO_RELATIONS)
