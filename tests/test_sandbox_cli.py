"""`sb-readiness sandbox` as a user runs it, and `serve` on loopback."""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from sbready.cli import main
from sbready.errors import UsageError
from sbready.sandbox.server import bind, serve

APP_TOKEN = "cli-test-app-token-" + "z" * 30
ADMIN_APP_TOKEN = "cli-test-admin-token-" + "y" * 30


def _lines(stream: object, into: queue.Queue[str]) -> None:
    for line in iter(stream.readline, ""):  # type: ignore[attr-defined]
        into.put(line)


@contextmanager
def _served_sandbox(spec_dir: Path, *options: str) -> Iterator[tuple[str, list[str]]]:
    """`sb-readiness sandbox --port 0 OPTIONS` as a user runs it: (base URL, printed lines).

    Stopped with Ctrl-C's signal afterwards; it must exit cleanly without a traceback.
    """
    env = {**os.environ, "SB_SPEC_DIR": str(spec_dir)}
    script = Path(sys.executable).with_name("sb-readiness")
    launcher = [str(script)] if script.exists() else [sys.executable, "-m", "sbready.cli"]
    process = subprocess.Popen(
        [*launcher, "sandbox", "--port", "0", *options],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    output: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_lines, args=(process.stdout, output), daemon=True).start()
    printed: list[str] = []
    try:
        base_url = None
        while base_url is None:
            try:
                line = output.get(timeout=20)
            except queue.Empty:
                pytest.fail(f"no base URL printed within 20 s; got {printed!r}")
            printed.append(line)
            found = re.match(r"base URL: (http://\S+)", line)
            base_url = found.group(1) if found else None
        time.sleep(0.2)  # the rest of the banner follows the base URL at once
        yield base_url, printed
    finally:
        process.send_signal(signal.SIGINT)  # what Ctrl-C sends
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        while not output.empty():
            printed.append(output.get_nowait())
    errors = process.stderr.read() if process.stderr else ""
    assert process.returncode in (0, 130), errors  # 130: stopped by Ctrl-C, as shells report
    assert "Traceback" not in errors


def test_sandbox_command_serves_until_terminated(spec_dir: Path) -> None:
    with _served_sandbox(spec_dir, "--app-token", APP_TOKEN) as (base_url, printed), \
            httpx.Client(base_url=base_url, timeout=10) as http:
        exchanged = http.post("/demo/authentication/getaccesstoken", json={"apptoken": APP_TOKEN})
        assert exchanged.status_code == 200, exchanged.text
        token = exchanged.json()["access_token"]
        answer = http.get(
            "/demo/api/administrations",
            headers={"Authorization": f"Bearer {token}", "Accept-Version": "1"},
        )
    assert answer.status_code == 200 and isinstance(answer.json(), list)
    assert answer.json(), "the seeded demo environment has administrations"
    banner = "".join(printed)
    assert "demo-partner" in banner and "X-Sbready-Key" in banner and "Accept-Version: 1" in banner


def test_sandbox_command_serves_an_admin_center_app_token(spec_dir: Path) -> None:
    options = ("--admin-app-token", ADMIN_APP_TOKEN, "--redelivery-window", "0",
               "--readkey-lifetime", "60")
    with _served_sandbox(spec_dir, *options) as (base_url, printed), \
            httpx.Client(base_url=base_url, timeout=10) as http:
        body = {"apptoken": ADMIN_APP_TOKEN}
        admin = http.post("/admin/authentication/getaccesstoken", json=body)
        assert admin.status_code == 200, admin.text
        bearer = {"Authorization": f"Bearer {admin.json()['access_token']}"}
        by_get = http.get("/authentication/getscopes", headers=bearer)
        by_post = http.post("/authentication/getscopes", headers=bearer)
        demo = http.post("/demo/authentication/getaccesstoken", json=body)
        reads = http.get("/demo/api/administration", headers={
            "Authorization": f"Bearer {demo.json()['access_token']}", "Accept-Version": "1"})
    assert by_get.status_code == by_post.status_code == 200
    customers = [item for item in by_get.json() if item["Path"] != "admin"]
    assert [item["Path"] for item in customers] == ["demo", "acme"]
    assert all(set(item) == {"Name", "Description", "Path"} for item in by_post.json())
    assert demo.status_code == 200 and reads.status_code == 200, reads.text
    assert isinstance(reads.json(), list) and reads.json()
    assert "/admin/authentication/getaccesstoken" in "".join(printed)


def test_port_in_use_is_a_usage_error_with_the_fix(
    spec_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SB_SPEC_DIR", str(spec_dir))
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        with pytest.raises(UsageError, match="--port 0 picks a free one"):
            bind("127.0.0.1", port)
        assert main(["sandbox", "--port", str(port)]) == 2
    assert "--port 0" in capsys.readouterr().err


def test_serve_runs_any_asgi_app_and_stops_in_time() -> None:
    async def hello(scope, receive, send):  # type: ignore[no-untyped-def]
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"hi"})

    running = serve(hello)
    try:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", running.base_url)
        assert httpx.get(running.base_url + "/", timeout=5).text == "hi"
    finally:
        running.stop(timeout=5)
    assert not running._thread.is_alive()
    with pytest.raises(httpx.ConnectError):
        httpx.get(running.base_url + "/", timeout=2)


def test_negative_sandbox_windows_are_usage_errors(
    spec_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SB_SPEC_DIR", str(spec_dir))
    assert main(["sandbox", "--port", "0", "--redelivery-window", "-1"]) == 2
    assert "--redelivery-window must be 0 or more seconds" in capsys.readouterr().err
    assert main(["sandbox", "--port", "0", "--app-token", APP_TOKEN,
                 "--admin-app-token", APP_TOKEN]) == 2
    assert "must differ" in capsys.readouterr().err
