"""`sb-readiness run --target live`: the same checks against AFAS's own development environment.

The recording proxy (sbready/proxy) takes the sandbox's place on 127.0.0.1: the app is pointed
at it exactly as at the sandbox (`afasBaseUrl=<proxy>/<environment>`), and it forwards to the
real SB, journaling every exchange as the sandbox does. What the harness cannot do at AFAS
(consent for the customer, withdraw consent, expire tokens, list what SB holds) is not done:
those checks are skipped with "not run live: ..." (checks/catalog.py, LIVE).

Consent: AFAS's login needs the partner's credentials and two-factor confirmation, which the
harness never asks for. The walker stops where the app sends the customer to the upstream's
`/app/auth`, prints that URL for a person to open, and waits (bounded by `consent_timeout`)
until the app exchanges the code it got. Or the app starts from an existing connection
(`connected = true`) and the consent checks are not run. `consent = "scripted"` lets the
harness press Allow itself; it is accepted only for a loopback upstream (our own sandbox, in
tests), never for AFAS.
"""

from __future__ import annotations

import difflib
import os
import re
import sys
import time
import tomllib
import webbrowser
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast
from urllib.parse import urlsplit

import httpx

from checks.catalog import CHECKS, CheckInfo
from checks.judgement import Judgement, failed, passed
from sbready.config import ReadinessConfig
from sbready.driver.onboarding import OnboardingWalker, WalkResult, host_port, with_query
from sbready.driver.sync import SyncResult
from sbready.errors import HarnessError, UsageError
from sbready.evidence import token_facts
from sbready.harness import (
    CUSTOMER_ENVIRONMENT,
    HandOff,
    Harness,
    Walk,
    check_bundles,
    free_port,
)
from sbready.proxy.app import RecordingProxy, check_upstream, is_loopback_host
from sbready.sandbox.app import Sandbox
from sbready.sandbox.journal import Exchange
from sbready.sandbox.server import serve
from sbready.secrets import Redactor
from sbready.spec.resolve import load_index

LIVE_KEYS = ("upstream", "environment", "allow_writes", "consent_timeout", "connected",
             "consent", "open_browser", "port", "app_token")
_ENVIRONMENT_NAME = re.compile(r"[A-Za-z0-9_-]+")
_ENV_REFERENCE = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$")
CONSENT_POLL_S = 0.25


@dataclass(frozen=True)
class LiveConfig:
    """The [live] table of readiness.toml."""

    upstream: str  # e.g. https://12345.afasfocus.nl (scheme and host only)
    environment: str  # the development environment's path segment
    allow_writes: bool = False
    consent_timeout: float = 300.0
    connected: bool = False
    consent: Literal["human", "scripted"] = "human"
    open_browser: bool = False
    port: int = 0
    app_token: str | None = field(default=None, repr=False)

    @property
    def afas_base_url(self) -> str:
        """The upstream's afasBaseUrl for the development environment."""
        return f"{self.upstream}/{self.environment}"

    @property
    def access(self) -> str:
        """"read-only" or "writes allowed", for banners and the summary."""
        return "writes allowed" if self.allow_writes else "read-only"


