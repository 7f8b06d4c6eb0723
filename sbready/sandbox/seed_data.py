"""Seeded, realistic SB data for one customer environment (version-independent entities).

The store keeps *entities*: dicts keyed by SB field names, one list per entity kind
("administration", "ledgeraccount", "organisation", ...). Entities do not depend on the SB
version; `data_projection` shapes them into each operation's response schema and fills the
fields an entity does not carry from `data_values` (deterministic per entity and field).

Core kinds are modelled explicitly (below); any other kind an SB version lists (debtor
balances, feature toggles, ...) gets `GENERIC_COUNT` entities that carry references into
the core data (administration, relation, ledger account) so every *Id resolves.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sbready.sandbox.blobs import BlobStore, seeded_image

Entity = dict[str, Any]

GENERIC_COUNT = 12  # entities per kind without an explicit model


@dataclass(frozen=True)
class SeedFixtures:
    """The stable names every customer environment is seeded with (other code relies on them)."""

    administrations: tuple[str, ...]  # the first one is the main administration
    ledger_accounts: tuple[tuple[str, str], ...]  # (number, description) in EVERY administration
    organisations: tuple[str, ...]
    persons: tuple[tuple[str, str, str], ...]  # (first name, prefix, last name)


FIXTURES = SeedFixtures(
    administrations=("Demo Administratie B.V.", "Demo Holding B.V."),
    ledger_accounts=(("8000", "Omzet hoog"), ("8010", "Omzet laag"), ("1300", "Debiteuren")),
    organisations=(
        "Bakkerij De Korenschoof B.V.",
        "Jansen Installatietechniek B.V.",
        "Van Dijk Advies",
    ),
    persons=(("Sanne", "de", "Vries"),),
)
"""Fixture set of every environment: administrations[0] is named "Demo Administratie B.V.";
each administration has ledger accounts 8000 "Omzet hoog", 8010 "Omzet laag" and 1300
"Debiteuren"; the organisations and the person "Sanne de Vries" are the first records of
their lists. The demo partner app's invoices reference these by name and number."""

LEDGER_ACCOUNTS_PER_ADMINISTRATION = 125  # 250 in total: more than two pages of 100
ORGANISATION_COUNT = 120
PERSON_COUNT = 40
# `records` N (a large customer, `sb-readiness sandbox --records N`): N organisations and
# LEDGER_SHARE * N ledger accounts over the administrations (50,000 and 20,000 for N = 50,000)
LEDGER_SHARE = 0.4
MAX_RECORDS = 1_000_000  # beyond this the seed alone needs gigabytes


def organisation_count(records: int | None) -> int:
    """How many organisations an environment of scale `records` has (never fewer than usual)."""
    return max(ORGANISATION_COUNT, records or 0)


