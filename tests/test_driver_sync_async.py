"""An HTTP sync that answers 202 Accepted: the harness polls its status until it ends."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from sbready.config import SyncConfig
from sbready.driver.sync import trigger_sync
from sbready.secrets import Redactor


class _Worker:
    """A background sync: `polls_needed` status reads say running, then `final` answers."""

    def __init__(self, *, polls_needed: int, final: tuple[int, dict[str, str]],
                 location: bool = True) -> None:
        self.polls_needed = polls_needed
        self.final = final
        self.location = location
        self.polls = 0


@contextmanager
def _served(worker: _Worker) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # quiet test output
            pass

        def _json(self, status: int, body: dict[str, str], extra: dict[str, str]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in extra.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            headers = {"Location": "/sync/runs/1"} if worker.location else {}
            self._json(202, {"status": "accepted"}, headers)

        def do_GET(self) -> None:  # noqa: N802
            worker.polls += 1
            if worker.polls <= worker.polls_needed:
                self._json(200, {"status": "running"}, {})
            else:
                self._json(*worker.final, {})

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _sync(url: str, *, timeout: float = 10.0, status_url: str | None = None):  # type: ignore[no-untyped-def]
    config = SyncConfig(url=f"{url}/sync", timeout=timeout, status_url=status_url)
    return trigger_sync(config, env=None, cwd=Path("."), ca_file=None, redactor=Redactor())


def test_a_202_sync_is_polled_at_its_location_until_it_is_done() -> None:
    worker = _Worker(polls_needed=2, final=(200, {"status": "ok", "booked": "3"}))
    with _served(worker) as url:
        result = _sync(url)
    assert result.outcome == "synced" and result.status == 200
    assert worker.polls == 3 and '"booked": "3"' in result.output


def test_a_202_sync_that_fails_in_the_background_is_failed() -> None:
    worker = _Worker(polls_needed=1, final=(500, {"status": "error", "message": "mislukt"}))
    with _served(worker) as url:
        result = _sync(url)
    assert result.outcome == "failed" and result.status == 500 and "mislukt" in result.output


def test_status_url_is_polled_when_the_202_has_no_location() -> None:
    worker = _Worker(polls_needed=0, final=(200, {"status": "ok"}), location=False)
    with _served(worker) as url:
        polled = _sync(url, status_url=f"{url}/sync/status")
        unpolled = _sync(url)
    assert polled.outcome == "synced" and worker.polls == 1
    assert unpolled.outcome == "failed" and "status_url" in unpolled.output


def test_a_background_sync_that_never_ends_times_out() -> None:
    worker = _Worker(polls_needed=10_000, final=(200, {"status": "ok"}))
    with _served(worker) as url:
        result = _sync(url, timeout=1.0)
    assert result.outcome == "timeout" and "had not ended after 1 s" in result.output
    assert 1.0 <= result.duration_s < 3.0


def test_status_url_needs_an_http_sync(tmp_path: Path) -> None:
    from sbready.config import load_config
    from sbready.errors import UsageError

    path = tmp_path / "readiness.toml"
    path.write_text('[app]\nname = "X"\nonboarding_url = "https://x.example/"\n'
                    'auth = "apptoken"\nbundles = ["Relaties"]\nsb_version = "6.0.0"\n'
                    '[apptoken]\ncommand = "true {app_token}"\n'
                    '[sync]\ncommand = "true"\nstatus_url = "https://x.example/s"\n', "utf-8")
    with pytest.raises(UsageError, match="status_url in \\[sync\\] goes with url"):
        load_config(path, environ={})
