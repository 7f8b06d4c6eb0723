"""`sb-readiness proxy` as a user runs it, with `sb-readiness sandbox` as its upstream."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.test_sandbox_cli import APP_TOKEN, _lines


@contextmanager
def _served(command: str, *options: str, banner_ends: str) -> Iterator[list[str]]:
    """`sb-readiness COMMAND --port 0 OPTIONS` until Ctrl-C: the banner it printed."""
    script = Path(sys.executable).with_name("sb-readiness")
    launcher = [str(script)] if script.exists() else [sys.executable, "-m", "sbready.cli"]
    process = subprocess.Popen([*launcher, command, "--port", "0", *options],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=dict(os.environ))
    output: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_lines, args=(process.stdout, output), daemon=True).start()
    printed: list[str] = []
    try:
        while not any(banner_ends in line for line in printed):
            try:
                printed.append(output.get(timeout=20))
            except queue.Empty:
                pytest.fail(f"no banner within 20 s; got {printed!r}")
        yield printed
    finally:
        process.send_signal(signal.SIGINT)  # what Ctrl-C sends
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
    errors = process.stderr.read() if process.stderr else ""
    assert process.returncode in (0, 130), errors
    assert "Traceback" not in errors


def _found(pattern: str, printed: list[str]) -> str:
    found = re.search(pattern, "".join(printed))
    assert found, printed
    return found.group(1)


def test_proxy_command_forwards_reads_and_refuses_writes_the_upstream_never_sees(
    spec_dir: Path
) -> None:
    with _served("sandbox", f"--app-token={APP_TOKEN}", banner_ends="Ctrl-C") as sandbox:
        upstream = _found(r"base URL: (http://\S+)", sandbox)
        sandbox_key = _found(r"control key \(header X-Sbready-Key [^)]*\): (\S+)", sandbox)
        with _served("proxy", "--upstream", upstream, "--sb-version", "6.0.0",
                     banner_ends="operations matched") as banner:
            url = _found(r"proxy on (http://\S+)", banner)
            key = _found(r"X-Sbready-Key: ([^']+)'", banner)
            journal, refused, token = _read_and_write(url, key)
        upstream_journal = httpx.get(f"{upstream}/_sbready/journal", timeout=10,
                                     headers={"X-Sbready-Key": sandbox_key})
    assert f"-> {upstream}" in banner[0] and "read-only" in banner[1]
    assert f"afasBaseUrl={url}/<environment>" in "".join(banner)
    assert refused.status_code == 403 and "--allow-writes" in refused.json()["Message"]
    assert [(e["kind"], e["method"]) for e in journal] == [
        ("getaccesstoken", "POST"), ("api", "GET"), ("api", "POST")]
    assert journal[1]["operation_id"] == "get_administrations_1.0"
    assert APP_TOKEN not in str(journal) and token not in str(journal)
    seen = [(e["kind"], e["method"]) for e in upstream_journal.json()]
    assert seen == [("getaccesstoken", "POST"), ("api", "GET")]  # the write never arrived


def _read_and_write(url: str, key: str) -> tuple[list[dict[str, object]], httpx.Response, str]:
    """Through the proxy: an app-token exchange, a read, a write; then the proxy's journal."""
    with httpx.Client(base_url=url, timeout=10) as http:
        token = str(http.post("/demo/authentication/getaccesstoken",
                              json={"apptoken": APP_TOKEN}).json()["access_token"])
        headers = {"Authorization": f"Bearer {token}", "Accept-Version": "1"}
        assert http.get("/demo/api/administrations", headers=headers).status_code == 200
        refused = http.post("/demo/api/phonenumber", headers=headers,
                            json={"PhoneNumber": "020-7654321"})
        journal = http.get("/_sbready/journal", headers={"X-Sbready-Key": key}).json()
    return journal, refused, token


def test_proxy_command_refuses_plain_http_to_afas() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "sbready.cli", "proxy", "--upstream", "http://1.afasfocus.nl"],
        capture_output=True, text=True, timeout=60)
    assert completed.returncode == 2
    assert "plain http" in completed.stderr and "Traceback" not in completed.stderr
