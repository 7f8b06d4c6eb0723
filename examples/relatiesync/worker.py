"""The worker: one thread that does every SB conversation, one job at a time.

The web server hands it jobs (verify a new connection, run a sync) and waits for the answer,
so two syncs never overlap and the access token and keep-alive connections live as long as
the process.
"""

from __future__ import annotations

import logging
import secrets
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from examples.relatiesync.base_url import SbEnvironment
from examples.relatiesync.sb_client import (
    Forbidden,
    ReconnectNeeded,
    SbClient,
    SbError,
    SbUnreachable,
    sb_message,
)
from examples.relatiesync.store import Connection, Store
from examples.relatiesync.sync import LISTS, PAGE_SIZE, SORT_FIELD, SyncReport, run_sync

log = logging.getLogger("relatiesync.worker")
JOB_WAIT_S = 300.0  # every SB request is bounded, so a job ends well before this
KEPT_RUNS = 20  # reports of background syncs kept for GET /sync/runs/<id>


@dataclass(frozen=True)
class ConnectResult:
    """Whether a pasted app token works, in a sentence for the connect page."""

    ok: bool
    message: str


def error_report(error: Exception) -> SyncReport:
    """The POST /sync answer for a sync that stopped."""
    if isinstance(error, ReconnectNeeded):
        status = 409
    elif isinstance(error, SbUnreachable):
        status = 504
    elif isinstance(error, SbError):
        status = 502
    else:
        status = 500
    message = str(error) if isinstance(error, SbError) else (
        f"RelatieSync hit an internal error ({type(error).__name__}); it is logged, nothing "
        "was lost, and the next sync continues where this one stopped")
    return SyncReport(status, {"status": "error", "message": message})


class Worker:
    """Runs connect and sync jobs on one background thread."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-worker")
        self._client: SbClient | None = None
        self._client_for: tuple[str, str] | None = None  # (base_url, app_token) it serves
        self._runs: dict[str, Future[SyncReport]] = {}
        self._runs_lock = threading.Lock()

    def shutdown(self) -> None:
        """Finish the running job, then stop."""
        self._executor.shutdown(wait=True, cancel_futures=True)
        if self._client is not None:
            self._client.close()

    # ---- jobs ------------------------------------------------------------------------------
    def connect(self, environment: SbEnvironment, app_token: str) -> ConnectResult:
        """Exchange the pasted token and make a first API call; store it only if both work."""
        job: Future[ConnectResult] = self._executor.submit(self._connect, environment, app_token)
        return job.result(timeout=JOB_WAIT_S)

    def sync(self) -> SyncReport:
        """Run one sync and wait for its report."""
        job: Future[SyncReport] = self._executor.submit(self._sync)
        return job.result(timeout=JOB_WAIT_S)

    def start_sync(self) -> str:
        """Queue one sync without waiting; returns the run id to ask `run` about."""
        run_id = secrets.token_hex(8)
        with self._runs_lock:
            self._runs[run_id] = self._executor.submit(self._sync)
            while len(self._runs) > KEPT_RUNS:  # the oldest answers are forgotten
                self._runs.pop(next(iter(self._runs)))
        return run_id

    def run(self, run_id: str) -> SyncReport | None:
        """The report of a started sync; a 202 "running" report while it goes on; None if
        the id is unknown."""
        with self._runs_lock:
            job = self._runs.get(run_id)
        if job is None:
            return None
        if not job.done():
            return SyncReport(202, {"status": "running", "run": run_id})
        return job.result()

    # ---- on the worker thread --------------------------------------------------------------
    def _connect(self, environment: SbEnvironment, app_token: str) -> ConnectResult:
        client = SbClient(environment.base_url, app_token)
        try:
            client.access_token()
            path, _, version = LISTS[0]
            answer = client.call("GET", path, version=version,
                                 params={"skip": "0", "take": "1", "sortField": SORT_FIELD})
            if answer.status != 200:
                raise SbError(f"the first API call answered HTTP {answer.status}: "
                              + sb_message(answer.body, "no details"))
        except ReconnectNeeded:
            client.close()
            return ConnectResult(False, "AFAS SB did not accept this app token. Copy the "
                                 "token again from the App Center (activate RelatieSync in "
                                 f"environment {environment.environment}) and paste it here.")
        except SbError as error:
            client.close()
            return ConnectResult(False, f"The connection could not be checked: {error}")
        self.store.connect(environment.base_url, environment.environment, app_token)
        self._replace_client(client, (environment.base_url, app_token))
        return ConnectResult(True, f"RelatieSync is connected to AFAS SB environment "
                             f"{environment.environment}. The first sync reads all "
                             f"organisations and persons ({PAGE_SIZE} per request).")

    def _replace_client(self, client: SbClient | None, serves: tuple[str, str] | None) -> None:
        if self._client is not None and self._client is not client:
            self._client.close()
        self._client, self._client_for = client, serves

    def _current_client(self, connection: Connection) -> SbClient:
        serves = (connection.base_url, connection.app_token)
        if self._client is None or self._client_for != serves:
            self._replace_client(SbClient(connection.base_url, connection.app_token), serves)
        assert self._client is not None
        return self._client

    def _sync(self) -> SyncReport:
        connection = self.store.connection()
        if connection is None:
            return SyncReport(409, {"status": "error", "message": (
                "RelatieSync is not connected to AFAS SB yet: activate it in the AFAS App "
                "Center and paste the app token on the connect page")})
        client = self._current_client(connection)
        try:
            report = run_sync(client, self.store)
        except Forbidden as error:
            report = error_report(error)
        except ReconnectNeeded as error:
            self.store.set_connection_state("reconnect_needed")
            report = error_report(error)
        except SbError as error:
            report = error_report(error)
        except Exception as error:  # noqa: BLE001 - the HTTP caller gets a clean answer
            log.exception("sync failed")
            report = error_report(error)
        else:
            if connection.state != "connected":
                self.store.set_connection_state("connected")
        self.store.record_run(report.ok, str(report.body.get("message", "")))
        log.info("sync ended with %s: %s", report.http_status, report.body.get("message"))
        return report