def ledger_accounts_per_administration(records: int | None) -> int:
    """How many ledger accounts each administration has at scale `records`."""
    wanted = -(-int(LEDGER_SHARE * (records or 0)) // len(FIXTURES.administrations))
    return max(LEDGER_ACCOUNTS_PER_ADMINISTRATION, wanted)

_BASE_CHART: tuple[tuple[str, str, bool], ...] = (  # number, description, invest in asset
    ("0100", "Goodwill", True), ("0200", "Bedrijfsgebouwen", True), ("0247", "Schepen", True),
    ("0300", "Machines en installaties", True), ("0400", "Inventaris", True),
    ("0500", "Vervoermiddelen", True), ("0600", "Computerapparatuur", True),
    ("0900", "Eigen vermogen", False), ("0950", "Privéopnamen", False),
    ("1000", "Kas", False), ("1100", "Bank", False), ("1110", "Spaarrekening", False),
    ("1300", "Debiteuren", False), ("1350", "Dubieuze debiteuren", False),
    ("1400", "Vooruitbetaalde kosten", False), ("1500", "Te ontvangen bedragen", False),
    ("1600", "Crediteuren", False), ("1700", "Te betalen lonen", False),
    ("1800", "Te betalen btw hoog", False), ("1810", "Te betalen btw laag", False),
    ("1820", "Te vorderen btw", False), ("1890", "Af te dragen btw", False),
    ("3000", "Voorraad handelsgoederen", False), ("4000", "Lonen en salarissen", False),
    ("4100", "Sociale lasten", False), ("4200", "Pensioenlasten", False),
    ("4300", "Huur bedrijfsruimte", False), ("4310", "Energiekosten", False),
    ("4400", "Kantoorbenodigdheden", False), ("4410", "Telefoon en internet", False),
    ("4500", "Brandstof", False), ("4510", "Onderhoud auto", False),
    ("4600", "Reclame en advertenties", False), ("4700", "Accountantskosten", False),
    ("4710", "Advieskosten", False), ("4800", "Afschrijving inventaris", False),
    ("4900", "Bankkosten", False), ("7000", "Inkoopwaarde van de omzet", False),
    ("8000", "Omzet hoog", False), ("8010", "Omzet laag", False),
    ("8020", "Omzet nul", False), ("8100", "Omzet diensten", False),
    ("8200", "Omzet EU", False), ("8300", "Omzet buiten EU", False),
    ("9000", "Rentebaten", False), ("9100", "Rentelasten", False),
)
_COST_GROUPS = (
    ("41", "Personeelskosten"), ("43", "Huisvestingskosten"), ("44", "Kantoorkosten"),
    ("45", "Autokosten"), ("46", "Verkoopkosten"), ("47", "Algemene kosten"),
)
_COST_DETAILS = (
    "reiskosten", "opleidingen", "kantinekosten", "schoonmaak", "verzekeringen",
    "onderhoud", "abonnementen", "representatie", "drukwerk", "porti", "software",
    "contributies", "parkeerkosten", "leasekosten", "beveiliging", "overige",
)
_COMPANY_WORDS = (
    "Bouwbedrijf", "Installatiebedrijf", "Schildersbedrijf", "Transport", "Hoveniers",
    "Bloemenhandel", "Drukkerij", "Autobedrijf", "Advocatenkantoor", "Tandartspraktijk",
    "Architectenbureau", "Fietsenmaker", "Slagerij", "Kapsalon", "IJzerhandel", "Webdesign",
)
_COMPANY_OWNERS = (
    "Bakker", "Visser", "Smit", "Meijer", "De Boer", "Mulder", "De Groot", "Bos", "Vos",
    "Peters", "Hendriks", "Van Leeuwen", "Dekker", "Brouwer", "De Wit", "Dijkstra",
    "Smits", "De Graaf", "Van der Meer", "Kok", "Jacobs", "Van den Berg", "Vermeulen",
)
_LEGAL_FORMS = ("B.V.", "B.V.", "V.O.F.", "", "Holding B.V.")
_FIRST_NAMES = (
    "Daan", "Emma", "Lucas", "Julia", "Sem", "Mila", "Finn", "Tess", "Levi", "Sophie",
    "Noah", "Zoë", "Bram", "Lotte", "Thijs", "Fleur", "Jesse", "Anouk", "Ruben", "Iris",
)
_LAST_NAMES = (
    ("", "Jansen"), ("de", "Jong"), ("", "Bakker"), ("van", "Dijk"), ("", "Visser"),
    ("van den", "Berg"), ("", "Smit"), ("de", "Boer"), ("", "Mulder"), ("van der", "Linden"),
    ("", "Hoekstra"), ("", "Kuipers"), ("van", "Wijk"), ("", "Postma"), ("de", "Haan"),
)
CITIES = (
    ("Amsterdam", "1011"), ("Rotterdam", "3011"), ("Utrecht", "3511"), ("Den Haag", "2511"),
    ("Eindhoven", "5611"), ("Groningen", "9711"), ("Leeuwarden", "8911"), ("Zwolle", "8011"),
    ("Arnhem", "6811"), ("Nijmegen", "6511"), ("Breda", "4811"), ("Haarlem", "2011"),
    ("Apeldoorn", "7311"), ("Maastricht", "6211"), ("Leiden", "2311"), ("Deventer", "7411"),
)
STREETS = (
    "Dorpsstraat", "Kerkstraat", "Stationsweg", "Molenweg", "Schoolstraat", "Hoofdstraat",
    "Industrieweg", "Nieuwstraat", "Marktplein", "Julianalaan", "Beukenlaan", "Havenkade",
)
BANKS = (("RABO", "RABONL2U"), ("INGB", "INGBNL2A"), ("ABNA", "ABNANL2A"), ("SNSB", "SNSBNL2A"),
         ("TRIO", "TRIONL2U"), ("BUNQ", "BUNQNL2A"))
COUNTRIES = (
    ("NL", "Nederland"), ("BE", "België"), ("DE", "Duitsland"), ("FR", "Frankrijk"),
    ("LU", "Luxemburg"), ("GB", "Verenigd Koninkrijk"), ("ES", "Spanje"), ("IT", "Italië"),
    ("AT", "Oostenrijk"), ("DK", "Denemarken"), ("PL", "Polen"), ("US", "Verenigde Staten"),
)
_PRODUCTS = (
    ("Advies per uur", "Diensten", "95.00", "services"),
    ("Installatie cv-ketel", "Installatie", "1450.00", "supplies"),
    ("Onderhoudscontract", "Diensten", "180.00", "services"),
    ("Volkoren brood", "Bakkerij", "3.25", "supplies"),
    ("Appeltaart groot", "Bakkerij", "18.50", "supplies"),
    ("Laptop 14 inch", "Hardware", "899.00", "supplies"),
    ("Draadloze muis", "Randapparatuur", "24.95", "supplies"),
    ("Monitor 24 inch", "Randapparatuur", "189.00", "supplies"),
    ("Webhosting per jaar", "Hosting", "120.00", "services"),
    ("Training halve dag", "Opleiding", "450.00", "services"),
    ("Voorrijkosten", "Diensten", "45.00", "services"),
    ("Thermostaat slim", "Installatie", "219.00", "supplies"),
)
_PAYMENT_CONDITIONS = (("Direct", 0), ("Betaling binnen 14 dagen", 14),
                       ("Betaling binnen 30 dagen", 30))
_PAYMENT_METHODS = ("Bankoverschrijving", "Automatische incasso", "iDEAL", "Contant", "Pin",
                    "Creditcard")
_VAT_TYPES = ("Hoog", "Laag", "Nul", "Verlegd", "Vrijgesteld", "Geen btw")
_VAT_RATES = (("Hoog 21%", 21), ("Laag 9%", 9), ("Nul 0%", 0))
_SEED_EPOCH = date(2024, 1, 1)


def entity_id(seed: int, environment: str, kind: str, number: int) -> str:
    """A stable guid for the n-th entity of a kind in one environment."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"sbready:{seed}:{environment}:{kind}:{number}"))


def iban(rng: random.Random, bank_code: str) -> str:
    """A Dutch IBAN with a correct ISO 13616 check number."""
    account = f"{rng.randrange(10**9, 10**10):010d}"
    digits = "".join(str(int(ch, 36)) for ch in f"{bank_code}{account}NL00")
    check = 98 - int(digits) % 97
    return f"NL{check:02d}{bank_code}{account}"


def slug(text: str) -> str:
    """Lower-case letters and digits of a name, for e-mail addresses and websites."""
    return "".join(ch for ch in text.lower() if ch.isalnum())[:24] or "relatie"


@dataclass
class EnvironmentSeed:
    """All entities of one environment, before any write."""

    seed: int
    environment: str
    entities: dict[str, list[Entity]] = field(default_factory=dict)
    blobs: BlobStore = field(default_factory=BlobStore)

    def rng(self, *parts: object) -> random.Random:
        """A deterministic random stream for one purpose."""
        return random.Random(":".join(str(p) for p in (self.seed, self.environment, *parts)))

    def new_id(self, kind: str, number: int) -> str:
        """The guid of the n-th seeded entity of `kind`."""
        return entity_id(self.seed, self.environment, kind, number)

    def add(self, kind: str, entity: Entity) -> Entity:
        """Append a seeded entity."""
        self.entities.setdefault(kind, []).append(entity)
        return entity


def build_environment(seed: int, environment: str, records: int | None = None) -> EnvironmentSeed:
    """Build the seed entities of one environment (deterministic for (seed, environment,
    records)); `records`: the scale of a large customer (see organisation_count)."""
    env = EnvironmentSeed(seed, environment)
    _administrations(env)
    _ledger_accounts(env, ledger_accounts_per_administration(records))
    _countries(env)
    _relations(env, organisation_count(records))
    _addresses_and_bank_accounts(env)
    _contacts(env)
    _reference_lists(env)
    _accounting_calendar(env)
    _products_and_projects(env)
    _sales_invoices(env)
    _lines_to_be_invoiced(env)
    return env


def _administrations(env: EnvironmentSeed) -> None:
    for number, name in enumerate(FIXTURES.administrations):
        ident = env.new_id("administration", number)
        env.add("administration", {"Id": ident, "InstanceId": ident, "Description": name,
                                   "Name": name, "CountryCode": "NL"})


def _ledger_accounts(env: EnvironmentSeed, per_administration: int) -> None:
    rng = env.rng("ledgeraccount")
    chart = [(n, d, a) for n, d, a in _BASE_CHART]
    fixture_numbers = {n for n, _ in FIXTURES.ledger_accounts}
    chart = [row for row in chart if row[0] not in fixture_numbers]
    chart[0:0] = [(n, d, False) for n, d in FIXTURES.ledger_accounts]
    used = {row[0] for row in chart}
    for group, label in _COST_GROUPS:  # cost sub-accounts until the chart has its size
        for offset, detail in enumerate(_COST_DETAILS):
            number = f"{group}{offset * 5 + 20:02d}"
            if number not in used and len(chart) < LEDGER_ACCOUNTS_PER_ADMINISTRATION:
                chart.append((number, f"{label} - {detail}", False))
                used.add(number)
    type_ids = {kind: env.new_id("ledgeraccounttype", i)
                for i, kind in enumerate(("balans", "resultaat"))}
    for extra in range(per_administration - len(chart)):  # a large customer's cost centres
        chart.append((f"7{extra + 1:05d}", f"Kostenplaats {extra + 1}", False))
    count = 0
    for administration in env.entities["administration"]:
        for number, description, invest in chart[:per_administration]:
            ident = env.new_id("ledgeraccount", count)
            count += 1
            env.add("ledgeraccount", {
                "Id": ident, "InstanceId": ident, "AdministrationId": administration["Id"],
                "LedgerAccountNumber": number, "Description": description,
                "TypeId": type_ids["balans" if number < "4000" else "resultaat"],
                "InvestInAsset": invest, "RgsCode": f"W{rng.choice('ABOPR')}{number}",
                "RgsDescription": description, "IsBlocked": False,
            })


def _countries(env: EnvironmentSeed) -> None:
    for number, (code, name) in enumerate(COUNTRIES):
        env.add("country", {"Id": env.new_id("country", number), "Description": name,
                            "CodeISOAlpha2": code, "CountryCode": code, "Name": name})


def _company_name(rng: random.Random, taken: set[str]) -> str:
    while True:
        form = rng.choice(_LEGAL_FORMS)
        name = f"{rng.choice(_COMPANY_WORDS)} {rng.choice(_COMPANY_OWNERS)} {form}".strip()
        if name not in taken:
            taken.add(name)
            return name


def _relations(env: EnvironmentSeed, organisations: int = ORGANISATION_COUNT) -> None:
    rng = env.rng("relations")
    taken = set(FIXTURES.organisations)
    names = list(FIXTURES.organisations)
    while len(names) < ORGANISATION_COUNT:
        names.append(_company_name(rng, taken))
    while len(names) < organisations:  # beyond the name combinations: numbered branches
        names.append(f"{rng.choice(_COMPANY_WORDS)} {rng.choice(_COMPANY_OWNERS)} "
                     f"{len(names) + 1}")
    for number, name in enumerate(names):
        relation_number = f"{number + 1:06d}"
        env.add("organisation", {
            "Id": env.new_id("organisation", number), "Name": name,
            "RelationId": relation_number, "RelationNumber": relation_number,
            "CocNumber": f"{rng.randrange(10**7, 10**8)}",
            "VatNumber": f"NL{rng.randrange(10**8, 10**9)}B{rng.randrange(1, 3):02d}",
            "EmailAddress": f"info@{slug(name)}.nl",
            "PhoneNumber": f"0{rng.randrange(10, 80)}-{rng.randrange(1000000, 9999999)}",
            "SbiCode": f"{rng.randrange(1000, 9999)}", "ExternalId": f"ext-{relation_number}",
            "Website": f"https://www.{slug(name)}.nl", "IsArchived": False,
            "RelationType": "organisation", "Tradename": name,
        })
    people = list(FIXTURES.persons)
    while len(people) < PERSON_COUNT:
        prefix, last = rng.choice(_LAST_NAMES)
        person = (rng.choice(_FIRST_NAMES), prefix, last)
        if person not in people:
            people.append(person)
    for number, (first, prefix, last) in enumerate(people):
        full = " ".join(part for part in (first, prefix, last) if part)
        relation_number = f"{len(names) + number + 1:06d}"
        env.add("person", {
            "Id": env.new_id("person", number), "Name": full, "FirstName": first,
            "Firstname": first, "Prefix": prefix, "LastName": last, "Lastname": last,
            "Initials": f"{first[0]}.", "RelationId": relation_number,
            "RelationNumber": relation_number,
            "EmailAddress": f"{slug(first)}.{slug(prefix + last)}@example.nl",
            "PhoneNumber": f"06-{rng.randrange(10000000, 99999999)}",
            "ExternalId": f"ext-{relation_number}", "IsArchived": False,
            "RelationType": "person",
        })
    for number, name in enumerate(("Kassaverkoop", "Losse verkoop", "Onbekende klant",
                                   "Marktverkoop", "Webshop anoniem")):
        env.add("unknownrelation", {"Id": env.new_id("unknownrelation", number), "Name": name,
                                    "Description": name, "RelationType": "unknown",
                                    "RelationId": f"{900000 + number:06d}"})


def relations(env_entities: dict[str, list[Entity]]) -> list[Entity]:
    """Organisations, then persons: the relations references point at."""
    return env_entities.get("organisation", []) + env_entities.get("person", [])


def _addresses_and_bank_accounts(env: EnvironmentSeed) -> None:
    rng = env.rng("addresses")
    for number, relation in enumerate(relations(env.entities)):
        city, postal = rng.choice(CITIES)
        env.add("address", {
            "Id": env.new_id("address", number), "RelationId": relation["Id"],
            "RelationType": relation["RelationType"], "StreetName": rng.choice(STREETS),
            "Street": None, "HouseNumber": rng.randrange(1, 250),
            "HouseNumberAddition": rng.choice(("", "", "", "A", "bis", "2")),
            "PostalZone": f"{postal} {rng.choice('ABCDEGHJKL')}{rng.choice('ABCDEGHJKL')}",
            "CityName": city, "City": city, "CountryName": "Nederland", "Country": "Nederland",
            "CountryCode": "NL", "IsPreferedInvoiceAddress": "true",
        })
        env.entities["address"][-1]["Street"] = env.entities["address"][-1]["StreetName"]
        env.entities["address"][-1]["PostalCode"] = env.entities["address"][-1]["PostalZone"]
        if relation["RelationType"] == "person" and number % 3:
            continue  # most private persons pay without a known bank account
        bank, bic = rng.choice(BANKS)
        account = iban(rng, bank)
        env.add("bankaccount", {
            "Id": env.new_id("bankaccount", number), "RelationId": relation["Id"],
            "RelationType": relation["RelationType"],
            "RelationIsOrganisationOrAdministration": relation["RelationType"] == "organisation",
            "AccountNumber": account, "Bankrekening": account, "BIC": bic, "Bic": bic,
            "AccountHolder": relation["Name"], "AccountHolderName": relation["Name"],
            "CountryCode": "NL",
        })


def _contacts(env: EnvironmentSeed) -> None:
    persons = env.entities["person"]
    for number, organisation in enumerate(env.entities["organisation"][:30]):
        person = persons[number % len(persons)]
        env.add("contact", {
            "Id": env.new_id("contact", number), "OrganisationId": organisation["Id"],
            "PersonId": person["Id"], "Name": person["Name"], "FirstName": person["FirstName"],
            "LastName": person["LastName"], "Prefix": person["Prefix"],
            "EmailAddress": f"{slug(person['FirstName'])}@{slug(organisation['Name'])}.nl",
            "PhoneNumber": person["PhoneNumber"], "RelationName": organisation["Name"],
        })


def _reference_lists(env: EnvironmentSeed) -> None:
    for number, name in enumerate(_PAYMENT_METHODS):
        env.add("paymentmethod", {"Id": env.new_id("paymentmethod", number), "Description": name})
    for number, name in enumerate(_VAT_TYPES):
        env.add("vattype", {"Id": env.new_id("vattype", number), "Description": name})
    for number, (name, percentage) in enumerate(_VAT_RATES):
        env.add("vatrate", {"Id": env.new_id("vatrate", number), "Description": name,
                            "VatPercentage": percentage})
    count = 0
    for administration in env.entities["administration"]:
        for name, days in _PAYMENT_CONDITIONS:
            env.add("paymentcondition", {
                "Id": env.new_id("paymentcondition", count), "Description": name,
                "AdministrationId": administration["Id"], "Days": days,
            })
            count += 1


def _accounting_calendar(env: EnvironmentSeed) -> None:
    years = periods = 0
    for administration in env.entities["administration"]:
        for year in (2023, 2024, 2025):
            year_id = env.new_id("accountingyear", years)
            years += 1
            env.add("accountingyear", {
                "Id": year_id, "Description": str(year), "AdministrationId": administration["Id"],
                "StartDate": f"{year}-01-01T00:00:00Z", "EndDate": f"{year}-12-31T00:00:00Z",
            })
            for month in range(1, 13):
                end = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1))
                env.add("accountingperiod", {
                    "Id": env.new_id("accountingperiod", periods), "AccountingYear": year_id,
                    "AccountingYearId": year_id, "Description": f"{year}-{month:02d}",
                    "PeriodNumber": month, "AdministrationId": administration["Id"],
                    "StartDate": f"{year}-{month:02d}-01T00:00:00Z",
                    "EndDate": f"{end.isoformat()}T00:00:00Z",
                })
                periods += 1


def _products_and_projects(env: EnvironmentSeed) -> None:
    rng = env.rng("products")
    count = 0
    for administration in env.entities["administration"]:
        for offset, (name, group, price, product_type) in enumerate(_PRODUCTS):
            ident = env.new_id("product", count)
            blob = None
            if offset % 3 == 0:  # a third of the products has a picture
                content = seeded_image(rng)
                blob = env.blobs.add_seeded(
                    env.new_id("blob", count), content, "image/png", f"product-{count + 1}.png",
                    readkey=f"{rng.getrandbits(128):032x}",
                ).reference()
            vat = "21" if product_type == "supplies" and group != "Bakkerij" else "9"
            env.add("product", {
                "Id": ident, "AdministrationId": administration["Id"], "Description": name,
                "Code": f"P{count + 1:04d}", "InternalId": f"{count + 1:06d}",
                "PriceExcludingVAT": price,
                "PriceIncludingVAT": f"{float(price) * (1 + int(vat) / 100):.2f}",
                "ProductGroup": group, "ProductType": product_type, "Blob": blob,
                "IsArchived": False, "IsBlocked": False, "IsDisabled": False,
                "Barcode": f"87{rng.randrange(10**10, 10**11)}",
            })
            count += 1
        for offset, name in enumerate(("Implementatie boekhouding", "Nieuwbouw kantoor",
                                       "Onderhoud 2024")):
            env.add("project", {
                "Id": env.new_id("project", count + offset),
                "AdministrationId": administration["Id"], "Description": name,
                "ProjectDescription": name, "Code": f"PRJ{count + offset:03d}",
                "RelationId": env.entities["organisation"][offset]["Id"],
            })


def _amounts(rng: random.Random) -> tuple[str, str]:
    excluding = rng.randrange(2500, 250000) / 100
    return f"{excluding:.2f}", f"{excluding * 0.21:.2f}"


def _sales_invoices(env: EnvironmentSeed) -> None:
    rng = env.rng("salesinvoices")
    ledger = {(a["AdministrationId"], a["LedgerAccountNumber"]): a
              for a in env.entities["ledgeraccount"]}
    organisations = env.entities["organisation"]
    line_count = 0
    for number in range(30):
        administration = env.entities["administration"][number % 2]
        relation = organisations[number % len(organisations)]
        issued = _SEED_EPOCH + timedelta(days=number * 11)
        excluding, vat = _amounts(rng)
        total = f"{float(excluding) + float(vat):.2f}"
        paid = total if number % 3 == 0 else "0.00"
        ident = env.new_id("salesinvoice", number)
        invoice_number = f"{issued.year}{number + 1:05d}"
        env.add("salesinvoice", {
            "Id": ident, "InvoiceId": ident, "AdministrationId": administration["Id"],
            "InvoiceNumber": invoice_number, "SalesInvoiceNumber": invoice_number,
            "RelationId": relation["Id"], "RelationName": relation["Name"],
            "CustomerName": relation["Name"], "RelationType": "organisation",
            "InvoiceDate": f"{issued.isoformat()}T00:00:00Z",
            "IssueDate": f"{issued.isoformat()}T00:00:00Z",
            "DueDate": f"{(issued + timedelta(days=30)).isoformat()}T00:00:00Z",
            "TotalAmount": total, "AmountTotal": total, "VatAmount": vat,
            "AmountExcludingVat": excluding, "PaidAmount": paid,
            "OutstandingAmount": f"{float(total) - float(paid):.2f}",
            "Description": f"Factuur {invoice_number}",
        })
        revenue = ledger[(administration["Id"], "8000")]
        debtors = ledger[(administration["Id"], "1300")]
        for account, debit, credit in ((debtors, total, "0.00"), (revenue, "0.00", excluding)):
            env.add("journalentryline", {
                "Id": env.new_id("journalentryline", line_count), "HeaderId": ident,
                "LineId": env.new_id("journalentryline", line_count),
                "AdministrationId": administration["Id"], "LedgerAccountId": account["Id"],
                "LedgerAccountNumber": account["LedgerAccountNumber"],
                "LedgerAccount": account["Description"], "AmountDebit": debit,
                "AmountCredit": credit, "Description": f"Factuur {invoice_number}",
                "InvoiceNumber": invoice_number, "RelationId": relation["Id"],
                "EntryDate": f"{issued.isoformat()}T00:00:00Z",
                "PostingDate": f"{issued.isoformat()}T00:00:00Z",
            })
            line_count += 1


def _lines_to_be_invoiced(env: EnvironmentSeed) -> None:
    products = env.entities["product"]
    for number in range(10):
        product = products[number % len(products)]
        relation = env.entities["organisation"][number]
        quantity = number % 4 + 1
        env.add("linestobeinvoiced", {
            "Id": env.new_id("linestobeinvoiced", number),
            "InstanceId": env.new_id("linestobeinvoiced", number),
            "AdministrationId": product["AdministrationId"], "RelationId": relation["Id"],
            "RelationDescription": relation["Name"], "RelationNumber": relation["RelationId"],
            "RelationType": "organisation", "ProductId": product["Id"],
            "Description": product["Description"], "Quantity": str(quantity),
            "Price": product["PriceExcludingVAT"],
            "TotalAmount": f"{quantity * float(product['PriceExcludingVAT']):.2f}",
        })


def generic_entities(env: EnvironmentSeed, kind: str) -> list[Entity]:
    """Entities of a kind without an explicit model: each carries core references."""
    administrations = env.entities["administration"]
    organisations = env.entities["organisation"]
    persons = env.entities["person"]
    created = []
    for number in range(GENERIC_COUNT):
        relation = persons[number % len(persons)] if number % 4 == 3 else \
            organisations[number % len(organisations)]
        ident = env.new_id(kind, number)
        created.append({
            "Id": ident, "InstanceId": ident,
            "AdministrationId": administrations[number % len(administrations)]["Id"],
            "RelationId": relation["Id"], "RelationName": relation["Name"],
            "CustomerName": relation["Name"], "RelationType": relation["RelationType"],
            "OrganisationId": relation["Id"] if relation["RelationType"] == "organisation"
            else None,
            "PersonId": relation["Id"] if relation["RelationType"] == "person" else None,
            "Description": f"{kind} {number + 1}",
        })
    return created
