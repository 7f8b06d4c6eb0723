"""Shape version-independent entities into one operation's response schema.

A field the entity carries is converted to the schema's type; a field it lacks is filled by a
domain generator chosen by the field name (references, amounts, dates, IBANs, names, ...),
deterministic per (entity, field). References (`*Id` fields) point at existing entities of
the matching kind, in the same administration where the entity has one.
"""

from __future__ import annotations

import json
import random
import re
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from sbready.sandbox.seed_data import BANKS, CITIES, STREETS, Entity, iban, slug

ENTITY_KIND_OF_ENDPOINT = {
    # path segment after /api/ -> entity kind; reads and writes of one kind share the data.
    "administration": "administration", "administrations": "administration",
    "ledgeraccount": "ledgeraccount", "ledgeraccounts": "ledgeraccount",
    "address": "address", "addresses": "address",
    "bankaccount": "bankaccount", "bankaccounts": "bankaccount",
    "country": "country", "countries": "country",
    "organisation": "organisation", "organisations": "organisation",
    "person": "person", "persons": "person", "unknownrelation": "unknownrelation",
    "contact": "contact", "contacts": "contact",
    "product": "product", "products": "product", "project": "project", "projects": "project",
    "salesinvoice": "salesinvoice", "salesinvoices": "salesinvoice",
    "journalentry": "journalentryline", "journalentries": "journalentryline",
    "paymentconditions": "paymentcondition", "paymentcondition": "paymentcondition",
    "paymentmethod": "paymentmethod", "vattype": "vattype", "vatrate": "vatrate",
    "accountingyear": "accountingyear", "accountingperiod": "accountingperiod",
    "linestobeinvoiced": "linestobeinvoiced", "supplier": "supplier",
}

REFERENCE_KINDS = {
    # field name -> kind of the entity it refers to ("relation": organisation or person)
    "AdministrationId": "administration", "AdministationId": "administration",
    "LedgerAccountId": "ledgeraccount", "OrganisationId": "organisation",
    "PersonId": "person", "UnknownRelationId": "unknownrelation",
    "VariousId": "unknownrelation", "variousId": "unknownrelation",
    "RelationId": "relation", "CustomerId": "relation",
    "PaymentConditionId": "paymentcondition", "PaymentMethodId": "paymentmethod",
    "AccountingYearId": "accountingyear", "AccountingPeriodId": "accountingperiod",
    "ProductId": "product", "ProjectId": "project", "VatRateId": "vatrate",
    "VatTypeId": "vattype", "BankAccountId": "bankaccount", "AddressId": "address",
    "AdministrationCountryId": "country", "CountryId": "country",
    "InvoiceId": "salesinvoice", "SupplierId": "supplier",
}

_ALIASES = {"AdministationId": "AdministrationId", "VariousId": "UnknownRelationId",
            "variousId": "UnknownRelationId", "Omschrijving": "Description",
            "Aantal": "Quantity", "Prijs": "Price", "Bedrag": "TotalAmount"}
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                   r"[0-9a-fA-F]{12}$")
_EPOCH = date(2024, 1, 1)
WRITTEN = "_written"  # entity key: made by a write, so fields the app did not send stay empty
_EMPTY: dict[str, Any] = {"number": 0, "integer": 0, "boolean": False, "array": [], "object": {}}
_WORDS = ("Standaard", "Algemeen", "Regulier", "Kwartaal", "Jaarlijks", "Maandelijks",
          "Nederland", "Zakelijk", "Particulier", "Overig")


def kind_of(api_path: str) -> str:
    """The entity kind behind an /api/ path, e.g. "/api/persons" -> "person"."""
    segment = api_path.removeprefix("/api/").split("/", 1)[0].lower()
    return ENTITY_KIND_OF_ENDPOINT.get(segment, segment)


class EntitySource(Protocol):
    """Where projections look up referenced entities."""

    def entities(self, kind: str) -> list[Entity]:
        """Entities of one kind, in order."""
        ...


def lookup(entity: Entity, name: str) -> tuple[bool, Any]:
    """(found, value) of a field on an entity: exact name, alias, then case-insensitive."""
    if name in entity:
        return True, entity[name]
    alias = _ALIASES.get(name)
    if alias is not None and alias in entity:
        return True, entity[alias]
    lowered = name.lower()
    for key, value in entity.items():
        if key.lower() == lowered:
            return True, value
    return False, None


