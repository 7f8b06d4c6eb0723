"""One harness run: the sandbox served on loopback, the app under test started, scenarios.

Suites call this to arrange scenarios; checks judge the evidence it returns.
"""

from __future__ import annotations

import difflib
import os
import secrets
import socket
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from sbready.config import ReadinessConfig, is_http_url
from sbready.driver.apptoken import HandOffResult, hand_over_app_token
from sbready.driver.command import run_in_group
from sbready.driver.onboarding import OnboardingWalker, WalkResult
from sbready.driver.process import AppProcess
from sbready.driver.sync import SyncResult, post_hook, trigger_sync
from sbready.errors import HarnessError, UsageError
from sbready.sandbox.app import RegisteredClient, Sandbox
from sbready.sandbox.journal import Exchange
from sbready.sandbox.server import ServedApp, serve
from sbready.secrets import Redactor
from sbready.spec.index import OperationIndex
from sbready.spec.resolve import load_index

CUSTOMER_ENVIRONMENT = "demo"  # the partner's known customer
PROSPECT_ENVIRONMENT = "acme"  # an SB environment the partner has never seen
ADMIN_ENVIRONMENT = "admin"  # the accountant's Admin Center, where admin-level apps start
# `--browser chromium|none` on the command line: overrides [onboarding] browser for one run
BROWSER_ENV = "SB_READINESS_BROWSER"


