"""Where a report comes from (provenance), the listing as handed in, and the run history.

All three are written as JSON into the run's evidence folder, so `sb-readiness report` can
rebuild the reviewer's page from the results folder alone.
"""

from __future__ import annotations

import hashlib
import json
import re
import shlex
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sbready import __version__
from sbready.config import ReadinessConfig
from sbready.report.front import logo_data_uri
from sbready.report.i18n import DEFAULT_LANG, Lang, check_lang
from sbready.report.verdict import Verdict

PROVENANCE_FILE = "provenance.json"
LISTING_FILE = "listing.json"
HISTORY_DIR_NAME = "sb-readiness-history"
_SECRET_KEY = re.compile(r"secret|password|token|key", re.I)
_VERSION_TIMEOUT_S = 10.0


class ReportSettings:
    """[report] in readiness.toml: lang, app_version, app_version_command."""

    def __init__(self, lang: Lang = DEFAULT_LANG, app_version: str | None = None,
                 app_version_command: str | None = None) -> None:
        self.lang: Lang = lang
        self.app_version = app_version
        self.app_version_command = app_version_command


def report_settings(config: ReadinessConfig) -> ReportSettings:
    """Parse [report] (a UsageError naming the key for a mistake)."""
    from sbready.errors import UsageError

    raw = dict(getattr(config, "_raw", {}) or {}).get("report") or {}
    if not isinstance(raw, Mapping):
        raise UsageError(f"{config.path}: [report] must be a table, e.g. [report] lang = \"nl\".")
    known = {"lang", "app_version", "app_version_command"}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise UsageError(f"{config.path}: unknown key '{unknown[0]}' in [report]; the keys are "
                         "lang, app_version and app_version_command.")
    for key in known & set(raw):
        if not isinstance(raw[key], str):
            raise UsageError(f"{config.path}: {key} in [report] must be a string, e.g. "
                             f'{key} = "..."')
    lang = check_lang(raw["lang"], f"{config.path}: lang in [report]") if "lang" in raw \
        else DEFAULT_LANG
    return ReportSettings(lang, raw.get("app_version"), raw.get("app_version_command"))


def _scrubbed(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: ("[excluded]" if _SECRET_KEY.search(str(key)) else _scrubbed(item))
                for key, item in sorted(value.items())}
    if isinstance(value, list):
        return [_scrubbed(item) for item in value]
    return value


def config_sha256(config: ReadinessConfig) -> str:
    """SHA-256 of the config as written (placeholders, not their values), secret keys left out."""
    raw = getattr(config, "_raw", {}) or {}
    text = json.dumps(_scrubbed(raw), sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def spec_facts(config: ReadinessConfig) -> tuple[str, str | None]:
    """(SB version, SHA-256 of the spec file) for the config's declared SB version."""
    from sbready.spec.resolve import load_spec

    app = config.app
    try:
        loaded = load_spec(spec=app.spec, sb_version=None if app.spec else app.sb_version)
    except Exception:  # noqa: BLE001 - provenance must never cost the run its report
        return str(app.spec or app.sb_version), None
    path = Path(loaded.source)
    digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
    return loaded.sb_version, digest


def app_version(settings: ReportSettings, cwd: Path, secrets: Sequence[str] = ()) -> str | None:
    """The app's version: given, or the first line `app_version_command` prints (redacted)."""
    if settings.app_version:
        return settings.app_version
    if not settings.app_version_command:
        return None
    try:
        done = subprocess.run(shlex.split(settings.app_version_command), cwd=cwd,
                              capture_output=True, text=True, timeout=_VERSION_TIMEOUT_S)
    except (OSError, ValueError, subprocess.TimeoutExpired) as error:
        return f"(app_version_command failed: {error.__class__.__name__})"
    line = (done.stdout.strip().splitlines() or [""])[0][:120]
    for secret in secrets:
        if secret:
            line = line.replace(secret, "[redacted]")
    return line or f"(app_version_command printed nothing, exit {done.returncode})"


def provenance(config: ReadinessConfig, *, settings: ReportSettings, command: Sequence[str],
               started: float, ended: float, complete: bool) -> dict[str, Any]:
    """Tool and SB version, spec and config hashes, app version, command line, times."""
    sb_version, spec_sha = spec_facts(config)
    secrets = config.secrets()
    line = " ".join(shlex.quote(part) for part in command)
    for secret in secrets:
        if secret:
            line = line.replace(secret, "[redacted]")
    return {
        "tool_version": __version__,
        "sb_version": sb_version,
        "spec_sha256": spec_sha,
        "config_sha256": config_sha256(config),
        "app": config.app.name,
        "app_version": app_version(settings, config.base_dir, secrets),
        "command": line,
        "started": time.strftime("%Y-%m-%d %H:%M:%S %Z", time.localtime(started)),
        "ended": time.strftime("%Y-%m-%d %H:%M:%S %Z", time.localtime(ended)),
        "complete": complete,
    }


def listing_facts(config: ReadinessConfig) -> dict[str, Any]:
    """The listing as handed in, the logo as a data: URI (so the page shows the image)."""
    listing = config.listing
    description = listing.description
    if description is None and listing.description_file is not None:
        try:
            description = listing.description_file.read_text(encoding="utf-8")
        except OSError:
            description = None
    return {
        "name": config.app.name,
        "logo_data_uri": logo_data_uri(listing.logo),
        "summary": listing.summary,
        "description": description,
        "support_url": listing.support_url,
        "onboarding_url": listing.onboarding_url or config.app.onboarding_url,
    }


def command_line() -> list[str]:
    """The exact command the partner typed (program name shortened to sb-readiness)."""
    argv = list(sys.argv)
    if argv and Path(argv[0]).name in ("sb-readiness", "cli.py", "__main__.py"):
        argv[0] = "sb-readiness"
    return argv


def write_json(folder: Path, name: str, value: Any) -> None:
    """Write `value` as `folder/name`."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(json.dumps(value, ensure_ascii=False, indent=1), encoding="utf-8")


def read_json(folder: Path, name: str) -> Any:
    """What `write_json` wrote, or None."""
    try:
        return json.loads((folder / name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def record_history(history_dir: Path, verdict: Verdict, started: float) -> list[dict[str, Any]]:
    """Add this run to `history_dir` and return every run recorded there, oldest first."""
    history_dir.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S", time.localtime(started))
    record = {
        "started": time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(started)),
        "ready": verdict.ready,
        "checks": {r.check_id: r.status for r in verdict.results},
        "not_run": list(verdict.not_run),
    }
    path = history_dir / f"run-{stamp}-{int(started * 1000) % 1000:03d}.json"
    path.write_text(json.dumps(record, indent=1), encoding="utf-8")
    return load_history(history_dir)


def load_history(history_dir: Path) -> list[dict[str, Any]]:
    """Every run record in `history_dir`, oldest first (unreadable files skipped)."""
    runs = []
    for path in sorted(history_dir.glob("run-*.json")):
        try:
            runs.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue
    return runs
