"""Making the app sync once: run its sync command, or POST to its sync URL."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urljoin

import httpx

from sbready.config import SyncConfig
from sbready.driver.command import bounded, run_in_group
from sbready.driver.process import tls_verify
from sbready.errors import HarnessError, UsageError
from sbready.secrets import Redactor

SyncOutcome = Literal["synced", "failed", "timeout", "error"]


@dataclass(frozen=True)
class SyncResult:
    """How one sync ended: the exit code (command) or HTTP status (URL), and what it said."""

    outcome: SyncOutcome
    exit_code: int | None
    status: int | None
    output: str  # redacted, bounded
    duration_s: float

    @property
    def ok(self) -> bool:
        """True when the app reported a successful sync."""
        return self.outcome == "synced"


def trigger_sync(
    sync: SyncConfig,
    *,
    env: Mapping[str, str] | None,
    cwd: Path,
    ca_file: Path | None,
    redactor: Redactor,
) -> SyncResult:
    """Run one sync as configured (placeholders already filled) and report how it ended.

    `env` is added to the harness's environment for a sync command (pass [app.start].env
    when the sync needs the same secrets as the server).
    """
    if sync.command:
        run = run_in_group(sync.command, what="sync", env=env, cwd=cwd, timeout=sync.timeout)
        if run.timed_out:
            outcome: SyncOutcome = "timeout"
        else:
            outcome = "synced" if run.exit_code == 0 else "failed"
        return SyncResult(
            outcome=outcome,
            exit_code=run.exit_code,
            status=None,
            output=bounded(redactor.redact(run.output)),
            duration_s=run.duration_s,
        )
    if sync.url:
        return _post_sync(sync.url, timeout=sync.timeout, ca_file=ca_file, redactor=redactor,
                          status_url=sync.status_url)
    raise UsageError("[sync] needs command = \"...\" or url = \"...\"; add one of them.")


# a status answer with one of these says the sync is still going (202 says so too)
_STILL_RUNNING = frozenset({"accepted", "queued", "pending", "running", "busy", "started",
                            "in_progress", "bezig", "gestart", "wachtrij"})
_POLL_INTERVAL = 0.2  # seconds between status polls of an asynchronous sync


def _post_sync(url: str, *, timeout: float, ca_file: Path | None, redactor: Redactor,
               status_url: str | None = None) -> SyncResult:
    """POST the sync URL; a 202 answer means the sync runs in the background: its status is
    polled (the answer's Location header, else [sync] status_url) until it ends or times out."""
    started = time.monotonic()

    def no_answer(outcome: SyncOutcome, message: str) -> SyncResult:
        return SyncResult(outcome, None, None, redactor.redact(message), time.monotonic() - started)

    def ended(response: httpx.Response) -> SyncResult:
        return SyncResult(
            outcome="synced" if 200 <= response.status_code < 300 else "failed",
            exit_code=None,
            status=response.status_code,
            output=bounded(redactor.redact(response.text)),
            duration_s=time.monotonic() - started,
        )

    try:
        with httpx.Client(verify=tls_verify(ca_file), timeout=timeout) as client:
            response = client.post(url)
            if response.status_code != 202:
                return ended(response)
            location = response.headers.get("location")
            target = urljoin(url, location) if location else status_url
            if not target:
                return no_answer("failed", f"POST {url} answered 202 Accepted without a "
                                 "Location header, and [sync] has no status_url to poll; "
                                 "answer when the sync is done, send Location, or set "
                                 "status_url.")
            while True:
                left = timeout - (time.monotonic() - started)
                if left <= 0:
                    return no_answer("timeout", f"the sync accepted by POST {url} had not "
                                     f"ended after {timeout:g} s (polled GET {target})")
                time.sleep(min(_POLL_INTERVAL, left))
                response = client.get(target, timeout=max(left, 0.1))
                if response.status_code != 202 and not _still_running(response):
                    return ended(response)
    except httpx.TimeoutException as error:
        return no_answer("timeout", f"POST {url}: no answer within {timeout:g} s ({error})")
    except httpx.HTTPError as error:
        return no_answer("error", f"POST {url} failed: {type(error).__name__}: {error}")


def _still_running(response: httpx.Response) -> bool:
    """True when a 2xx status answer says, in a JSON `status` field, the sync goes on."""
    if not 200 <= response.status_code < 300:
        return False
    try:
        body = response.json()
    except ValueError:
        return False
    status = body.get("status") if isinstance(body, dict) else None
    return isinstance(status, str) and status.strip().lower() in _STILL_RUNNING


def post_hook(url: str, *, what: str, timeout: float, ca_file: Path | None,
              redactor: Redactor) -> str:
    """POST to a hook URL of the app (e.g. [scenario] new_work); its redacted answer.

    2xx = done; anything else, or no answer, is a HarnessError naming the hook.
    """
    try:
        with httpx.Client(verify=tls_verify(ca_file), timeout=timeout) as client:
            response = client.post(url)
    except httpx.HTTPError as error:
        raise HarnessError(f"{what}: POST {url} failed ({type(error).__name__}: "
                           f"{redactor.redact(str(error))}); is the app running?") from None
    text = bounded(redactor.redact(response.text))
    if not 200 <= response.status_code < 300:
        raise HarnessError(f"{what}: POST {url} answered {response.status_code}: "
                           f"{text.strip()[-300:]}")
    return text
