"""AppProcess and trigger_sync: real subprocesses and a loopback server, all bounded in time."""

from __future__ import annotations

import os
import shlex
import socket
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from sbready.config import AppTokenConfig, SyncConfig
from sbready.driver.apptoken import hand_over_app_token
from sbready.driver.process import AppProcess
from sbready.driver.sync import trigger_sync
from sbready.errors import HarnessError, UsageError
from sbready.secrets import Redactor

PY = shlex.quote(sys.executable)
SECRET = "super-secret-app-value"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def app(command: str, tmp_path: Path, **kwargs: object) -> AppProcess:
    options: dict = {
        "env": {"APP_SECRET": SECRET},
        "cwd": tmp_path,
        "log_path": tmp_path / "logs" / "app.log",
        "ready_url": None,
        "ready_port": None,
        "timeout": 5.0,
        "ca_file": None,
        "redactor": Redactor([SECRET]),
    }
    options.update(kwargs)
    return AppProcess(command, **options)


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_http_app_becomes_ready_and_its_whole_group_stops(tmp_path: Path) -> None:
    port = free_port()
    child_pid_file = tmp_path / "child.pid"
    # The server also starts a grandchild: stop() must end it too (process group).
    script = (
        "import subprocess, sys, os, http.server;"
        "c = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']);"
        f"open({str(child_pid_file)!r}, 'w').write(str(c.pid));"
        "print('booting with', os.environ['APP_SECRET'], flush=True);"
        f"http.server.test(HandlerClass=http.server.SimpleHTTPRequestHandler, port={port},"
        " bind='127.0.0.1')"
    )
    process = app(f"{PY} -c {shlex.quote(script)}", tmp_path,
                  ready_url=f"http://127.0.0.1:{port}/")
    with process:
        waited = process.wait_ready()
        assert waited < 5.0
        assert process.pid is not None
        deadline = time.monotonic() + 5
        while not child_pid_file.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        child = int(child_pid_file.read_text())
        assert pid_alive(child)
    deadline = time.monotonic() + 5
    while pid_alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not pid_alive(child), "the grandchild outlived stop()"
    output = process.output()
    assert "booting with [redacted]" in output and SECRET not in output
    assert SECRET in (tmp_path / "logs" / "app.log").read_text()  # raw log stays private


def test_ready_port_is_polled(tmp_path: Path) -> None:
    port = free_port()
    script = (
        "import socket, time; s = socket.socket(); time.sleep(0.3);"
        f"s.bind(('127.0.0.1', {port})); s.listen(); time.sleep(30)"
    )
    with app(f"{PY} -c {shlex.quote(script)}", tmp_path, ready_port=port) as process:
        assert 0.2 < process.wait_ready() < 5.0


def test_app_that_exits_early_is_reported_with_its_output(tmp_path: Path) -> None:
    script = "import os, sys; print('cannot open db', os.environ['APP_SECRET']); sys.exit(4)"
    with app(f"{PY} -c {shlex.quote(script)}", tmp_path, ready_port=free_port()) as process:
        with pytest.raises(HarnessError) as caught:
            process.wait_ready()
    message = str(caught.value)
    assert "exited with code 4 before it was ready" in message
    assert "cannot open db [redacted]" in message and SECRET not in message


def test_app_that_never_answers_times_out(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/health"
    process = app(f"{PY} -c 'import time; time.sleep(30)'", tmp_path, ready_url=url, timeout=0.5)
    started = time.monotonic()
    with process, pytest.raises(HarnessError, match=r"was not ready at .*/health after 0.5 s"):
        process.wait_ready()
    assert time.monotonic() - started < 4.0


def test_unknown_start_command_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="the start command 'no-such-program-xyz' was not found"):
        app("no-such-program-xyz --port 1", tmp_path).start()


# ---- sync ---------------------------------------------------------------------------------


def sync_command(script: str, tmp_path: Path, timeout: float = 10.0):  # noqa: ANN201
    return trigger_sync(
        SyncConfig(command=f"{PY} -c {shlex.quote(script)}", timeout=timeout),
        env={"APP_SECRET": SECRET},
        cwd=tmp_path,
        ca_file=None,
        redactor=Redactor([SECRET]),
    )


def test_sync_command_exit_zero_is_synced(tmp_path: Path) -> None:
    result = sync_command("print('3 invoices posted')", tmp_path)
    assert result.outcome == "synced" and result.ok
    assert result.exit_code == 0 and result.status is None
    assert "3 invoices posted" in result.output


def test_sync_command_failure_keeps_redacted_output(tmp_path: Path) -> None:
    script = (
        "import os, sys; print('using', os.environ['APP_SECRET']);"
        "print('re-authorization needed', file=sys.stderr); sys.exit(3)"
    )
    result = sync_command(script, tmp_path)
    assert result.outcome == "failed" and result.exit_code == 3
    assert "re-authorization needed" in result.output
    assert "using [redacted]" in result.output and SECRET not in result.output


