"""The product's settings: one JSON file (salarisbureau.json) plus command-line overrides."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any


class SettingsError(ValueError):
    """The settings file cannot be used; the message says which key and how to fix it."""


@dataclass(frozen=True)
class LedgerMapping:
    """Which ledger account number takes which part of a payroll run (the customer config)."""

    gross_wages: str = "4000"  # debit: Lonen en salarissen
    employer_charges: str = "4100"  # debit: Sociale lasten
    net_wages_payable: str = "1700"  # credit: Te betalen lonen
    payroll_tax_payable: str = "1600"  # credit: what the tax office gets (Crediteuren)

    def numbers(self) -> list[str]:
        """Every mapped ledger account number, in booking order."""
        return [self.gross_wages, self.employer_charges, self.net_wages_payable,
                self.payroll_tax_payable]


@dataclass(frozen=True)
class RetryPolicy:
    """How hard one SB request is tried before the sync reports a problem."""

    client_timeout_s: float = 3.0  # per attempt; SB answers in well under a second
    attempts: int = 3  # for timeouts, dropped connections and 5xx
    backoff_s: tuple[float, ...] = (0.5, 1.5)  # pause before the 2nd and 3rd attempt
    max_retry_after_s: float = 30.0  # a longer 429 Retry-After is reported, not waited out
    budget_s: float = 12.0  # one logical request, retries included, never takes longer


@dataclass(frozen=True)
class Settings:
    """Everything the bureau configures once per installation."""

    trusted_test_hosts: tuple[str, ...] = ()  # host:port besides *.afasfocus.nl (testing only)
    administration: str = ""  # the administration to book in; "" = the first by Description
    ledger: LedgerMapping = field(default_factory=LedgerMapping)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    demo_payroll: bool = False  # give every new client environment one sample payroll run


def _section(raw: Any, kind: type[Any], where: str) -> Any:
    """Build the dataclass `kind` from a JSON object, refusing unknown keys by name."""
    if not isinstance(raw, dict):
        raise SettingsError(f"'{where}' must be a JSON object, e.g. {{}}.")
    known = {f.name for f in fields(kind)}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise SettingsError(f"unknown key '{unknown[0]}' in '{where}'; known keys: "
                            f"{', '.join(sorted(known))}.")
    values = dict(raw)
    if "backoff_s" in values:
        values["backoff_s"] = tuple(float(v) for v in values["backoff_s"])
    if "trusted_test_hosts" in values:
        values["trusted_test_hosts"] = tuple(str(v) for v in values["trusted_test_hosts"])
    return kind(**values)


def load_settings(path: Path | None, *, extra_test_hosts: tuple[str, ...] = (),
                  demo_payroll: bool = False) -> Settings:
    """Read the settings file (absent = defaults) and apply the command-line overrides."""
    raw: dict[str, Any] = {}
    if path is not None:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise SettingsError(f"settings file {path} does not exist; pass the path of "
                                "your salarisbureau.json or leave --settings out.") from None
        except ValueError as error:
            raise SettingsError(f"settings file {path} is not valid JSON ({error}); fix "
                                "the file.") from None
    if not isinstance(raw, dict):
        raise SettingsError(f"settings file {path} must hold one JSON object.")
    body = dict(raw)
    ledger = _section(body.pop("ledger", {}), LedgerMapping, "ledger")
    retry = _section(body.pop("retry", {}), RetryPolicy, "retry")
    settings: Settings = _section(body, Settings, "settings")
    return Settings(
        trusted_test_hosts=settings.trusted_test_hosts + extra_test_hosts,
        administration=settings.administration,
        ledger=ledger,
        retry=retry,
        demo_payroll=settings.demo_payroll or demo_payroll,
    )