def load_live_config(path: Path, environ: Mapping[str, str] | None = None) -> LiveConfig:
    """The [live] table of the readiness.toml at `path`; UsageError naming the key to fix."""
    env = os.environ if environ is None else environ
    try:
        raw = tomllib.loads(path.read_text("utf-8")).get("live")
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise UsageError(f"{path}: cannot read it ({error}); fix the file") from error
    where = f"{path}: [live]"
    if not isinstance(raw, dict):
        raise UsageError(f"{path}: --target live needs a [live] table with upstream = "
                         "\"https://<your environment>.afasfocus.nl\" and environment = \"...\"")
    for key in raw:
        if key not in LIVE_KEYS:
            close = difflib.get_close_matches(key, LIVE_KEYS, n=1)
            hint = f"did you mean '{close[0]}'?" if close else (
                f"the known keys are {', '.join(LIVE_KEYS)}.")
            raise UsageError(f"unknown key '{key}' in {where}; {hint}")
    upstream = raw.get("upstream")
    if not isinstance(upstream, str) or not upstream:
        raise UsageError(f"{where} needs upstream = \"https://<your environment>.afasfocus.nl\"")
    origin = check_upstream(upstream)
    environment = raw.get("environment")
    if not isinstance(environment, str) or not _ENVIRONMENT_NAME.fullmatch(environment):
        raise UsageError(f"{where} needs environment = \"...\", the first path segment of your "
                         "development environment's afasBaseUrl (letters, digits, - and _)")
    consent = raw.get("consent", "human")
    if consent not in ("human", "scripted"):
        raise UsageError(f"consent in {where} must be 'human' or 'scripted', not {consent!r}")
    if consent == "scripted" and not is_loopback_host(urlsplit(origin).hostname):
        raise UsageError(f"consent = 'scripted' in {where} is only for a loopback upstream (the "
                         "sandbox, in tests); at AFAS a person consents: remove it")
    timeout = raw.get("consent_timeout", 300)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        raise UsageError(f"consent_timeout in {where} must be a number of seconds, e.g. 300")
    port = raw.get("port", 0)
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise UsageError(f"port in {where} must be a TCP port number (0 picks a free one)")
    flags = {name: raw.get(name, False) for name in ("allow_writes", "connected", "open_browser")}
    for name, value in flags.items():
        if not isinstance(value, bool):
            raise UsageError(f"{name} in {where} must be true or false, not {value!r}")
    return LiveConfig(
        upstream=origin, environment=environment, allow_writes=flags["allow_writes"],
        consent_timeout=float(timeout), connected=flags["connected"],
        consent=cast(Literal["human", "scripted"], consent), open_browser=flags["open_browser"],
        port=port, app_token=_app_token(raw.get("app_token"), where, env),
    )


def _app_token(value: Any, where: str, environ: Mapping[str, str]) -> str | None:
    """An app token from `app_token = "${VAR}"` (never in plain text: it is a secret)."""
    if value is None:
        return None
    match = _ENV_REFERENCE.match(value) if isinstance(value, str) else None
    if match is None:
        raise UsageError(f"app_token in {where} must be written as \"${{VAR}}\"; the token is a "
                         "secret and comes from the environment")
    token = environ.get(match.group(1))
    if not token:
        raise UsageError(f"the environment variable {match.group(1)} is not set; app_token in "
                         f"{where} needs it")
    return token


def not_run_live(check: CheckInfo, live: LiveConfig) -> str | None:
    """Why `check` does not run in this live run ("not run live: ..."), or None if it runs."""
    support = check.live
    if support.mode == "sandbox":
        return f"not run live: {support.reason}"
    if support.mode == "writes" and not live.allow_writes:
        return (f"not run live: only with writes (allow_writes = true in [live]); it "
                f"{support.reason}")
    if support.consent and live.connected:
        return ("not run live: [live] connected = true, and this check judges a consent "
                "given in the run")
    return None


def live_subset_line(live: LiveConfig, not_run: int, ran: int) -> str:
    """The console line that says the verdict covers a live subset."""
    return (f"Live subset: {ran} of {len(CHECKS)} checks ran against {live.afas_base_url} "
            f"({live.access}); not run live: {not_run} (the README's checks table says why)")


@dataclass
class LiveConnection:
    """The known customer's connection as the suites' gate reads it (suites/connection.py)."""

    judgement: Judgement
    exchanges: list[Exchange]
    attachments: dict[str, Any]