def test_sync_command_past_its_timeout_is_killed_with_its_group(tmp_path: Path) -> None:
    pid_file = tmp_path / "grandchild.pid"
    script = (
        "import subprocess, sys, time;"
        "c = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']);"
        f"open({str(pid_file)!r}, 'w').write(str(c.pid)); print('syncing', flush=True);"
        "time.sleep(60)"
    )
    started = time.monotonic()
    result = sync_command(script, tmp_path, timeout=1.0)
    assert time.monotonic() - started < 8.0
    assert result.outcome == "timeout" and result.exit_code is None
    assert "syncing" in result.output
    grandchild = int(pid_file.read_text())
    deadline = time.monotonic() + 5
    while pid_alive(grandchild) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not pid_alive(grandchild)


def test_unknown_sync_command_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="the sync command 'no-such-sync-xyz' was not found"):
        trigger_sync(SyncConfig(command="no-such-sync-xyz"), env=None, cwd=tmp_path,
                     ca_file=None, redactor=Redactor())


class _SyncHandler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        status = 200 if self.path == "/sync" else 500
        body = f"status {status}; access_token=at-leaked".encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def sync_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SyncHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.mark.parametrize(("path", "outcome", "status"), [("/sync", "synced", 200),
                                                         ("/broken", "failed", 500)])
def test_sync_url(sync_server: str, tmp_path: Path, path: str, outcome: str, status: int) -> None:
    result = trigger_sync(SyncConfig(url=sync_server + path, timeout=5), env=None, cwd=tmp_path,
                          ca_file=None, redactor=Redactor())
    assert (result.outcome, result.status) == (outcome, status)
    assert f"status {status}" in result.output and "at-leaked" not in result.output


def test_sync_url_unreachable_is_an_error(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/sync"
    result = trigger_sync(SyncConfig(url=url, timeout=2), env=None, cwd=tmp_path, ca_file=None,
                          redactor=Redactor())
    assert result.outcome == "error" and result.status is None
    assert "ConnectError" in result.output


def test_sync_url_that_hangs_times_out(tmp_path: Path) -> None:
    with socket.socket() as silent:  # accepts connections (backlog) but never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/sync"
        started = time.monotonic()
        result = trigger_sync(SyncConfig(url=url, timeout=0.5), env=None, cwd=tmp_path,
                              ca_file=None, redactor=Redactor())
    assert result.outcome == "timeout" and time.monotonic() - started < 3.0


def test_app_token_command_hand_off(tmp_path: Path) -> None:
    token = "app-token-987654321"
    script = "import sys; print('connected with', sys.argv[1]); sys.exit(int(sys.argv[2]))"
    redactor = Redactor()
    for code, ok in ((0, True), (2, False)):
        cfg = AppTokenConfig(command=f"{PY} -c {shlex.quote(script)} {token} {code}")
        result = hand_over_app_token(cfg, app_token=token, afas_base_url="http://127.0.0.1:1/demo",
                                     env=None, cwd=tmp_path, redactor=redactor)
        assert result.ok is ok and result.exit_code == code
        assert "connected with [redacted]" in result.output and token not in result.output


def test_ready_url_waits_for_a_ca_file_the_app_writes_at_start(tmp_path: Path) -> None:
    import trustme

    authority = trustme.CA()
    served = authority.issue_cert("127.0.0.1")
    (tmp_path / "later-ca.pem").write_bytes(authority.cert_pem.bytes())
    served.private_key_and_cert_chain_pem.write_to_path(str(tmp_path / "app.pem"))
    ca_file = tmp_path / "tls" / "ca.pem"  # does not exist until the app has started
    port = free_port()
    script = (
        "import http.server, os, shutil, ssl, time; time.sleep(0.4);"
        f"os.makedirs({str(ca_file.parent)!r}, exist_ok=True);"
        f"shutil.copy({str(tmp_path / 'later-ca.pem')!r}, {str(ca_file)!r});"
        f"server = http.server.HTTPServer(('127.0.0.1', {port}),"
        " http.server.SimpleHTTPRequestHandler);"
        "context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);"
        f"context.load_cert_chain({str(tmp_path / 'app.pem')!r});"
        "server.socket = context.wrap_socket(server.socket, server_side=True);"
        "server.serve_forever()"
    )
    with app(f"{PY} -c {shlex.quote(script)}", tmp_path, ca_file=ca_file,
             ready_url=f"https://127.0.0.1:{port}/") as process:
        assert 0.3 < process.wait_ready() < 5.0
