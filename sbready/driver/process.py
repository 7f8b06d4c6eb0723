"""The partner's app as a process: start it, wait until it answers, stop its whole group."""

from __future__ import annotations

import socket
import ssl
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import IO

import httpx

from sbready.driver.command import bounded, command_env, not_found, split_command, stop_group
from sbready.errors import HarnessError
from sbready.secrets import Redactor

POLL_INTERVAL = 0.1


def tls_verify(ca_file: Path | None) -> ssl.SSLContext | bool:
    """httpx `verify` for the app: the system CAs, plus `ca_file` when the user gave one."""
    if ca_file is None:
        return True
    context = ssl.create_default_context()
    context.load_verify_locations(cafile=str(ca_file))
    return context


class AppProcess:
    """The app under test, started from [app.start] and stopped with its whole process group."""

    def __init__(
        self,
        command: str,
        *,
        env: Mapping[str, str],
        cwd: Path,
        log_path: Path,
        ready_url: str | None,
        ready_port: int | None,
        timeout: float,
        ca_file: Path | None,
        redactor: Redactor,
    ) -> None:
        self.command = command
        self.env = dict(env)  # added to the harness's own environment
        self.cwd = cwd
        self.log_path = log_path
        self.ready_url = ready_url
        self.ready_port = ready_port
        self.timeout = timeout
        self.ca_file = ca_file
        self.redactor = redactor
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def pid(self) -> int | None:
        """The process id (also the process group id), once started."""
        return self._process.pid if self._process else None

    def start(self) -> None:
        """Start the command in a new session; stdout and stderr go to log_path."""
        argv = split_command(self.command, what="start")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("wb")
        try:
            self._process = subprocess.Popen(
                argv,
                cwd=self.cwd,
                env=command_env(self.env),
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        except OSError as error:
            self._log.close()
            self._log = None
            raise not_found(self.command, "start", error) from None

    def wait_ready(self) -> float:
        """Poll ready_url (any HTTP answer) or ready_port until it answers; returns seconds."""
        if self._process is None:
            raise HarnessError("the app was not started; call start() before wait_ready().")
        started = time.monotonic()
        target = self.ready_url or (
            f"127.0.0.1:{self.ready_port}" if self.ready_port else "the process"
        )
        last_problem = "no answer yet"
        client: httpx.Client | None = None
        try:
            while True:
                code = self._process.poll()
                if code is not None:
                    raise HarnessError(
                        f"the app exited with code {code} before it was ready; last output: "
                        f"{self._tail()}"
                    )
                if client is None and self._ca_file_pending():
                    # an app may write the certificate ca_file names only when it starts
                    problem: str | None = f"the CA file {self.ca_file} does not exist yet"
                else:
                    if client is None:
                        verify = tls_verify(self.ca_file) if self.ready_url else True
                        client = httpx.Client(verify=verify, timeout=1.0)
                    problem = self._probe(client)
                if problem is None:
                    return time.monotonic() - started
                last_problem = problem
                if time.monotonic() - started >= self.timeout:
                    raise HarnessError(
                        f"the app was not ready at {target} after {self.timeout:g} s "
                        f"({self.redactor.redact(last_problem)}); raise [app.start] timeout or "
                        f"check the app; last output: {self._tail()}"
                    )
                time.sleep(POLL_INTERVAL)
        finally:
            if client is not None:
                client.close()

    def _ca_file_pending(self) -> bool:
        return bool(self.ready_url and self.ca_file is not None and not self.ca_file.exists())

    def _probe(self, client: httpx.Client) -> str | None:
        """None when the app answers; otherwise why not."""
        if self.ready_url:
            try:
                client.get(self.ready_url)
            except httpx.HTTPError as error:
                return f"{type(error).__name__}: {error}"
            return None
        if self.ready_port:
            try:
                with socket.create_connection(("127.0.0.1", self.ready_port), timeout=1.0):
                    return None
            except OSError as error:
                return f"port {self.ready_port}: {error}"
        return None  # nothing to wait for: running is ready

    def stop(self, grace: float = 5.0) -> int | None:
        """SIGTERM the process group, SIGKILL after `grace` s; returns the exit code."""
        process = self._process
        if process is not None:
            stop_group(process, grace)
            try:
                process.wait(timeout=5.0)
            except subprocess.TimeoutExpired:
                pass
        if self._log is not None:
            self._log.close()
            self._log = None
        return process.returncode if process else None

    def output(self) -> str:
        """Everything the app printed so far, redacted and bounded."""
        try:
            text = self.log_path.read_bytes().decode("utf-8", errors="replace")
        except OSError:
            return ""
        return bounded(self.redactor.redact(text))

    def log_size(self) -> int:
        """How many bytes the app has printed so far (a mark for `output_since`)."""
        try:
            return self.log_path.stat().st_size
        except OSError:
            return 0

    def output_since(self, mark: int) -> str:
        """What the app printed after `mark` (from `log_size`), redacted and bounded."""
        try:
            with self.log_path.open("rb") as log:
                log.seek(mark)
                text = log.read().decode("utf-8", errors="replace")
        except OSError:
            return ""
        return bounded(self.redactor.redact(text))

    def _tail(self, limit: int = 1500) -> str:
        text = self.output().strip()
        if not text:
            return "(nothing)"
        return text[-limit:]

    def __enter__(self) -> AppProcess:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
