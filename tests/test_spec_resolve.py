"""Finding and loading SB specs: SB_SPEC_DIR, the user cache, the download, user mistakes."""

from __future__ import annotations

import json
import os
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from sbready.errors import UsageError
from sbready.spec import resolve
from sbready.spec.resolve import NotOpenAPIError, load_index, load_spec


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    resolve.clear_caches()
    yield
    resolve.clear_caches()


@pytest.fixture
def offline_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No SB_SPEC_DIR, an empty user cache under tmp_path; returns the specs cache folder."""
    monkeypatch.delenv("SB_SPEC_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    return tmp_path / "xdg" / "sb-readiness" / "specs"


class _SpecServer:
    """A loopback HTTP server answering every GET with one fixed body and status."""

    def __init__(self, body: bytes, status: int = 200) -> None:
        self.requests: list[str] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the http.server hook name
                owner.requests.append(self.path)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                return

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> _SpecServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_version_is_read_from_sb_spec_dir_and_normalised(
    monkeypatch: pytest.MonkeyPatch, spec_dir: Path
) -> None:
    monkeypatch.setenv("SB_SPEC_DIR", str(spec_dir))
    loaded = load_spec(sb_version="4.0.0")
    assert loaded.sb_version == "4.0.0"
    assert loaded.source == str(spec_dir / "4.0.0.json")
    assert loaded.patches, "AFAS's files have known defects, so normalise must patch something"
    # raw stays as published; document is patched
    blob_raw = loaded.raw["paths"]["/api/blob/{uuid}"]["get"]["responses"]
    blob_doc = loaded.document["paths"]["/api/blob/{uuid}"]["get"]["responses"]
    assert "401" in blob_raw["200"] and "401" not in blob_raw
    assert "401" not in blob_doc["200"] and "401" in blob_doc


@pytest.mark.parametrize("asked", [None, "latest", "LATEST"])
def test_latest_means_6_0_0(
    monkeypatch: pytest.MonkeyPatch, spec_dir: Path, asked: str | None
) -> None:
    monkeypatch.setenv("SB_SPEC_DIR", str(spec_dir))
    assert resolve.SB_VERSIONS[-1] == "6.0.0" and len(resolve.SB_VERSIONS) == 10
    assert load_spec(sb_version=asked).sb_version == "6.0.0"


def test_unknown_version_lists_the_known_ones() -> None:
    with pytest.raises(UsageError) as caught:
        load_spec(sb_version="7.0.0")
    message = str(caught.value)
    assert "'7.0.0'" in message
    assert all(version in message for version in resolve.SB_VERSIONS)


def test_spec_path_takes_its_version_from_info(spec_dir: Path) -> None:
    loaded = load_spec(spec=str(spec_dir / "5.2.0.json"))
    assert loaded.sb_version == "5.2.0"
    assert loaded.source == str(spec_dir / "5.2.0.json")


def test_missing_spec_file_names_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    with pytest.raises(UsageError, match="nope.json does not exist"):
        load_spec(spec=str(missing))


def test_unreadable_json_names_the_path(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(UsageError, match="broken.json is not valid JSON"):
        load_spec(spec=str(broken))


@pytest.mark.parametrize(
    ("content", "missing"),
    [
        ({"swagger": "2.0", "paths": {}}, "no openapi key"),
        ({"openapi": "3.0.0", "info": {}}, "no paths key"),
        ({"name": "package.json"}, "no openapi and no paths key"),
    ],
)
def test_json_that_is_not_openapi_says_what_is_missing(
    tmp_path: Path, content: dict[str, object], missing: str
) -> None:
    other = tmp_path / "other.json"
    other.write_text(json.dumps(content), encoding="utf-8")
    with pytest.raises(NotOpenAPIError) as caught:
        load_spec(spec=str(other))
    assert missing in str(caught.value)
    assert isinstance(caught.value, UsageError)


def test_download_fills_the_user_cache_once(
    monkeypatch: pytest.MonkeyPatch, spec_dir: Path, offline_cache: Path
) -> None:
    body = (spec_dir / "6.0.0.json").read_bytes()
    with _SpecServer(body) as server:
        template = f"http://127.0.0.1:{server.port}/sb/en/{{dashed}}.json"
        monkeypatch.setattr(resolve, "DOWNLOAD_URL_TEMPLATE", template)
        loaded = load_spec(sb_version="6.0.0")
        resolve.clear_caches()
        again = load_spec(sb_version="latest")
    assert server.requests == ["/sb/en/6-0-0.json"], "the second load must come from the cache"
    assert loaded.source == str(offline_cache / "6.0.0.json") == again.source
    assert (offline_cache / "6.0.0.json").read_bytes() == body
    assert not [p for p in offline_cache.iterdir() if p.name.startswith(".")], "no temp files left"


def test_sb_spec_dir_wins_over_the_cache(
    monkeypatch: pytest.MonkeyPatch, spec_dir: Path, offline_cache: Path
) -> None:
    offline_cache.mkdir(parents=True)
    (offline_cache / "6.0.0.json").write_text("{}", encoding="utf-8")
    monkeypatch.setenv("SB_SPEC_DIR", str(spec_dir))
    assert load_spec(sb_version="6.0.0").source == str(spec_dir / "6.0.0.json")


def test_no_network_says_how_to_work_offline(
    monkeypatch: pytest.MonkeyPatch, offline_cache: Path
) -> None:
    template = f"http://127.0.0.1:{_closed_port()}/{{dashed}}.json"
    monkeypatch.setattr(resolve, "DOWNLOAD_URL_TEMPLATE", template)
    monkeypatch.setattr(resolve, "DOWNLOAD_TIMEOUT_S", 5.0)
    with pytest.raises(UsageError) as caught:
        load_spec(sb_version="6.0.0")
    message = str(caught.value)
    assert message.startswith("could not download SB spec 6.0.0 from AFAS's docs repository (")
    assert "set SB_SPEC_DIR to a folder with 6.0.0.json or pass --spec PATH" in message
    assert not offline_cache.exists() or not any(offline_cache.iterdir())


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [(b"Not Found", 404, UsageError), (b'{"openapi": "3.0.0"}', 200, NotOpenAPIError)],
)
def test_bad_downloads_are_not_cached(
    monkeypatch: pytest.MonkeyPatch,
    offline_cache: Path,
    body: bytes,
    status: int,
    error: type[Exception],
) -> None:
    with _SpecServer(body, status) as server:
        monkeypatch.setattr(
            resolve, "DOWNLOAD_URL_TEMPLATE", f"http://127.0.0.1:{server.port}/{{dashed}}.json"
        )
        with pytest.raises(error):
            load_spec(sb_version="5.0.0")
    assert not (offline_cache / "5.0.0.json").exists()


def test_spec_url_is_downloaded(spec_dir: Path) -> None:
    with _SpecServer((spec_dir / "3.1.0.json").read_bytes()) as server:
        loaded = load_spec(spec=f"http://127.0.0.1:{server.port}/mine.json")
    assert loaded.sb_version == "3.1.0"
    assert server.requests == ["/mine.json"]


def test_load_index_is_cached_until_the_file_changes(spec_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "spec.json"
    copy.write_bytes((spec_dir / "2.1.0.json").read_bytes())
    first = load_index(spec=str(copy))
    assert load_index(spec=str(copy)) is first
    changed = json.loads(copy.read_text(encoding="utf-8"))
    del changed["paths"]["/api/journalentry"]
    copy.write_text(json.dumps(changed), encoding="utf-8")
    stat = copy.stat()
    os.utime(copy, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    second = load_index(spec=str(copy))
    assert second is not first
    assert len(first.operations) - len(second.operations) == 1