@dataclass
class LiveHarness(Harness):
    """The harness with the recording proxy where the sandbox would be."""

    live: LiveConfig | None = None
    proxy: RecordingProxy | None = None
    announce: Callable[[str], None] = print

    @property
    def settings(self) -> LiveConfig:
        """The [live] table (always set by start_live_harness)."""
        assert self.live is not None
        return self.live

    @property
    def recorder(self) -> RecordingProxy:
        """The recording proxy (always set by start_live_harness)."""
        assert self.proxy is not None
        return self.proxy

    def afas_base_url(self, environment: str | None = None) -> str:
        """<proxy>/<environment>; the known customer is the development environment."""
        if environment in (None, CUSTOMER_ENVIRONMENT):
            environment = self.settings.environment
        return f"{self.sandbox_url}/{environment}"

    def once(self, name: str, make: Any) -> Any:
        """As Harness.once; the suites' connection gate is judged on live evidence."""
        return super().once(name, self._live_connection if name == "known_customer" else make)

    def connected(self) -> Walk:
        """The baseline consent: given by a person (or scripted), or none with connected."""
        return self.once("connected", self._consent)  # type: ignore[no-any-return]

    def onboarded(self) -> list[Exchange]:
        """The baseline onboarding's exchanges (none when starting from a connection)."""
        if self.config.app.auth == "apptoken" and not self.settings.connected:
            return self.app_token_connected().exchanges
        return self.connected().exchanges

    def app_token_connected(self) -> HandOff:
        """The app-token hand-off with [live] app_token; none with connected = true."""
        if self.settings.connected:
            raise HarnessError("[live] connected = true: the app already holds its app token, "
                               "so no hand-off is run")
        return super().app_token_connected()

    def walk(
        self,
        *,
        environment: str | None = None,
        login: bool = True,
        consent: Literal["allow", "deny"] = "allow",
        callback_state: Literal["keep", "wrong", "missing"] = "keep",
        afas_base_url: str | None = None,
    ) -> Walk:
        """The walk as AFAS opens it, stopping at the upstream's /app/auth.

        There a scripted consent goes on to Allow; otherwise the authorize request is sent once
        through the proxy (journaled for ONB-06), and no consent is given.
        """
        if consent != "allow" or callback_state != "keep":
            raise HarnessError("a denied or tampered consent is not run live (ONB-08, ONB-09)")
        mark = self.mark()
        base = afas_base_url if afas_base_url is not None else self.afas_base_url(environment)
        if self.settings.consent == "scripted":  # our own sandbox upstream: walk it all
            hosts = {host_port(self.config.app.onboarding_url), host_port(self.sandbox_url)}
            result = self._live_walker(hosts, login=login).walk(
                self.config.app.onboarding_url, base, redirect_uri=self.config.app.redirect_uri)
            return Walk(result, self.since(mark))
        result, authorize_url = self._walk_to_authorize(base, login=login)
        if authorize_url is not None:
            self._request_authorize(authorize_url)
        return Walk(result, self.since(mark))

    def contract_access(self) -> tuple[str | None, bool]:
        """INT-09 live: the access token the app last used successfully (kept in memory, never
        journaled) and whether the contract run may write."""
        return self.recorder.traffic.last_access_token, self.settings.allow_writes

    # ---- the consent -------------------------------------------------------------------------
    def _consent(self) -> Walk:
        if self.settings.connected:
            return Walk(WalkResult(), [])
        if self.settings.consent == "scripted":
            return self.walk()
        mark = self.mark()
        result, authorize_url = self._walk_to_authorize(self.afas_base_url(), login=True)
        if authorize_url is not None:
            result.error = self._wait_for_human(authorize_url, mark)
        return Walk(result, self.since(mark))

    def _wait_for_human(self, authorize_url: str, mark: int) -> str | None:
        """Print where to consent, then wait for the app's code exchange; the error if none.

        The person starts at the onboarding URL, as AFAS opens it, so the app's own session
        (where it keeps the state) lives in their browser when AFAS sends them back.
        """
        timeout = self.settings.consent_timeout
        start = with_query(self.config.app.onboarding_url,
                           [("afasBaseUrl", self.afas_base_url())])
        self.announce(
            f"sb-readiness: give consent as your customer would, within {timeout:g} s: open\n"
            f"  {start}\n"
            f"  in your browser; your app sends you to {authorize_url.split('?')[0]}, where you "
            "log in to AFAS (the harness never asks for your credentials). The checks go on "
            "when your app has exchanged the code.")
        if self.settings.open_browser:
            webbrowser.open(start)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(e.kind == "token" and 200 <= e.status < 300
                   and token_facts(e).grant_type == "authorization_code"
                   for e in self.recorder.journal.exchanges(since=mark)):
                return None
            time.sleep(CONSENT_POLL_S)
        return (f"no consent arrived within {timeout:g} s: the app never exchanged a code at "
                f"{self.afas_base_url()}/app/token (open the URL printed, raise consent_timeout, "
                "or set connected = true in [live])")

    def _live_walker(self, hosts: set[str], *, login: bool = True) -> OnboardingWalker:
        return OnboardingWalker(
            allowed_hosts=hosts, login_steps=self.config.login_steps if login else (),
            ca_file=self.ca_file, timeout=self.config.thresholds.onboarding_timeout,
            redactor=self.redactor)

    def _walk_to_authorize(self, base: str, *, login: bool) -> tuple[WalkResult, str | None]:
        """Walk the app only; the authorize URL at the proxy where the app sent the customer."""
        walker = self._live_walker({host_port(self.config.app.onboarding_url)}, login=login)
        result = walker.walk(self.config.app.onboarding_url, base,
                             redirect_uri=self.config.app.redirect_uri)
        blocked = result.blocked_url
        at_proxy = result.blocked_host == host_port(self.sandbox_url)
        if blocked and at_proxy and urlsplit(blocked).path.rstrip("/").endswith("/app/auth"):
            result.blocked_host = result.blocked_url = None
            result.authorize_url = blocked
            return result, blocked
        return result, None

    def _request_authorize(self, authorize_url: str) -> None:
        """Send the authorize request once, as a browser would open it, and stop there."""
        try:
            httpx.get(authorize_url, follow_redirects=False,
                      timeout=self.config.thresholds.onboarding_timeout)
        except httpx.HTTPError:
            pass  # the proxy journals whatever happened

    def _live_connection(self) -> LiveConnection:
        """Whether the app has a working connection: an API call succeeded after the consent
        (or from the existing connection) in the onboarding or the first sync."""
        onboarded = self.onboarded()
        first: list[Exchange] = []
        sync_result: SyncResult | None = None
        if self.config.sync is not None:
            sync = self.first_sync()
            first, sync_result = sync.exchanges, sync.result
        exchanges = onboarded + first
        calls = [e for e in exchanges if e.kind == "api"]
        base = self.afas_base_url()
        if any(200 <= e.status < 300 for e in calls):
            judgement = passed("ONB-02", f"An API call to {base} succeeded (live).")
        else:
            consent_error = self.connected().result.error
            outcome = f"sync {sync_result.outcome}" if sync_result else "no [sync]"
            sentence = (f"{consent_error[0].upper()}{consent_error[1:]}." if consent_error
                        else f"No API call to {base} succeeded live ({outcome}).")
            judgement = failed("ONB-02", sentence,
                               [f"{e.method} {e.path}: {e.status}" for e in calls[:5]]
                               or ["the app made no API call"])
        return LiveConnection(judgement, exchanges, {})


