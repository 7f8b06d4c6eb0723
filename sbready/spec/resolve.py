"""Find, read and normalise an SB OpenAPI file by path, URL or SB version.

A version is looked up in $SB_SPEC_DIR, then the user cache, then downloaded from AFAS's
public documentation repository into the cache. Nothing here ships AFAS's files.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from sbready.errors import UsageError
from sbready.spec.index import OperationIndex
from sbready.spec.normalise import Patch, normalise

__all__ = [
    "DOWNLOAD_TIMEOUT_S",
    "DOWNLOAD_URL_TEMPLATE",
    "LATEST",
    "SB_VERSIONS",
    "LoadedSpec",
    "NotOpenAPIError",
    "Patch",
    "cache_dir",
    "load_index",
    "load_spec",
]

SB_VERSIONS: tuple[str, ...] = (
    "2.1.0", "2.2.0", "3.1.0", "3.2.0", "4.0.0", "5.0.0", "5.1.0", "5.2.0", "5.3.0", "6.0.0",
)  # fmt: skip
LATEST = SB_VERSIONS[-1]

# Module constants so tests can point them at a loopback server; {dashed} is e.g. 6-0-0.
DOWNLOAD_URL_TEMPLATE = (
    "https://raw.githubusercontent.com/AFASSoftware/OASContent/main/OpenApiSpecs/sb/en/"
    "{dashed}.json"
)
DOWNLOAD_TIMEOUT_S = 20.0


class NotOpenAPIError(UsageError):
    """The file is JSON but not an OpenAPI document (no `openapi` key or no `paths`)."""


@dataclass
class LoadedSpec:
    """One SB OpenAPI file: as published (raw) and normalised (document), with its patches.

    Instances returned by load_spec are shared through an in-process cache: treat as read-only.
    """

    raw: dict[str, Any]
    document: dict[str, Any]
    sb_version: str
    source: str
    patches: list[Patch] = field(default_factory=list)


def cache_dir() -> Path:
    """Where downloaded SB specs are kept: $XDG_CACHE_HOME (or ~/.cache)/sb-readiness/specs."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "sb-readiness" / "specs"


def load_spec(spec: str | None = None, sb_version: str | None = None) -> LoadedSpec:
    """Load and normalise an SB spec from a path or http(s) URL, or by SB version.

    `sb_version` is X.Y.Z or "latest"; with neither argument the latest version is loaded.
    Raises UsageError (with the fix in its message) for every user mistake.
    """
    if spec is not None and sb_version is not None:
        raise UsageError("pass either a spec path/URL or an SB version, not both.")
    if spec is not None and spec.startswith(("http://", "https://")):
        return _cached(spec, None, lambda: _parse(_download(spec, spec), spec))
    if spec is not None:
        path = Path(spec).expanduser()
        return _cached(str(path), path, lambda: _parse(_read(path), str(path)))
    version = _known_version(sb_version)
    path = _locate_version(version)
    loaded = _cached(str(path), path, lambda: _parse(_read(path), str(path)))
    return loaded if loaded.sb_version == version else _with_version(loaded, version)


def load_index(spec: str | None = None, sb_version: str | None = None) -> OperationIndex:
    """The operation index of a spec (same arguments as load_spec), cached in-process."""
    loaded = load_spec(spec, sb_version)
    key = (loaded.source, loaded.sb_version, id(loaded.document))
    with _lock:
        index = _index_cache.get(key)
    if index is None:
        index = OperationIndex.from_document(loaded.document, loaded.sb_version)
        with _lock:
            _index_cache[key] = index
    return index


def clear_caches() -> None:
    """Forget every spec and index loaded in this process (tests, long-running sandboxes)."""
    with _lock:
        _spec_cache.clear()
        _index_cache.clear()


_lock = threading.Lock()
_spec_cache: dict[tuple[str, int | None], LoadedSpec] = {}
_index_cache: dict[tuple[str, str, int], OperationIndex] = {}


def _cached(source: str, path: Path | None, load: Any) -> LoadedSpec:
    """Load once per (source, mtime); a file that changes on disk is read again."""
    mtime = _mtime(path) if path is not None else None
    key = (source, mtime)
    with _lock:
        hit = _spec_cache.get(key)
    if hit is not None:
        return hit
    loaded: LoadedSpec = load()
    with _lock:
        _spec_cache[key] = loaded
    return loaded


