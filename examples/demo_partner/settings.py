"""The app's settings (from the environment) and its hard-coded SB endpoint versions."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from examples.demo_partner.flaws import UnknownFlawError, parse_flaws

DEFAULT_PASSWORD = "demo-password"  # only when DEMO_PARTNER_PASSWORD is unset (local demos)
DEMO_USER = "demo@partner.example"
SUPPORTED_SB_VERSIONS = (
    "3.1.0", "3.2.0", "4.0.0", "5.0.0", "5.1.0", "5.2.0", "5.3.0", "6.0.0",
)
LATEST_SB_VERSION = "6.0.0"
LEVELS = ("customer", "admin")  # admin: registered for the accountant's Admin Center


class ConfigurationError(ValueError):
    """The app's environment is wrong; the message says what to set."""


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


# The operations this app uses and their Accept-Version per SB version. A real partner
# hard-codes these (from AFAS's changelog) instead of reading the spec at run time.
OPERATIONS = (
    "get_administrations",
    "get_organisations",
    "get_persons",
    "get_ledgeraccounts",
    "post_salesjournalentry",
    "get_journalentry",
    "get_products",
)


def accept_versions(sb_version: str) -> dict[str, str]:
    """Accept-Version per operation for one SB version (3.1.0 and later)."""
    before_4 = _version_key(sb_version) < (4, 0, 0)
    return {
        "get_administrations": "1",
        "get_organisations": "2",
        "get_persons": "2",
        "get_ledgeraccounts": "1",
        # POST /api/salesjournalentry moved from endpoint 1.0 to 2.0 in SB 4.0.0
        "post_salesjournalentry": "1" if before_4 else "2",
        # removed in SB 3.1.0: only the unknown_endpoint flaw calls it
        "get_journalentry": "1",
        # outside the app's grant: only the outside_grant flaw calls it
        "get_products": "3",
    }


@dataclass(frozen=True)
class Settings:
    """Everything the app reads from its environment."""

    client_id: str = "demo-partner"
    client_secret: str = ""
    password: str = DEFAULT_PASSWORD
    sb_version: str = LATEST_SB_VERSION
    flaws: frozenset[str] = frozenset()
    http_timeout: float = 15.0
    trusted_hosts: frozenset[str] = frozenset()  # "host:port" allowed besides *.afasfocus.nl
    session_key: str | None = None  # signs session cookies; stored in the db when unset
    retry_budget: float = 40.0  # seconds one logical SB request may take, waits included
    scenario_invoices: str | None = None  # an extra invoice file the sync posts if it exists
    level: str = "customer"  # "admin": onboarding via the Admin Center, a token per environment
    onboarding: str = "html"  # "js": the login form is built by script and posted with fetch()
    accept_version: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.accept_version:
            object.__setattr__(self, "accept_version", accept_versions(self.sb_version))

    def flaw(self, name: str) -> bool:
        """True when the named flaw is switched on."""
        return name in self.flaws


def load_settings(
    environ: Mapping[str, str] | None = None, *, trusted_hosts: tuple[str, ...] = ()
) -> Settings:
    """Settings from DEMO_PARTNER_* variables; ConfigurationError names the variable to fix."""
    env = os.environ if environ is None else environ
    sb_version = env.get("DEMO_PARTNER_SB_VERSION", LATEST_SB_VERSION).strip() or "latest"
    if sb_version == "latest":
        sb_version = LATEST_SB_VERSION
    if sb_version not in SUPPORTED_SB_VERSIONS:
        raise ConfigurationError(
            f"DEMO_PARTNER_SB_VERSION={sb_version} is not supported; "
            f"use one of {', '.join(SUPPORTED_SB_VERSIONS)} or latest."
        )
    try:
        flaws = parse_flaws(env.get("DEMO_PARTNER_FLAWS"))
    except UnknownFlawError as error:
        raise ConfigurationError(str(error)) from None
    timeout_text = env.get("DEMO_PARTNER_HTTP_TIMEOUT", "15")
    try:
        http_timeout = float(timeout_text)
    except ValueError:
        raise ConfigurationError(
            f"DEMO_PARTNER_HTTP_TIMEOUT={timeout_text!r} is not a number of seconds; e.g. 15."
        ) from None
    budget_text = env.get("DEMO_PARTNER_RETRY_BUDGET", "40")
    try:
        retry_budget = float(budget_text)
    except ValueError:
        raise ConfigurationError(
            f"DEMO_PARTNER_RETRY_BUDGET={budget_text!r} is not a number of seconds; e.g. 40."
        ) from None
    level = env.get("DEMO_PARTNER_LEVEL", "customer").strip().lower() or "customer"
    if level not in LEVELS:
        raise ConfigurationError(
            f"DEMO_PARTNER_LEVEL={level} is not a level; use customer or admin."
        )
    password = env.get("DEMO_PARTNER_PASSWORD")
    onboarding = env.get("DEMO_PARTNER_ONBOARDING", "html").strip().lower() or "html"
    if onboarding not in ("html", "js"):
        raise ConfigurationError(
            f"DEMO_PARTNER_ONBOARDING={onboarding} is not a kind of onboarding; use html or js."
        )
    return Settings(
        client_id=env.get("DEMO_PARTNER_CLIENT_ID", "demo-partner"),
        client_secret=env.get("DEMO_PARTNER_CLIENT_SECRET", ""),
        password=DEFAULT_PASSWORD if password is None else password,
        sb_version=sb_version,
        flaws=flaws,
        http_timeout=http_timeout,
        trusted_hosts=frozenset(host.strip().lower() for host in trusted_hosts if host.strip()),
        session_key=env.get("DEMO_PARTNER_SESSION_KEY") or None,
        retry_budget=retry_budget,
        scenario_invoices=env.get("DEMO_PARTNER_SCENARIO_INVOICES") or None,
        level=level,
        onboarding=onboarding,
    )
