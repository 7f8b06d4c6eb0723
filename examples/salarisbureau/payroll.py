"""Payroll runs and the payroll journal entry each one becomes (AFAS's payroll guide)."""

from __future__ import annotations

import calendar
from datetime import date
from typing import Any

from examples.salarisbureau.ledger_book import LedgerBook, PayrollRun
from examples.salarisbureau.settings import LedgerMapping


def _euros(cents: int) -> float:
    """An amount as SB wants it: a number with at most two decimals."""
    return round(cents / 100, 2)


def journal_entry(run: PayrollRun, administration_id: str, ledger: LedgerMapping
                  ) -> dict[str, Any]:
    """The POST /api/payrolljournalentry body for `run`: wages and charges debit, net wages
    and payroll tax credit, so the entry balances."""
    lines = [
        (ledger.gross_wages, "AmountDebit", run.gross_wages_cents),
        (ledger.employer_charges, "AmountDebit", run.employer_charges_cents),
        (ledger.net_wages_payable, "AmountCredit", run.net_wages_cents),
        (ledger.payroll_tax_payable, "AmountCredit", run.payroll_tax_cents),
    ]
    return {
        "AdministrationId": administration_id,
        "Description": run.description,
        "Date": run.booking_date,
        "PayrollJournalEntryLine": [
            {"LedgerAccountNumber": number, side: _euros(cents)}
            for number, side, cents in lines if cents
        ],
    }


def new_run(book: LedgerBook, environment: str, *, today: date | None = None) -> PayrollRun:
    """Compute the next payroll run of `environment` (sample figures) and record it."""
    sequence = len(book.runs(environment)) + 1
    day = today or date.today()
    last_day = calendar.monthrange(day.year, day.month)[1]
    period = f"{day.year:04d}-{day.month:02d}"
    gross = 412_500 + 2_500 * sequence  # each run differs, so two entries are told apart
    charges = gross * 21 // 100
    tax = gross * 37 // 100 + charges
    run = PayrollRun(
        run_id=f"{environment}-{period}-{sequence:03d}",
        environment=environment,
        period=period,
        booking_date=date(day.year, day.month, last_day).isoformat(),
        description=f"Loonjournaalpost {period} run {sequence}",
        gross_wages_cents=gross,
        employer_charges_cents=charges,
        net_wages_cents=gross + charges - tax,
        payroll_tax_cents=tax,
    )
    book.add_run(run)
    return run
