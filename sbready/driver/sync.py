"""Making the app sync once: run its sync command, or POST to its sync URL."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

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
        return _post_sync(sync.url, timeout=sync.timeout, ca_file=ca_file, redactor=redactor)
    raise UsageError("[sync] needs command = \"...\" or url = \"...\"; add one of them.")


def _post_sync(url: str, *, timeout: float, ca_file: Path | None, redactor: Redactor) -> SyncResult:
    started = time.monotonic()

    def no_answer(outcome: SyncOutcome, message: str) -> SyncResult:
        return SyncResult(outcome, None, None, redactor.redact(message), time.monotonic() - started)

    try:
        with httpx.Client(verify=tls_verify(ca_file), timeout=timeout) as client:
            response = client.post(url)
    except httpx.TimeoutException as error:
        return no_answer("timeout", f"POST {url}: no answer within {timeout:g} s ({error})")
    except httpx.HTTPError as error:
        return no_answer("error", f"POST {url} failed: {type(error).__name__}: {error}")
    return SyncResult(
        outcome="synced" if 200 <= response.status_code < 300 else "failed",
        exit_code=None,
        status=response.status_code,
        output=bounded(redactor.redact(response.text)),
        duration_s=time.monotonic() - started,
    )


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