def free_port() -> int:
    """A free TCP port on loopback (the app binds it right after)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Walk:
    """An onboarding walk and the sandbox exchanges it caused."""

    result: WalkResult
    exchanges: list[Exchange]


@dataclass
class Sync:
    """A sync run and the sandbox exchanges it caused."""

    result: SyncResult
    exchanges: list[Exchange]


@dataclass
class HandOff:
    """An app-token hand-off and the sandbox exchanges it caused."""

    result: HandOffResult
    exchanges: list[Exchange]


@dataclass
class Harness:
    """The sandbox, the app, and the scenarios the suites arrange."""

    config: ReadinessConfig
    workdir: Path
    index: OperationIndex
    sandbox: Sandbox
    served: ServedApp
    redactor: Redactor
    app: AppProcess | None = None
    app_token: str | None = None
    _browser: Any = None  # the browser walker, started at its first walk and kept for all
    placeholders: dict[str, str] = field(default_factory=dict)  # as filled into the config
    # re-entrant: a shared scenario may build on another one (ONB-02 on the first sync)
    _lock: threading.RLock = field(default_factory=threading.RLock)
    _cache: dict[str, Any] = field(default_factory=dict)

    @property
    def sandbox_url(self) -> str:
        """The sandbox's base URL, e.g. http://127.0.0.1:41234."""
        return self.served.base_url

    def afas_base_url(self, environment: str | None = None) -> str:
        """The afasBaseUrl AFAS would hand the app for this environment.

        Without an environment: the known customer's, or the Admin Center's for an
        admin-level app (AFAS opens those from the Admin Center).
        """
        if environment is None:
            admin = self.config.app.level == "admin"
            environment = ADMIN_ENVIRONMENT if admin else CUSTOMER_ENVIRONMENT
        return f"{self.sandbox_url}/{environment}"

    @property
    def ca_file(self) -> Path | None:
        """The CA the harness trusts for the app's TLS, if the config names one."""
        return self.config.app.ca_file

    def mark(self) -> int:
        """The journal position now; pass it to `since` to get what a scenario caused."""
        return self.sandbox.journal.last_seq()

    def since(self, mark: int, timeout: float = 2.0) -> list[Exchange]:
        """The exchanges after `mark`, once every request received so far is journaled.

        The sandbox journals an exchange just after its answer is sent, so a client can see
        the answer before the journal does; this waits (bounded) for such stragglers.
        """
        deadline = time.monotonic() + timeout
        while True:
            last = self.sandbox.journal.last_seq()
            exchanges = self.sandbox.journal.exchanges(since=mark)
            if len(exchanges) >= last - mark or time.monotonic() >= deadline:
                return exchanges
            time.sleep(0.01)

    @property
    def browser(self) -> str | None:
        """The browser the onboarding is walked in ("chromium"), or None: no JavaScript."""
        override = os.environ.get(BROWSER_ENV, "").strip().lower()
        if override:
            return None if override == "none" else override
        return self.config.browser

    def walker(self, *, login: bool = True) -> OnboardingWalker:
        """A walker that may contact only the app and the sandbox: in Chromium when
        [onboarding] browser (or --browser) says so, else the one without JavaScript."""
        hosts = {urlsplit(self.sandbox_url).netloc, urlsplit(self.config.app.onboarding_url).netloc}
        if self.browser == "chromium":
            from sbready.driver.browser import BrowserWalker

            if self._browser is None:  # one browser for the whole run; a context per walk
                self._browser = BrowserWalker(
                    allowed_hosts=hosts, login_steps=self.config.login_steps,
                    ca_file=self.ca_file, timeout=self.config.thresholds.onboarding_timeout,
                    redactor=self.redactor, screenshot=attach_screenshot,
                )
            self._browser.login_steps = tuple(self.config.login_steps) if login else ()
            return self._browser  # type: ignore[no-any-return]
        return OnboardingWalker(
            allowed_hosts=hosts,
            login_steps=self.config.login_steps if login else (),
            ca_file=self.ca_file,
            timeout=self.config.thresholds.onboarding_timeout,
            redactor=self.redactor,
        )

    def walk(
        self,
        *,
        environment: str | None = None,
        login: bool = True,
        consent: Literal["allow", "deny"] = "allow",
        callback_state: Literal["keep", "wrong", "missing"] = "keep",
        afas_base_url: str | None = None,
    ) -> Walk:
        """Open the onboarding URL as AFAS does and walk it; returns hops and exchanges.

        Without an environment the walk starts where `afas_base_url()` points (the Admin
        Center for admin-level apps).
        """
        mark = self.mark()
        base = afas_base_url if afas_base_url is not None else self.afas_base_url(environment)
        result = self.walker(login=login).walk(
            self.config.app.onboarding_url, base, consent=consent, callback_state=callback_state,
            redirect_uri=self.config.app.redirect_uri,
        )
        return Walk(result, self.since(mark))

    def sync(self) -> Sync:
        """Make the app sync once; returns its outcome and the exchanges it caused."""
        if self.config.sync is None:
            raise HarnessError("readiness.toml has no [sync] section, so no sync can be run")
        mark = self.mark()
        result = trigger_sync(
            self.config.sync, env=self.process_env(), cwd=self.config.base_dir,
            ca_file=self.ca_file, redactor=self.redactor,
        )
        return Sync(result, self.since(mark))

    def sync_within(self, timeout: float) -> Sync:
        """Like `sync`, but the harness gives up after `timeout` seconds (ERR-10)."""
        sync_config = self.config.require_sync()
        mark = self.mark()
        result = trigger_sync(
            replace(sync_config, timeout=timeout), env=self.process_env(),
            cwd=self.config.base_dir, ca_file=self.ca_file, redactor=self.redactor,
        )
        return Sync(result, self.since(mark))

    def new_work(self) -> str:
        """Run [scenario] new_work: the app's next sync has new work (one item to write, or one
        per environment for an Admin Center app). A command (exit 0 = done) or an HTTP URL
        the harness POSTs to (2xx = done)."""
        hook = self.config.scenario.new_work
        if not hook:
            raise UsageError(
                f"{self.config.path}: [scenario] has no new_work command, so the write-fault "
                "checks cannot give your app a fresh item; add new_work = \"...\" (a command or "
                "URL after which your next sync writes one new record)."
            )
        if is_http_url(hook):
            return post_hook(hook, what="[scenario] new_work", timeout=60,
                             ca_file=self.ca_file, redactor=self.redactor)
        run = run_in_group(hook, what="[scenario] new_work", env=self.process_env(),
                           cwd=self.config.base_dir, timeout=60)
        output = self.redactor.redact(run.output)
        if run.exit_code != 0:
            raise HarnessError(f"[scenario] new_work failed (exit {run.exit_code}): "
                               f"{output.strip()[-300:]}")
        return output

    def give_work(self) -> bool:
        """Before a scenario: new work for the app when [scenario] new_work is configured.

        An app that finds nothing new may rightly make no API call; with work it must call
        SB, so the scenario sees real calls. False when no new_work is configured.
        """
        if not self.config.scenario.new_work:
            return False
        self.new_work()
        return True

    def process_env(self) -> dict[str, str]:
        """The environment for the app's processes: ours plus [app.start] env."""
        env = dict(os.environ)
        if self.config.start is not None:
            env.update(self.config.start.env)
        return env

    def once(self, name: str, make: Any) -> Any:
        """A scenario that many checks judge runs once per session and is shared."""
        with self._lock:
            if name not in self._cache:
                self._cache[name] = make()
            return self._cache[name]

    def connected(self) -> Walk:
        """The baseline: the known customer onboarded through the full consent flow."""
        return self.once("connected", lambda: self.walk())  # type: ignore[no-any-return]

    def onboarded(self) -> list[Exchange]:
        """The baseline onboarding for the app's auth kind; the exchanges it caused."""
        if self.config.app.auth == "apptoken":
            return self.app_token_connected().exchanges
        return self.connected().exchanges

    def first_sync(self) -> Sync:
        """The baseline sync right after onboarding."""
        self.onboarded()
        return self.once("first_sync", self.sync)  # type: ignore[no-any-return]

    def app_token_connected(self) -> HandOff:
        """The app-token baseline: the activation token handed over as [apptoken] says."""
        return self.once("app_token_connected", self._hand_over)  # type: ignore[no-any-return]

    @property
    def app_token_environment(self) -> str:
        """Where the harness activated the app token: the Admin Center for admin-level apps."""
        return ADMIN_ENVIRONMENT if self.config.app.level == "admin" else CUSTOMER_ENVIRONMENT

    def reactivate_app_token(self) -> HandOff:
        """The administrator activates the app again after deactivating it: activation makes
        a new token (AFAS's authentication guide), handed over as [apptoken] says."""
        token = self.sandbox.activate(self.app_token_environment,
                                      bundles=self.config.app.bundles or None)
        self.redactor.add(token)
        self.app_token = token
        self.placeholders["app_token"] = token
        self.config = self.config.with_placeholders(self.placeholders)  # the new {app_token}
        return self._hand_over()

    def hand_over_elsewhere(self, afas_base_url: str) -> HandOff:
        """Hand the app a throwaway token for another afasBaseUrl, as an administrator pasting
        a foreign address would (ONB-05): a trusting app sends the token there."""
        if self.config.apptoken is None:
            raise HarnessError("the app uses app tokens but readiness.toml has no [apptoken] "
                               "section saying how the token reaches the app; add one")
        token = secrets.token_urlsafe(48)  # never activated: SB itself would refuse it
        self.redactor.add(token)
        filled = self.config.with_placeholders(
            {**self.placeholders, "app_token": token, "afas_base_url": afas_base_url})
        assert filled.apptoken is not None
        mark = self.mark()
        result = hand_over_app_token(
            filled.apptoken, app_token=token, afas_base_url=afas_base_url,
            env=self.process_env(), cwd=self.config.base_dir, redactor=self.redactor,
            walker=self.walker(),
        )
        return HandOff(result, self.since(mark))

    def _hand_over(self) -> HandOff:
        if self.config.apptoken is None or self.app_token is None:
            raise HarnessError("the app uses app tokens but readiness.toml has no [apptoken] "
                               "section saying how the token reaches the app; add one")
        mark = self.mark()
        result = hand_over_app_token(
            self.config.apptoken, app_token=self.app_token,
            afas_base_url=self.afas_base_url(),  # the Admin Center's for an admin-level app
            env=self.process_env(), cwd=self.config.base_dir, redactor=self.redactor,
            walker=self.walker(),
        )
        return HandOff(result, self.since(mark))

    @contextmanager
    def faults_cleared(self) -> Iterator[None]:
        """Faults a scenario schedules do not leak into the next one."""
        try:
            yield
        finally:
            self.sandbox.clear_faults()

    def start_app(self) -> None:
        """Start the app as [app.start] says (if it does) and wait until it is ready."""
        start = self.config.start
        if start is None:
            return
        self.app = AppProcess(
            start.command,
            env=self.process_env(),
            cwd=self.config.base_dir,
            log_path=self.workdir / "app-output.log",
            ready_url=start.ready_url,
            ready_port=start.ready_port,
            timeout=start.timeout,
            ca_file=self.config.app.ca_file,
            redactor=self.redactor,
        )
        self.app.start()
        try:
            self.app.wait_ready()
        except BaseException:
            self.app.stop()
            raise

    def stop(self) -> None:
        """Stop the browser and the app, then the sandbox."""
        try:
            if self._browser is not None:
                self._browser.close()
            if self.app is not None:
                self.app.stop()
        finally:
            self.served.stop()


