"""One sync: for every client environment of the office, book its open payroll runs.

Per environment: the administration (chosen once and kept), its ledger accounts (every page,
sorted by Id) to check the mapping, then one POST /api/payrolljournalentry per open run.
The run's Tracking-Identifier is on disk before the POST leaves, and a run that SB answered
with Failed, PartiallySucceeded or a 400 is held for the bureau: never posted again by a
later sync, since SB may hold (part of) it already.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import astuple, dataclass, field
from typing import Any, Literal

from examples.salarisbureau.afas_address import AddressError, parse_afas_address
from examples.salarisbureau.ledger_book import ClientEnvironment, LedgerBook, Office, PayrollRun
from examples.salarisbureau.payroll import journal_entry, new_run
from examples.salarisbureau.sb_api import SbProblem, SbSession
from examples.salarisbureau.settings import Settings

log = logging.getLogger("salarisbureau.sync")


@dataclass
class EnvironmentReport:
    """What one sync did in one client environment."""

    name: str
    status: Literal["ok", "error"] = "ok"
    administration: str = ""
    booked: list[str] = field(default_factory=list)  # run ids booked now
    held: list[str] = field(default_factory=list)  # run ids waiting for the bureau
    messages: list[str] = field(default_factory=list)
    token_refused: bool = False  # SB no longer accepts the app token

    def as_json(self) -> dict[str, Any]:
        """The report as the sync endpoint answers it."""
        return {"name": self.name, "status": self.status, "administration": self.administration,
                "booked": self.booked, "held": self.held, "messages": self.messages}

    def fail(self, message: str) -> None:
        """Record a problem (one or more sentences); the environment's status becomes error."""
        self.status = "error"
        self.messages.append(message if message.endswith(".") else message + ".")


@dataclass
class SyncReport:
    """The whole sync: ok only when every environment is ok."""

    environments: dict[str, EnvironmentReport] = field(default_factory=dict)
    problem: str | None = None  # a problem that stopped the sync before the environments

    @property
    def ok(self) -> bool:
        """True when nothing went wrong anywhere."""
        return self.problem is None and all(
            e.status == "ok" for e in self.environments.values())

    def message(self) -> str:
        """One sentence (or a few) saying what went wrong, for the office."""
        if self.problem:
            return self.problem
        return " ".join(m for e in self.environments.values() if e.status == "error"
                        for m in e.messages)

    def as_json(self) -> dict[str, Any]:
        """{"status": "ok"|"error", ["message": ...], "environments": {...}}."""
        body: dict[str, Any] = {"status": "ok" if self.ok else "error"}
        if not self.ok:
            body["message"] = self.message()
        body["environments"] = {p: e.as_json() for p, e in self.environments.items()}
        return body


def discover_environments(book: LedgerBook, session: SbSession, settings: Settings
                          ) -> list[ClientEnvironment]:
    """Read the office's client environments and record new ones (with a sample run in
    demo mode, so a review sees one booking per environment)."""
    known = book.environments()
    found = []
    for scope in session.client_environments():
        before = known.get(scope.path)
        environment = ClientEnvironment(
            scope.path, scope.name,
            before.administration_id if before else None,
            before.administration_name if before else "")
        if book.remember_environment(environment) and settings.demo_payroll:
            new_run(book, scope.path)
        found.append(environment)
    return found


def _choose_administration(records: list[dict[str, Any]], environment: ClientEnvironment,
                           wanted: str) -> tuple[str, str] | None:
    """(Id, Description) of the administration to book in: the kept one (never silently
    another one once chosen), else the configured one by name, else the first by name."""
    usable = [(str(r["Id"]), str(r.get("Description") or r.get("Name") or "")) for r in records]
    if environment.administration_id:
        return next(((i, n) for i, n in usable if i == environment.administration_id), None)
    if wanted:
        return next(((i, n) for i, n in usable if n.casefold() == wanted.casefold()), None)
    return min(usable, key=lambda pair: (pair[1].casefold(), pair[0])) if usable else None


def _no_administration(environment: ClientEnvironment, wanted: str) -> str:
    """Why no administration can be booked in, and what the bureau should do."""
    where = f"client environment {environment.name} ({environment.path})"
    if environment.administration_id:
        return (f"The administration chosen for {where}, {environment.administration_name!r}, "
                "is no longer listed by AFAS SB; nothing was booked. Check the administration "
                "in AFAS SB and connect the office again to choose one.")
    if wanted:
        return (f"The {where} has no administration named {wanted!r}; nothing was booked. "
                "Set 'administration' in salarisbureau.json to one of its administrations.")
    return f"The {where} has no administration in AFAS SB; nothing was booked."