def _rng(entity: Entity, name: str) -> random.Random:
    return random.Random(f"{entity.get('Id')}:{name}")


def pick_reference(source: EntitySource, kind: str, entity: Entity,
                   rng: random.Random) -> Entity | None:
    """An existing entity of `kind` for a reference from `entity` (same administration first)."""
    cached = getattr(source, "candidates", None)
    if callable(cached):  # an Environment: the same choice, from lists it keeps
        found: list[Entity] = cached(kind, entity.get("AdministrationId") or None)
        return rng.choice(found) if found else None
    if kind == "relation":
        candidates = source.entities("organisation") + source.entities("person")
    else:
        candidates = source.entities(kind)
    administration = entity.get("AdministrationId")
    if administration:
        same = [c for c in candidates if c.get("AdministrationId") == administration]
        candidates = same or candidates
    return rng.choice(candidates) if candidates else None


def _amount(rng: random.Random) -> Decimal:
    return Decimal(rng.randrange(1000, 500000)) / 100


def _relation_of(source: EntitySource, entity: Entity) -> Entity | None:
    relation_id = entity.get("RelationId")
    find = getattr(source, "find", None)
    if callable(find):  # an Environment's index by Id (case-insensitive, as SB's guids)
        for kind in ("organisation", "person", "unknownrelation"):
            found: Entity | None = find(kind, relation_id)
            if found is not None and found.get("Id") == relation_id:
                return found
        return None
    for kind in ("organisation", "person", "unknownrelation"):
        for candidate in source.entities(kind):
            if candidate.get("Id") == relation_id:
                return candidate
    return None


def _named_value(name: str, lowered: str, entity: Entity, rng: random.Random,
                 source: EntitySource) -> Any:
    relation_type = entity.get("RelationType")
    if lowered in ("isorganisation", "isperson", "isunknown"):
        return lowered.removeprefix("is") == (relation_type or "organisation")
    if lowered in ("organisation", "person", "unknown") and entity.get("RelationId"):
        relation = _relation_of(source, entity) if relation_type == lowered else None
        return relation["Name"] if relation else ""
    if re.match(r"^Is[A-Z]", name) or lowered in ("supplies", "services", "unknown"):
        return rng.random() < 0.2  # flags typed as text ("true"/"false")
    if "email" in lowered:
        return f"info@{slug(str(entity.get('Name') or entity.get('RelationName') or name))}.nl"
    if "phone" in lowered:
        return f"0{rng.randrange(10, 80)}-{rng.randrange(1000000, 9999999)}"
    if lowered in ("bic",):
        return rng.choice(BANKS)[1]
    if any(word in lowered for word in ("iban", "accountnumber", "bankrekening")):
        return iban(rng, rng.choice(BANKS)[0])
    if "coc" in lowered:
        return str(rng.randrange(10**7, 10**8))
    if "vatnumber" in lowered or lowered == "companyidvat":
        return f"NL{rng.randrange(10**8, 10**9)}B01"
    if lowered == "vatpercentage":
        return rng.choice((21, 9, 0))
    if lowered in ("periodnumber",):
        return rng.randrange(1, 13)
    if any(word in lowered for word in ("amount", "price", "total", "bedrag", "prijs",
                                        "balance", "vatamount")):
        return _amount(rng)
    if "date" in lowered or lowered.startswith("datum"):
        day = rng.randrange(0, 700)
        return f"{(_EPOCH + timedelta(days=day)).isoformat()}T00:00:00Z"
    if lowered in ("quantity", "aantal"):
        return rng.randrange(1, 11)
    if "city" in lowered:
        return rng.choice(CITIES)[0]
    if "street" in lowered:
        return rng.choice(STREETS)
    if "postal" in lowered:
        return f"{rng.choice(CITIES)[1]} {rng.choice('ABCDEGHJ')}{rng.choice('KLMNPRST')}"
    if lowered == "housenumber":
        return rng.randrange(1, 250)
    if lowered in ("countrycode", "codeisoalpha2"):
        return "NL"
    if "country" in lowered:
        return "Nederland"
    if "name" in lowered:
        found, value = lookup(entity, "Name")
        return value if found and value else entity.get("RelationName") or \
            f"{rng.choice(('Van', 'De', 'Het'))} {rng.choice(_WORDS)} B.V."
    if "number" in lowered or lowered in ("code", "internalid"):
        return f"{rng.randrange(1, 999999):06d}"
    if "description" in lowered or lowered == "omschrijving":
        return entity.get("Description") or entity.get("Name") or rng.choice(_WORDS)
    if lowered in ("accountingyear", "year"):
        return str(rng.choice((2023, 2024, 2025)))
    return None


