"""One sync run: read administrations, relations and ledger accounts, post the invoices."""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import httpx

from examples.demo_partner import styles
from examples.demo_partner.errors import DemoPartnerError, SbForbidden, SbRejected, UsageProblem
from examples.demo_partner.retry import DEFAULT_POLICY, RetryPolicy
from examples.demo_partner.sb_client import SbClient
from examples.demo_partner.settings import Settings
from examples.demo_partner.store import Connection, EntryRecord, Store

DEFAULT_INVOICES = Path(__file__).with_name("invoices.json")
SALES_JOURNAL_ENTRY = "/api/salesjournalentry"
VAT_TYPES = ("high", "low", "zero")
MADE_WITH_ERRORS = "made_with_errors"  # SB answered Failed but made the entry: never resend it


@dataclass(frozen=True)
class InvoiceLine:
    """One invoice line: a ledger account number and amounts in euros."""

    ledger_account: str
    description: str
    amount_excluding_vat: Decimal
    amount_vat: Decimal
    vat_type: str


@dataclass(frozen=True)
class Invoice:
    """One invoice from the app's own bookkeeping, to be posted as a sales journal entry."""

    number: str
    date: date
    administration: str | None  # the administration's Description; None = the first one
    customer: str  # the organisation's (or person's) Name in AFAS SB
    customer_type: str  # "organisation" | "person"
    description: str
    lines: tuple[InvoiceLine, ...]