def _with_version(loaded: LoadedSpec, version: str) -> LoadedSpec:
    # A version file whose info.version disagrees is still that version for the user.
    return LoadedSpec(loaded.raw, loaded.document, version, loaded.source, loaded.patches)


def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except FileNotFoundError:
        raise UsageError(f"spec file {path} does not exist; check the path.") from None
    except OSError as error:
        raise UsageError(f"cannot read spec file {path} ({error.strerror}).") from None


def _known_version(sb_version: str | None) -> str:
    if sb_version is None or sb_version.strip().lower() == "latest":
        return LATEST
    version = sb_version.strip()
    if version not in SB_VERSIONS:
        raise UsageError(
            f"unknown SB version {sb_version!r}; use one of {', '.join(SB_VERSIONS)} or latest."
        )
    return version


def _locate_version(version: str) -> Path:
    """$SB_SPEC_DIR/<v>.json, else the cache, else download into the cache."""
    spec_dir = os.environ.get("SB_SPEC_DIR")
    if spec_dir:
        candidate = Path(spec_dir).expanduser() / f"{version}.json"
        if candidate.is_file():
            return candidate
    cached = cache_dir() / f"{version}.json"
    if cached.is_file():
        return cached
    url = DOWNLOAD_URL_TEMPLATE.format(dashed=version.replace(".", "-"), version=version)
    body = _download(url, f"SB spec {version}", version)
    _parse(body, url)  # refuse to cache something that is not an OpenAPI document
    _write_atomically(cached, body)
    return cached


def _download(url: str, what: str, version: str | None = None) -> bytes:
    try:
        response = httpx.get(url, timeout=DOWNLOAD_TIMEOUT_S, follow_redirects=True)
        response.raise_for_status()
    except httpx.HTTPStatusError as error:
        reason = f"HTTP {error.response.status_code} from {url}"
        raise UsageError(_download_failure(what, reason, version)) from None
    except httpx.HTTPError as error:
        reason = f"{type(error).__name__}: {error or 'no details'} for {url}"
        raise UsageError(_download_failure(what, reason, version)) from None
    return response.content


def _download_failure(what: str, reason: str, version: str | None) -> str:
    if version is None:
        return f"could not download {what} ({reason}); download it and pass --spec PATH."
    return (
        f"could not download SB spec {version} from AFAS's docs repository ({reason}); "
        f"set SB_SPEC_DIR to a folder with {version}.json or pass --spec PATH"
    )


def _write_atomically(target: Path, body: bytes) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
        with os.fdopen(handle, "wb") as stream:
            stream.write(body)
        os.replace(temporary, target)
    except OSError as error:
        raise UsageError(
            f"cannot write the spec cache {target} ({error.strerror}); "
            "set XDG_CACHE_HOME to a writable folder or SB_SPEC_DIR to a folder with the spec."
        ) from None


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise UsageError(f"spec file {path} does not exist; check the path.") from None
    except IsADirectoryError:
        raise UsageError(f"spec path {path} is a folder; pass the JSON file inside it.") from None
    except OSError as error:
        raise UsageError(f"cannot read spec file {path} ({error.strerror}).") from None


def _parse(body: bytes, source: str) -> LoadedSpec:
    try:
        raw = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise UsageError(
            f"spec {source} is not valid JSON ({error}); pass an SB OpenAPI JSON file."
        ) from None
    if not isinstance(raw, dict):
        raise NotOpenAPIError(
            f"{source} is not an OpenAPI document: it is JSON but not an object; "
            "pass an SB OpenAPI file."
        )
    expected = (("openapi", str), ("paths", dict))
    missing = [key for key, kind in expected if not isinstance(raw.get(key), kind)]
    if missing:
        raise NotOpenAPIError(
            f"{source} is not an OpenAPI document: it has no {' and no '.join(missing)} "
            "key; pass an SB OpenAPI file."
        )
    document, patches = normalise(raw)
    info = raw.get("info")
    version = str(info.get("version") or "unknown") if isinstance(info, dict) else "unknown"
    return LoadedSpec(raw, document, sb_version=version, source=source, patches=patches)