def generate_value(name: str, prop: dict[str, Any], entity: Entity,
                   source: EntitySource) -> Any:
    """A realistic, deterministic value for a field the entity does not carry."""
    rng = _rng(entity, name)
    kind = REFERENCE_KINDS.get(name)
    if kind is not None:
        referenced = pick_reference(source, kind, entity, rng)
        if referenced is not None:
            return referenced["Id"]
    declared = prop.get("type")
    if prop.get("format") == "uuid" or name.endswith("Id"):
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{entity.get('Id')}:{name}"))
    if declared == "boolean":
        return rng.random() < (0.1 if name.startswith("Is") else 0.5)
    value = _named_value(name, name.lower(), entity, rng, source)
    if value is not None:
        return value
    if declared in ("number", "integer"):
        return rng.randrange(0, 1000)
    if declared == "array":
        return []
    if declared == "object":
        return {}
    return f"{rng.choice(_WORDS)} {rng.randrange(1, 100)}"




def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def conform(value: Any, prop: dict[str, Any], regenerate: Callable[[], Any]) -> Any:
    """Convert a value to the schema's type/format/enum; regenerate when it cannot fit."""
    declared = prop.get("type")
    if declared == "string":
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, Decimal | float):
            value = f"{value:.2f}"
        elif isinstance(value, int):
            value = str(value)
        elif isinstance(value, dict | list):
            value = json.dumps(value, separators=(",", ":"))
        elif not isinstance(value, str):
            value = ""
        if prop.get("format") == "uuid" and not _UUID.match(value):
            fresh = regenerate()
            value = fresh if isinstance(fresh, str) and _UUID.match(fresh) else \
                str(uuid.uuid5(uuid.NAMESPACE_URL, value))
    elif declared in ("number", "integer"):
        number = _decimal(value)
        if number is None:
            number = _decimal(regenerate()) or Decimal(0)
        value = int(number) if declared == "integer" else \
            (int(number) if number == number.to_integral_value() else float(number))
    elif declared == "boolean":
        value = value if isinstance(value, bool) else str(value).lower() in ("true", "1")
    elif declared == "array" and not isinstance(value, list):
        value = []
    elif declared == "object" and not isinstance(value, dict):
        value = {}
    elif declared is None and isinstance(value, Decimal):
        value = float(value)  # untyped fields still have to be JSON
    enum = prop.get("enum")
    if isinstance(enum, list) and enum and value not in enum:
        value = enum[0]
    return value


def _regenerator(name: str, prop: dict[str, Any], entity: Entity,
                 source: EntitySource) -> Callable[[], Any]:
    return lambda: generate_value(name, prop, entity, source)


def project(entity: Entity, item_schema: dict[str, Any], source: EntitySource, *,
            keep_objects: frozenset[str] = frozenset(),
            keep_nulls: frozenset[str] = frozenset()) -> dict[str, Any]:
    """One record of an operation's response: the entity's fields in the schema's shape.

    keep_objects: fields sent as objects although the schema says string (observed dialect);
    keep_nulls: fields left null where the entity has null (observed dialect).
    """
    record: dict[str, Any] = {}
    for name, prop in (item_schema.get("properties") or {}).items():
        if not isinstance(prop, dict):
            prop = {}
        found, value = lookup(entity, name)
        if found and value is None and name in keep_nulls | keep_objects:
            record[name] = None
            continue
        if found and isinstance(value, dict) and name in keep_objects:
            record[name] = value
            continue
        if found and value is None and prop.get("type") == "string" \
                and prop.get("format") != "uuid":
            value = ""  # a known-empty text field stays empty rather than invented
        elif not found and entity.get(WRITTEN) and prop.get("format") != "uuid":
            value = _EMPTY.get(str(prop.get("type")), "")  # not sent by the app: left empty
        elif not found or value is None:
            value = generate_value(name, prop, entity, source)
        record[name] = conform(value, prop, _regenerator(name, prop, entity, source))
    return record