def _amount(value: Any, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise UsageProblem(f"{where} must be a number like 125.50.")
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise UsageProblem(f"{where} must be a number like 125.50, not {value!r}.") from None
    if amount != amount.quantize(Decimal("0.01")):
        raise UsageProblem(f"{where} has more than two decimals ({value}); round it to cents.")
    return amount.quantize(Decimal("0.01"))


def load_invoices(path: str | Path) -> list[Invoice]:
    """Read and check the invoice file; UsageProblem says what to fix."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageProblem(f"invoice file {path} does not exist; pass --invoices FILE.") from None
    except (OSError, ValueError) as error:
        raise UsageProblem(f"invoice file {path} is not readable JSON ({error}).") from None
    rows = document.get("invoices") if isinstance(document, dict) else None
    if not isinstance(rows, list):
        raise UsageProblem(f'invoice file {path} must hold {{"invoices": [...]}}.')
    invoices = []
    for position, row in enumerate(rows, start=1):
        where = f"invoice #{position} in {path}"
        try:
            lines = tuple(
                InvoiceLine(
                    ledger_account=str(line["ledger_account"]),
                    description=str(line.get("description", "")),
                    amount_excluding_vat=_amount(line["amount_excluding_vat"], where),
                    amount_vat=_amount(line.get("amount_vat", 0), where),
                    vat_type=str(line.get("vat_type", "high")),
                )
                for line in row["lines"]
            )
            invoice = Invoice(
                number=str(row["number"]),
                date=date.fromisoformat(str(row["date"])),
                administration=row.get("administration"),
                customer=str(row["customer"]),
                customer_type=str(row.get("customer_type", "organisation")),
                description=str(row.get("description", "")),
                lines=lines,
            )
        except (KeyError, TypeError) as error:
            raise UsageProblem(f"{where} lacks field {error}; see invoices.json.") from None
        except ValueError as error:
            raise UsageProblem(f"{where}: {error}; dates are YYYY-MM-DD.") from None
        if invoice.customer_type not in ("organisation", "person"):
            raise UsageProblem(f"{where}: customer_type must be organisation or person.")
        if not invoice.lines or any(line.vat_type not in VAT_TYPES for line in invoice.lines):
            raise UsageProblem(f"{where} needs lines with vat_type one of {VAT_TYPES}.")
        invoices.append(invoice)
    return invoices


@dataclass
class SyncReport:
    """What one environment's sync did."""

    environment: str
    base_url: str
    counts: dict[str, int] = field(default_factory=dict)
    posted: list[str] = field(default_factory=list)
    already_posted: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line for the CLI and the web page."""
        read = ", ".join(f"{count} {kind}" for kind, count in self.counts.items())
        text = (
            f"{self.environment}: read {read}; posted {len(self.posted)} entries, "
            f"{len(self.already_posted)} already posted"
        )
        return text + (f"; {len(self.failures)} failed" if self.failures else "")


def _payload_hash(payload: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


class EnvironmentSync:
    """The sync of one connection (one AFAS SB environment)."""

    def __init__(self, client: SbClient, store: Store, settings: Settings) -> None:
        self.client = client
        self.store = store
        self.settings = settings
        self.base_url = client.connection.base_url
        self.report = SyncReport(client.connection.environment, self.base_url)

    def run(self, invoices: Sequence[Invoice]) -> SyncReport:
        """Read what the invoices need, then post the invoices not posted before."""
        if styles.is_on("work_only") and not self.has_work(invoices):
            self.client.renew_access_token()  # keep the connection alive, nothing to book
            return self.report
        self.read_administrations()
        self.read_tracked("/api/organisations", "get_organisations", "organisation")
        self.read_tracked("/api/persons", "get_persons", "person")
        self.read_ledger_accounts()
        if self.settings.flaw("unknown_endpoint"):
            # the deprecated endpoint answers 404 on SB >= 3.1.0; the flawed app ignores that
            self.client.call("GET", "/api/journalentry", "get_journalentry")
        if self.settings.flaw("outside_grant"):
            self.read_price_list()
        for invoice in invoices:
            self.post_invoice(invoice)
        return self.report

    def has_work(self, invoices: Sequence[Invoice]) -> bool:
        """True when an invoice is not booked yet (new, pending, or failed before)."""
        for invoice in invoices:
            known = self.store.entry(self.base_url, invoice.number)
            if known is None or known.status in ("pending", "failed"):
                return True
        return False

    # -- reading ----------------------------------------------------------------------------
    def read_administrations(self) -> None:
        """All administrations (small, untracked: read in full every run)."""
        read = self.client.read_list("/api/administrations", "get_administrations")
        self.store.save_records(self.base_url, "administration", read.items, replace=True)
        self.report.counts["administrations"] = len(read.items)

    def read_price_list(self) -> None:
        """Products for a price list (only the outside_grant flaw: no bundle grants it)."""
        try:
            self.client.call("GET", "/api/products", "get_products")
        except SbForbidden:
            pass  # the flawed app treats the price list as optional and carries on

    def read_tracked(self, api_path: str, operation: str, kind: str) -> None:
        """A change-tracking list: in full the first time, then only changes since the token."""
        token = None if self.settings.flaw("full_reread") else (
            self.store.tracking_token(self.base_url, api_path)
        )
        read = self.client.read_list(api_path, operation, tracking_token=token)
        if self.settings.flaw("fragile_parsing"):
            for item in read.items:
                item["Name"] = item["Name"].strip()  # assumes SB always sends a Name
        self.store.save_records(self.base_url, kind, read.items, replace=token is None)
        if read.tracking_token:
            self.store.set_tracking_token(self.base_url, api_path, read.tracking_token)
        self.report.counts[f"{kind}s" + (" changed" if token else "")] = len(read.items)

    def read_ledger_accounts(self) -> None:
        """Ledger accounts per administration (filtered), re-read in full (untracked)."""
        accounts: list[dict[str, Any]] = []
        for administration in self.store.records(self.base_url, "administration"):
            operator = "==" if self.settings.flaw("malformed_filter") else "eq"
            read = self.client.read_list(
                "/api/ledgeraccounts",
                "get_ledgeraccounts",
                filter_expression=f"AdministrationId {operator} {administration['Id']}",
            )
            if self.settings.flaw("request_storm"):
                for account in read.items:  # "verifies" every account with a request of its own
                    self.client.read_list("/api/ledgeraccounts", "get_ledgeraccounts",
                                          filter_expression=f"Id eq {account['Id']}")
            for account in read.items:
                # remember which administration asked, in case SB leaves the field empty
                accounts.append({"AdministrationId": administration["Id"], **account}
                                if not account.get("AdministrationId") else account)
        self.store.save_records(self.base_url, "ledgeraccount", accounts, replace=True)
        self.report.counts["ledger accounts"] = len(accounts)

    # -- writing ----------------------------------------------------------------------------
    def entry_payload(self, invoice: Invoice) -> dict[str, Any]:
        """The POST /api/salesjournalentry body for an invoice, from the synced data."""
        administrations = self.store.records(self.base_url, "administration")
        if invoice.administration:
            administrations = [
                a for a in administrations if a.get("Description") == invoice.administration
            ]
        if not administrations:
            raise DemoPartnerError(
                f"invoice {invoice.number}: no administration "
                f"{invoice.administration or ''} in {self.report.environment}".replace("  ", " ")
                + "; fix the invoice's administration."
            )
        administration_id = administrations[0]["Id"]
        relations = [
            r for r in self.store.records(self.base_url, invoice.customer_type)
            if r.get("Name") == invoice.customer and not r.get("IsArchived")
        ]
        if not relations:
            raise DemoPartnerError(
                f"invoice {invoice.number}: no {invoice.customer_type} named "
                f"{invoice.customer!r} in {self.report.environment}; add it in AFAS SB or fix "
                "the invoice."
            )
        accounts = {
            a.get("LedgerAccountNumber"): a["Id"]
            for a in self.store.records(self.base_url, "ledgeraccount")
            if a.get("AdministrationId") == administration_id
        }
        lines = []
        for line in invoice.lines:
            if line.ledger_account not in accounts:
                raise DemoPartnerError(
                    f"invoice {invoice.number}: ledger account {line.ledger_account} does not "
                    f"exist in administration {administrations[0].get('Description')}."
                )
            lines.append({
                "LedgerAccountId": accounts[line.ledger_account],
                "Description": line.description,
                "AmountExcludingVat": float(line.amount_excluding_vat),
                "AmountVat": float(line.amount_vat),
                "VatType": line.vat_type,
            })
        payload: dict[str, Any] = {
            "AdministrationId": administration_id,
            "InvoiceDate": invoice.date.isoformat(),
            "InvoiceNumber": invoice.number,
            "RelationType": invoice.customer_type,
            "RelationId": relations[0]["Id"],
            "Reference": f"demo-partner:{invoice.number}",
            "Description": invoice.description,
            "InvoiceLine": lines,
        }
        if self.settings.flaw("invalid_body"):
            payload["InvoiceDate"] = invoice.date.strftime("%d-%m-%Y")
            del payload["RelationType"]
        return payload

    def post_invoice(self, invoice: Invoice) -> None:
        """Post one invoice exactly once; failures are collected, not raised."""
        known = self.store.entry(self.base_url, invoice.number)
        if self.settings.flaw("double_post") and known and known.status == "posted":
            known = None  # the flawed app forgets what it posted before
        if known and known.status in ("posted", "partial"):
            self.report.already_posted.append(invoice.number)
            return
        try:
            payload = self.entry_payload(invoice)
        except DemoPartnerError as error:
            self.report.failures.append(str(error))
            return
        payload_hash = _payload_hash(payload)
        if known and known.status == "rejected" and known.payload_hash == payload_hash:
            self.report.failures.append(
                f"entry {invoice.number} is not sent again: SB rejected this exact payload "
                f"before ({known.detail}); fix the invoice."
            )
            return
        # SB's Failed can have made the entry anyway ("Entity is made with one or more
        # errors ..."): a new request would meet "already exists" or make it twice
        failed_before = known is not None and known.status in ("failed", MADE_WITH_ERRORS) and (
            known.payload_hash == payload_hash
        )
        same_id = styles.is_on("same_id_after_failed")
        resend_made = same_id or self.settings.flaw("resend_failed_new_id")
        if known and failed_before and known.status == MADE_WITH_ERRORS and not resend_made:
            self.report.failures.append(
                f"entry {invoice.number} is not sent again: SB made it with errors before "
                f"({known.detail}); correct or delete it in AFAS SB."
            )
            return
        # a pending entry (a run that died mid-send) keeps its identifier: SB dedupes the retry
        reuse = known is not None and (known.status == "pending" or (failed_before and same_id)
                                       ) and known.payload_hash == payload_hash
        tracking_identifier = known.tracking_identifier if reuse and known else str(uuid.uuid4())
        record = EntryRecord(
            self.base_url, invoice.number, tracking_identifier, payload_hash, "pending", None, None
        )
        self.store.save_entry(record)
        try:
            answer = self.client.write(
                SALES_JOURNAL_ENTRY, "post_salesjournalentry", payload, tracking_identifier
            )
        except SbRejected as error:
            detail = f"{error.exception_code or 'HTTP 400'}, TraceId {error.trace_id}"
            self._finish(record, "rejected", None, detail)
            self.report.failures.append(f"SB rejected entry {invoice.number}: {error}")
            return
        self._record_result(record, answer)

    def _record_result(self, record: EntryRecord, answer: dict[str, Any]) -> None:
        result = answer.get("result")
        trace = answer.get("traceId") or answer.get("TraceId") or "none"
        errors = "; ".join(str(e) for e in answer.get("errors") or []) or "no errors given"
        if result == "Succeeded" or self.settings.flaw("ignore_result"):
            self._finish(record, "posted", _created_id(answer), None)
            self.report.posted.append(record.invoice_number)
        elif result == "PartiallySucceeded":
            # part of it exists in SB now: never post it again, a person must finish it
            self._finish(record, "partial", _created_id(answer), f"{errors} (traceId {trace})")
            self.report.failures.append(
                f"SB only partly accepted entry {record.invoice_number}: {errors} "
                f"(traceId {trace}); complete it in AFAS SB."
            )
        else:
            # AFAS's own words when a Failed made the entry anyway (6.0.0's examples)
            made = "entity is made" in errors.lower()
            self._finish(record, MADE_WITH_ERRORS if made else "failed", None,
                         f"{errors} (traceId {trace})")
            self.report.failures.append(
                f"SB rejected entry {record.invoice_number}: result {result}: {errors} "
                f"(traceId {trace})"
            )

    def _finish(self, record: EntryRecord, status: str, sb_id: str | None, detail: str | None
                ) -> None:
        self.store.save_entry(EntryRecord(
            record.base_url, record.invoice_number, record.tracking_identifier,
            record.payload_hash, status, sb_id, detail,
        ))


def _created_id(answer: dict[str, Any]) -> str | None:
    instances = answer.get("instances")
    if isinstance(instances, list) and instances and isinstance(instances[0], dict):
        return str(instances[0].get("Id") or "") or None
    data = answer.get("data")
    if isinstance(data, dict) and data.get("SalesJournalEntryId"):
        return str(data["SalesJournalEntryId"])
    return None


def new_http_client(settings: Settings, transport: httpx.BaseTransport | None = None
                    ) -> httpx.Client:
    """The one keep-alive HTTP client a run uses (bounded timeouts unless a flaw says no)."""
    timeout = None if settings.flaw("no_timeout") else httpx.Timeout(
        settings.http_timeout, connect=min(5.0, settings.http_timeout)
    )
    return httpx.Client(
        timeout=timeout, transport=transport, headers={"User-Agent": "demo-partner/1.0"}
    )


def run_sync(
    store: Store,
    settings: Settings,
    *,
    invoices: Sequence[Invoice] | None = None,
    base_url: str | None = None,
    policy: RetryPolicy = DEFAULT_POLICY,
    transport: httpx.BaseTransport | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> list[SyncReport]:
    """Sync every stored connection (or only `base_url`); DemoPartnerError on failure.

    The failure raised carries every entry problem of the run; ReauthorizationNeeded
    (exit 3) stops at once.
    """
    connections: list[Connection] = [
        c for c in store.connections() if base_url is None or c.base_url == base_url
    ]
    if not connections:
        where = f" for {base_url}" if base_url else ""
        raise UsageProblem(
            f"no AFAS SB connection is stored{where} in {store.path}; onboard from the AFAS App "
            "Center first (or run `connect` with an app token)."
        )
    to_post = list(load_invoices(DEFAULT_INVOICES) if invoices is None else invoices)
    scenario = settings.scenario_invoices
    if invoices is None and scenario and Path(scenario).is_file():
        to_post += load_invoices(scenario)  # new work the readiness harness handed over
    if policy is DEFAULT_POLICY:
        attempts = 4 if styles.is_on("cautious") else DEFAULT_POLICY.attempts
        policy = RetryPolicy(attempts=attempts, budget=settings.retry_budget)
    reports = []
    with new_http_client(settings, transport) as http:
        for connection in connections:
            client = SbClient(http, connection, store, settings, policy=policy, sleep=sleep)
            reports.append(EnvironmentSync(client, store, settings).run(to_post))
    failures = [failure for report in reports for failure in report.failures]
    if failures:
        raise DemoPartnerError(" | ".join(failures))
    return reports