def _book_run(book: LedgerBook, session: SbSession, run: PayrollRun, administration_id: str,
              settings: Settings, report: EnvironmentReport) -> None:
    """Post one run and record SB's verdict; SbProblem when SB cannot be used right now."""
    if run.tracking_identifier is None:  # first attempt: fix the identifier on disk first
        run = book.update_run(run, tracking_identifier=str(uuid.uuid4()), state="sending")
    assert run.tracking_identifier is not None
    entry = journal_entry(run, administration_id, settings.ledger)
    try:
        answer = session.post_payroll_entry(run.environment, entry, run.tracking_identifier)
    except SbProblem as problem:
        if problem.kind == "rejected":
            book.update_run(run, state="rejected", message=problem.message)
            report.held.append(run.run_id)
            report.fail(f"{problem.message}; it is not sent again until the bureau corrects "
                        "the payroll run.")
            return
        raise  # unavailable, forbidden, token refused: the run stays open, same identifier
    if answer.result == "Succeeded":
        book.update_run(run, state="booked", entry_id=answer.entry_id, message="")
        report.booked.append(run.run_id)
        return
    errors = "; ".join(answer.errors) or "no reason given"
    trace = f" (TraceId {answer.trace_id})" if answer.trace_id else ""
    if answer.result == "PartiallySucceeded":
        state, what = "partial", "was only partially booked (PartiallySucceeded)"
    elif answer.result == "Failed":
        state, what = "failed", "failed (Failed)"
    else:
        state, what = "failed", f"got no usable answer (result {answer.result or 'missing'!r})"
    book.update_run(run, state=state, entry_id=answer.entry_id, message=errors)
    report.held.append(run.run_id)
    report.fail(f"Payroll run {run.run_id} in {report.name} {what}: {errors}{trace}. SB may "
                "hold part of it, so it is not posted again; check it in AFAS SB.")


def sync_environment(book: LedgerBook, session: SbSession, environment: ClientEnvironment,
                     settings: Settings) -> EnvironmentReport:
    """Book the open payroll runs of one client environment."""
    report = EnvironmentReport(environment.name,
                               administration=environment.administration_name)
    report.held = [r.run_id for r in book.runs(environment.path)
                   if r.state in ("failed", "partial", "rejected")]
    runs = book.open_runs(environment.path)
    if not runs:
        return report
    try:
        administrations = session.read_all(environment.path, "/api/administrations",
                                           sort_field="Id ascending")
        chosen = _choose_administration(administrations, environment, settings.administration)
        if chosen is None:
            report.fail(_no_administration(environment, settings.administration))
            return report
        administration_id, report.administration = chosen
        if administration_id != environment.administration_id:
            book.remember_environment(ClientEnvironment(
                environment.path, environment.name, administration_id, report.administration))
        accounts = session.read_all(environment.path, "/api/ledgeraccounts",
                                    sort_field="Id ascending",
                                    filter_expression=f"AdministrationId eq {administration_id}")
        numbers = {str(a.get("LedgerAccountNumber")) for a in accounts
                   if a.get("AdministrationId") in (None, administration_id)}
        missing = [n for n in settings.ledger.numbers() if n not in numbers]
        if missing:
            report.fail(f"Ledger account(s) {', '.join(missing)} do not exist in "
                        f"{report.administration} ({environment.name}); map existing accounts "
                        "under 'ledger' in salarisbureau.json.")
            return report
        for run in runs:
            _book_run(book, session, run, administration_id, settings, report)
    except SbProblem as problem:
        report.fail(problem.message)
        report.token_refused = problem.kind == "token_refused"
    return report


def sync_office(book: LedgerBook, settings: Settings, *, transport: Any = None) -> SyncReport:
    """One sync of the connected office: every client environment, one after another."""
    office = book.office()
    report = SyncReport()
    if office is None:
        report.problem = ("No office is connected yet; the administrator activates the app in "
                          "the AFAS SB Admin Center and pastes the app token on the connect "
                          "page.")
        return report
    try:
        address = parse_afas_address(office.admin_base_url, settings.trusted_test_hosts)
    except AddressError as error:
        report.problem = f"The stored SB address is no longer trusted: {error}"
        return report
    with SbSession(address, office.app_token, settings.retry, transport=transport) as session:
        try:
            environments = discover_environments(book, session, settings)
        except SbProblem as problem:
            report.problem = f"Sync failed: {problem.message}."
            return report
        for environment in environments:
            report.environments[environment.path] = sync_environment(
                book, session, environment, settings)
            if report.environments[environment.path].token_refused:
                break  # the token is dead everywhere: the other environments would fail too
    log.info("sync done: %s", "ok" if report.ok else report.message())
    return report


def connect_office(book: LedgerBook, settings: Settings, admin_base_url: str, app_token: str,
                   *, transport: Any = None) -> list[tuple[str, str]]:
    """Check a pasted app token end to end and keep it: the Admin Center exchange,
    getscopes, and per client environment its own token and its administrations.

    Returns (environment name, administration) pairs; SbProblem when SB refuses. Nothing is
    stored unless every step worked.
    """
    address = parse_afas_address(admin_base_url, settings.trusted_test_hosts)
    with SbSession(address, app_token, settings.retry, transport=transport) as session:
        scopes = session.client_environments()
        chosen: list[tuple[ClientEnvironment, str]] = []
        for scope in scopes:
            known = book.environments().get(scope.path)
            environment = ClientEnvironment(scope.path, scope.name,
                                            known.administration_id if known else None)
            administrations = session.read_all(scope.path, "/api/administrations",
                                               sort_field="Id ascending")
            # a reconnect keeps the chosen administration, or chooses again if it is gone
            wanted = settings.administration
            pick = _choose_administration(administrations, environment, wanted) \
                or _choose_administration(administrations, ClientEnvironment(*astuple(scope)),
                                          wanted)
            environment = ClientEnvironment(scope.path, scope.name, *(pick or (None, "")))
            chosen.append((environment, pick[1] if pick else "no administration found"))
    book.connect_office(Office(address.base_url, app_token))
    for environment, _ in chosen:
        if book.remember_environment(environment) and settings.demo_payroll:
            new_run(book, environment.path)
    return [(environment.name, administration) for environment, administration in chosen]
