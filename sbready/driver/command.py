"""Running the partner's commands (start, sync, app-token hand-off) in their own process group."""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sbready.errors import UsageError

# Evidence keeps the tail of a command's output: the end is where errors are printed.
OUTPUT_LIMIT = 16_000


def split_command(command: str, *, what: str) -> list[str]:
    """shlex-split a configured command; an empty or unbalanced one is a UsageError."""
    try:
        argv = shlex.split(command)
    except ValueError as error:
        raise UsageError(
            f"the {what} command {command!r} cannot be parsed ({error}); check its quotes."
        ) from None
    if not argv:
        raise UsageError(f"the {what} command is empty; write the command that runs it.")
    return argv


def command_env(extra: Mapping[str, str] | None) -> dict[str, str]:
    """The harness's environment plus the configured extra variables."""
    env = dict(os.environ)
    env.update(extra or {})
    return env


def not_found(command: str, what: str, error: OSError) -> UsageError:
    """The UsageError for a command that cannot be started."""
    program = shlex.split(command)[0] if command.strip() else command
    return UsageError(
        f"the {what} command {program!r} was not found or cannot be run ({error.strerror}); "
        "fix the command in readiness.toml or install the program."
    )


def stop_group(process: subprocess.Popen[bytes], grace: float) -> None:
    """SIGTERM the process group, then SIGKILL it after `grace` seconds."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
        if process.poll() is not None:
            break
        try:
            os.killpg(process.pid, sig)
        except (ProcessLookupError, PermissionError):
            break
        try:
            process.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue
    # Children that outlived their leader still belong to the group.
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def bounded(text: str, limit: int = OUTPUT_LIMIT) -> str:
    """The last `limit` characters of `text`, from a line start, marked when cut."""
    if len(text) <= limit:
        return text
    tail = text[-limit:]
    # Start at a line boundary so no half secret (unrecognisable to the redactor) survives.
    newline = tail.find("\n")
    return "[... cut ...]\n" + (tail[newline + 1 :] if newline >= 0 else "")


@dataclass(frozen=True)
class CommandRun:
    """One finished (or killed) command."""

    exit_code: int | None  # None when it was killed at the timeout
    output: str  # stdout and stderr interleaved, NOT redacted (redact, then bound)
    timed_out: bool
    duration_s: float


def run_in_group(
    command: str,
    *,
    what: str,
    env: Mapping[str, str] | None,
    cwd: Path,
    timeout: float,
) -> CommandRun:
    """Run a command in its own process group; kill the whole group at the timeout."""
    argv = split_command(command, what=what)
    started = time.monotonic()
    try:
        process = subprocess.Popen(
            argv,
            cwd=cwd,
            env=command_env(env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    except OSError as error:
        raise not_found(command, what, error) from None
    try:
        out, _ = process.communicate(timeout=timeout)
        timed_out = False
    except subprocess.TimeoutExpired:
        stop_group(process, grace=1.0)
        try:
            out, _ = process.communicate(timeout=5.0)
        except subprocess.TimeoutExpired:  # a grandchild escaped the group and holds the pipe
            out = b"(the command's output pipe stayed open after it was killed)"
        timed_out = True
    text = out.decode("utf-8", errors="replace")
    return CommandRun(
        exit_code=None if timed_out else process.returncode,
        output=text,
        timed_out=timed_out,
        duration_s=time.monotonic() - started,
    )