def attach_screenshot(name: str, image: bytes) -> None:
    """A page's screenshot as an attachment of the running check (none outside a test)."""
    try:
        import allure

        allure.attach(image, name=name, attachment_type=allure.attachment_type.PNG)
    except Exception:  # noqa: BLE001 - no running Allure test: the picture is not needed
        pass


def check_bundles(config: ReadinessConfig, index: OperationIndex) -> None:
    """Unknown bundle names are a usage error naming the closest ones (a typo would otherwise
    fail most checks with 403s)."""
    known = sorted({bundle for operation in index.operations for bundle in operation.bundles})
    for bundle in config.app.bundles:
        if bundle in known:
            continue
        close = difflib.get_close_matches(bundle, known, n=3, cutoff=0.5)
        hint = f"did you mean {' or '.join(repr(name) for name in close)}?" if close else (
            f"the bundles of SB {index.sb_version} are {', '.join(known)}.")
        raise UsageError(f"{config.path}: bundle {bundle!r} in [app] bundles does not exist in "
                         f"SB {index.sb_version}; {hint}")


def start_harness(config: ReadinessConfig, workdir: Path) -> Harness:
    """Serve the sandbox, fill the placeholders, register the app, and start it."""
    index = load_index(spec=config.app.spec, sb_version=config.app.sb_version)
    check_bundles(config, index)
    sandbox = Sandbox(index, dialect="schema" if config.sandbox.dialect == "schema" else "observed",
                      environments=(CUSTOMER_ENVIRONMENT, PROSPECT_ENVIRONMENT),
                      records=config.sandbox.scale)  # a large customer's administration
    try:
        served = serve(sandbox.app, port=config.sandbox.port)
    except (OSError, UsageError) as error:  # serve() words its error for the CLI's --port
        raise UsageError(f"the sandbox cannot listen on port {config.sandbox.port} (it is in "
                         "use or not allowed); set port = 0 in [sandbox] to pick a free "
                         "one") from error
    try:
        sandbox_url = served.base_url
        app_port = free_port()
        # AFAS opens an admin-level app from the Admin Center: afasBaseUrl ends in /admin
        start = ADMIN_ENVIRONMENT if config.app.level == "admin" else CUSTOMER_ENVIRONMENT
        placeholders = {
            "app_port": str(app_port),
            "sandbox_url": sandbox_url,
            "sandbox_host": urlsplit(sandbox_url).netloc,
            "afas_base_url": f"{sandbox_url}/{start}",
            "workdir": str(workdir),
            "python": sys.executable,
            "config_dir": str(config.base_dir),
        }
        app_token = None
        if config.app.auth == "apptoken":
            app_token = sandbox.activate(start, bundles=config.app.bundles)
            placeholders["app_token"] = app_token
        filled = config.with_placeholders(placeholders)
        redactor = Redactor()
        for secret in filled.secrets() + ([app_token] if app_token else []):
            redactor.add(secret)
        if filled.app.auth == "oauth":
            app = filled.app
            if not (app.client_id and app.client_secret and app.redirect_uri):
                raise UsageError(f"{filled.path}: OAuth apps need client_id, client_secret and "
                                 "redirect_uri in [app]")
            sandbox.register_client(RegisteredClient(
                client_id=app.client_id,
                client_secret=app.client_secret,
                redirect_uris=(app.redirect_uri,),
                bundles=tuple(app.bundles) if app.bundles else None,
                level="admin" if app.level == "admin" else "customer",
                name=app.name,
            ))
        harness = Harness(filled, workdir, index, sandbox, served, redactor, app_token=app_token,
                          placeholders=dict(placeholders))
        harness.start_app()
        return harness
    except BaseException:
        served.stop()
        raise