def start_live_harness(
    config: ReadinessConfig, workdir: Path, live: LiveConfig, *,
    announce: Callable[[str], None] = print,
) -> LiveHarness:
    """Serve the recording proxy in front of the upstream, fill the placeholders, start the app."""
    index = load_index(spec=config.app.spec, sb_version=config.app.sb_version)
    check_bundles(config, index)
    if config.app.auth == "apptoken" and not (live.connected or live.app_token):
        raise UsageError(f"{config.path}: an app-token app runs live with app_token = "
                         "\"${VAR}\" in [live] (the token AFAS activated for your development "
                         "environment) or with connected = true")
    proxy = RecordingProxy(live.upstream, index=index, allow_writes=live.allow_writes,
                           browser_to_upstream=live.consent != "scripted")
    try:
        served = serve(proxy.app, port=live.port)
    except (OSError, UsageError) as error:
        raise UsageError(f"the proxy cannot listen on port {live.port} (it is in use or not "
                         "allowed); set port = 0 in [live] to pick a free one") from error
    try:
        proxy_url = served.base_url
        placeholders = {
            "app_port": str(free_port()),
            "sandbox_url": proxy_url,
            "sandbox_host": urlsplit(proxy_url).netloc,
            "afas_base_url": f"{proxy_url}/{live.environment}",
            "workdir": str(workdir),
            "python": sys.executable,
            "config_dir": str(config.base_dir),
        }
        if live.app_token:
            placeholders["app_token"] = live.app_token
        filled = config.with_placeholders(placeholders)
        redactor = Redactor()
        redactor.add(*filled.secrets(), live.app_token)
        if live.app_token:
            proxy.redactor.remember(live.app_token, follow=True)
        for secret in filled.secrets():
            proxy.redactor.remember(secret, follow=False)
        # the proxy plays the sandbox's part: journal, redactor, faults (see the module doc)
        harness = LiveHarness(filled, workdir, index, cast(Sandbox, proxy), served, redactor,
                              app_token=live.app_token, placeholders=dict(placeholders),
                              live=live, proxy=proxy, announce=announce)
        harness.start_app()
        return harness
    except BaseException:
        served.stop()
        raise
