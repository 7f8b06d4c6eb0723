"""readiness.toml: how the harness reaches, starts, syncs and lists the partner's app.

Two kinds of substitution, kept apart:
- `${VAR}` is read from the environment when the file is loaded (a missing VAR is an error).
  Secrets (client_secret, login passwords) must be written this way, never in plain text.
- `{placeholder}` (e.g. `{app_port}`, `{workdir}`) is filled by the harness at run time through
  `ReadinessConfig.with_placeholders`; `{{` and `}}` stand for literal braces. Values that came
  from the environment are never scanned for placeholders.
Relative paths are relative to the folder of the readiness.toml.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sbready.errors import UsageError

PLACEHOLDERS = (
    "app_port",
    "sandbox_url",
    "sandbox_host",
    "afas_base_url",
    "app_token",
    "workdir",
    "python",
    "config_dir",
)
AUTH_KINDS = ("oauth", "apptoken")
LEVELS = ("customer", "admin")
MODES = ("production", "development")

_ENV_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")
# Names that mark a value as secret when it comes from the environment.
_SECRET_NAME = re.compile(r"secret|passw|token|credential|api_?key|private", re.I)


@dataclass(frozen=True)
class StartConfig:
    """[app.start]: the command the harness starts before the run and stops after it."""

    command: str
    env: Mapping[str, str] = field(default_factory=dict, repr=False)
    ready_url: str | None = None
    ready_port: int | None = None  # None until a "{app_port}" template is filled
    timeout: float = 20.0
    ready_port_template: str | None = None  # ready_port as written, e.g. "{app_port}"


@dataclass(frozen=True)
class AppConfig:
    """[app]: the partner app as the App Center registers it."""

    name: str
    onboarding_url: str
    auth: str = "oauth"
    level: str = "customer"
    bundles: tuple[str, ...] = ()
    sb_version: str | None = None
    spec: str | None = None
    redirect_uri: str | None = None
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    mode: str = "production"
    ca_file: Path | None = None
    start: StartConfig | None = None


@dataclass(frozen=True)
class SyncConfig:
    """[sync]: how to make the app sync once (a command, or a URL the harness POSTs to)."""

    command: str | None = None
    url: str | None = None
    timeout: float = 60.0
    status_url: str | None = None  # polled after a 202 answer that has no Location header


@dataclass(frozen=True)
class AppTokenForm:
    """[apptoken].form: a page of the app where the walker fills in the activation token."""

    url: str
    fields: Mapping[str, str] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class AppTokenConfig:
    """[apptoken]: how an app-token app receives its activation token."""

    command: str | None = None
    form: AppTokenForm | None = None


@dataclass(frozen=True)
class LoginStep:
    """[[onboarding.login]]: fill these fields on a page whose URL contains url_contains."""

    url_contains: str
    fields: Mapping[str, str] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class ListingConfig:
    """[listing]: what the partner hands in for the App Center listing (judged, not enforced)."""

    logo: Path | None = None
    support_url: str | None = None
    onboarding_url: str | None = None
    summary: str | None = None
    description: str | None = None
    description_file: Path | None = None


@dataclass(frozen=True)
class Thresholds:
    """[thresholds]: the checklist values marked (cfg)."""

    onboarding_timeout: float = 10.0
    logo_square_tolerance: float = 0.10
    logo_min_px: int = 256
    summary_max_chars: int = 200
    description_min_chars: int = 200
    requests_per_item: int = 10
    unreachable_timeout: float = 15.0  # ERR-10: seconds to report that SB is unreachable


@dataclass(frozen=True)
class ScenarioConfig:
    """[scenario]: what the app's sync is expected to write, and how to give it new work."""

    # API path -> how many records the baseline sync must create there (INT-08); None: not said
    expected_writes: Mapping[str, int] | None = None
    # a command, or an http(s) URL the harness POSTs to, after which the app's next sync has
    # new work (one item to write; one per environment for an Admin Center app)
    new_work: str | None = None


MAX_SCALE = 1_000_000  # sandbox/seed_data.MAX_RECORDS: beyond it the seed needs gigabytes


@dataclass(frozen=True)
class SandboxConfig:
    """[sandbox]: where the SB sandbox listens and how it answers."""

    port: int = 0  # 0: a free port; a fixed one lets an app you start yourself find SB
    dialect: str = "observed"  # "observed" (AFAS's real shapes) or "schema" (strict)
    scale: int | None = None  # a large customer: N organisations (see sandbox/seed_data.py)


@dataclass(frozen=True)
class ReadinessConfig:
    """A validated readiness.toml."""

    path: Path
    app: AppConfig
    sync: SyncConfig | None = None
    apptoken: AppTokenConfig | None = None
    login_steps: tuple[LoginStep, ...] = ()
    browser: str | None = None  # [onboarding] browser: "chromium" walks in a real browser
    listing: ListingConfig = field(default_factory=ListingConfig)
    thresholds: Thresholds = field(default_factory=Thresholds)
    scenario: ScenarioConfig = field(default_factory=ScenarioConfig)
    sandbox: SandboxConfig = field(default_factory=SandboxConfig)
    _secret_values: tuple[str, ...] = field(default=(), repr=False, compare=False)
    _raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)
    _environ: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)

    @property
    def config_dir(self) -> Path:
        """The folder of the readiness.toml (relative paths are relative to it)."""
        return self.path.parent

    @property
    def base_dir(self) -> Path:
        """Same as config_dir: where the app's commands run and relative paths start."""
        return self.path.parent

    @property
    def start(self) -> StartConfig | None:
        """[app.start], if the harness starts the app."""
        return self.app.start

    def secrets(self) -> list[str]:
        """Every secret value this config holds (for the Redactor)."""
        return list(self._secret_values)

    def require_sync(self) -> SyncConfig:
        """The [sync] table, or a UsageError saying how to add it."""
        if self.sync is None:
            raise UsageError(
                f"{self.path}: there is no [sync] table; add [sync] with command = \"...\" "
                "(exit 0 = synced) or url = \"...\" so the harness can make your app sync."
            )
        return self.sync

    def with_placeholders(self, values: Mapping[str, str]) -> ReadinessConfig:
        """A copy with `{name}` placeholders filled from `values` (plus {config_dir})."""
        filled = {"config_dir": str(self.config_dir), **{k: str(v) for k, v in values.items()}}
        return _Builder(self.path, self._raw, self._environ, filled).build()


def load_config(path: str | Path, *, environ: Mapping[str, str] | None = None) -> ReadinessConfig:
    """Read and validate a readiness.toml; every mistake is a UsageError naming file and key."""
    config_path = Path(path).expanduser().resolve()
    try:
        text = config_path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(
            f"{config_path} does not exist; pass the path of your readiness.toml "
            "(see README, 'readiness.toml')."
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"{config_path} cannot be read ({error}); check the file.") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise UsageError(f"{config_path} is not valid TOML: {error}; fix that line.") from None
    env = dict(os.environ if environ is None else environ)
    return _Builder(config_path, raw, env, None).build()


class _Builder:
    """Validates the raw TOML and builds the dataclasses; placeholders filled when given."""

    def __init__(
        self,
        path: Path,
        raw: Mapping[str, Any],
        environ: Mapping[str, str],
        placeholders: Mapping[str, str] | None,
    ) -> None:
        self.path = path
        self.raw = raw
        self.environ = environ
        # None: leave placeholders in place (only {config_dir} is known at load time).
        self.placeholders = placeholders
        self.secret_values: list[str] = []
        self.used_env: dict[str, str] = {}

    # ---- errors -------------------------------------------------------------------------
    def fail(self, message: str) -> UsageError:
        return UsageError(f"{self.path}: {message}")

    def table(self, raw: Any, where: str, known: Sequence[str]) -> Mapping[str, Any]:
        if not isinstance(raw, dict):
            raise self.fail(f"{where} must be a table, e.g. {where} = {{ ... }}.")
        for key in raw:
            if key not in known:
                close = difflib.get_close_matches(key, known, n=1)
                hint = (
                    f"did you mean '{close[0]}'?"
                    if close
                    else f"the known keys are {', '.join(known)}."
                )
                raise self.fail(f"unknown key '{key}' in {where}; {hint}")
        return raw

    def required(self, table: Mapping[str, Any], key: str, where: str, example: str) -> Any:
        if key not in table:
            raise self.fail(f"{key} is missing in {where}; add it, e.g. {key} = {example}.")
        return table[key]

    # ---- strings --------------------------------------------------------------------------
    def string(
        self,
        table: Mapping[str, Any],
        key: str,
        where: str,
        *,
        fill: bool = True,
        secret: bool = False,
        default: str | None = None,
    ) -> str | None:
        if key not in table:
            return default
        value = table[key]
        if not isinstance(value, str):
            raise self.fail(f"{key} in {where} must be a string in quotes, not {value!r}.")
        return self.text(value, f"{key} in {where}", fill=fill, secret=secret or _is_secret(key))

    def text(self, raw: str, where: str, *, fill: bool, secret: bool) -> str:
        """Interpolate ${VAR} and (outside those) fill placeholders."""
        parts: list[str] = []
        position = 0
        for match in _ENV_REFERENCE.finditer(raw):
            literal = raw[position : match.start()]
            parts.append(self.fill(literal, where) if fill else literal)
            name = match.group(1)
            if name not in self.environ:
                raise self.fail(
                    f"the environment variable {name} is not set (it is used for {where}); "
                    f"export {name} before running sb-readiness."
                )
            value = self.environ[name]
            self.used_env[name] = value
            if secret or _SECRET_NAME.search(name):
                self.secret_values.append(value)
            parts.append(value)
            position = match.end()
        tail = raw[position:]
        parts.append(self.fill(tail, where) if fill else tail)
        result = "".join(parts)
        if secret:
            self.secret_values.append(result)
        return result

    def fill(self, literal: str, where: str) -> str:
        def replace(match: re.Match[str]) -> str:
            token = match.group(0)
            if token in ("{{", "}}"):
                return token[0]
            name = match.group(1)
            # {config_dir} is known from the start; the rest only at run time.
            known = self.placeholders or {"config_dir": str(self.path.parent)}
            if name in known:
                if name == "app_token":
                    self.secret_values.append(known[name])
                return known[name]
            if self.placeholders is None and name in PLACEHOLDERS:
                return token  # filled at run time
            names = sorted(known) if self.placeholders is not None else list(PLACEHOLDERS)
            raise self.fail(
                f"unknown placeholder {token} in {where}; the known ones are "
                + ", ".join("{" + n + "}" for n in names)
                + " (write {{ and }} for literal braces)."
            )

        return _PLACEHOLDER.sub(replace, literal)

    def secret_reference(self, table: Mapping[str, Any], key: str, where: str, var: str) -> None:
        value = table.get(key)
        if isinstance(value, str) and not _ENV_REFERENCE.fullmatch(value.strip()):
            raise self.fail(
                f"{key} in {where} is written in plain text; put it in an environment variable "
                f'and write {key} = "${{{var}}}".'
            )

    def path_value(self, table: Mapping[str, Any], key: str, where: str) -> Path | None:
        value = self.string(table, key, where)
        if value is None:
            return None
        if _PLACEHOLDER.search(value):
            return Path(value)  # resolved once its placeholders are filled
        candidate = Path(value).expanduser()
        return candidate if candidate.is_absolute() else (self.path.parent / candidate).resolve()

    def string_map(self, raw: Any, where: str, *, fill: bool = True) -> dict[str, str]:
        if not isinstance(raw, dict):
            raise self.fail(f'{where} must be a table of strings, e.g. {{ NAME = "value" }}.')
        return {str(key): self.string(raw, key, where, fill=fill) or "" for key in raw}

    # ---- numbers and choices -----------------------------------------------------------------
    def number(self, table: Mapping[str, Any], key: str, where: str, default: float) -> float:
        value = table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise self.fail(f"{key} in {where} must be a positive number, e.g. {key} = {default}.")
        return float(value)

    def integer(self, table: Mapping[str, Any], key: str, where: str, default: int) -> int:
        value = table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise self.fail(
                f"{key} in {where} must be a positive whole number, e.g. {key} = {default}."
            )
        return value

    def choice(
        self, table: Mapping[str, Any], key: str, where: str, options: Sequence[str]
    ) -> str:
        value = self.string(table, key, where, fill=False, default=options[0])
        if value is None or value not in options:
            quoted = " or ".join(f"'{o}'" for o in options)
            raise self.fail(f"{key} in {where} must be {quoted}, not {value!r}.")
        return value

    # ---- sections -------------------------------------------------------------------------
    def build(self) -> ReadinessConfig:
        root = self.table(
            self.raw,
            "the file",
            ("app", "sync", "apptoken", "onboarding", "listing", "thresholds", "scenario",
             "sandbox", "live", "report"),  # [live]: sbready/live.py; [report]: report/run_info.py
        )
        if "app" not in root:
            raise self.fail(
                "there is no [app] table; add [app] with name, onboarding_url, bundles and "
                "sb_version (see README, 'readiness.toml')."
            )
        app = self.app(root["app"])
        sync = self.sync(root["sync"]) if "sync" in root else None
        apptoken = self.apptoken(root["apptoken"]) if "apptoken" in root else None
        if app.auth == "apptoken" and apptoken is None:
            raise self.fail(
                "auth = 'apptoken' needs an [apptoken] table; add [apptoken] with "
                "command = \"...\" or form = { url = \"...\", fields = { ... } } "
                "so the token reaches your app."
            )
        login_steps = self.login_steps(root.get("onboarding", {}))
        browser = self.browser(root.get("onboarding", {}))
        listing = self.listing(root.get("listing", {}), app)
        thresholds = self.thresholds(root.get("thresholds", {}))
        scenario = self.scenario(root.get("scenario", {}))
        sandbox = self.sandbox(root.get("sandbox", {}))
        return ReadinessConfig(
            path=self.path,
            app=app,
            sync=sync,
            apptoken=apptoken,
            login_steps=login_steps,
            browser=browser,
            listing=listing,
            thresholds=thresholds,
            scenario=scenario,
            sandbox=sandbox,
            _secret_values=tuple(dict.fromkeys(v for v in self.secret_values if v)),
            _raw=self.raw,
            _environ=dict(self.used_env),
        )

    def app(self, raw: Any) -> AppConfig:
        where = "[app]"
        table = self.table(
            raw,
            where,
            (
                "name", "onboarding_url", "redirect_uri", "auth", "level", "bundles",
                "sb_version", "spec", "client_id", "client_secret", "mode", "ca_file", "start",
            ),
        )
        self.required(table, "name", where, '"My App"')
        self.required(table, "onboarding_url", where, '"https://app.example.nl/Appcenter/AFASSB/"')
        auth = self.choice(table, "auth", where, AUTH_KINDS)
        onboarding_url = self.string(table, "onboarding_url", where) or ""
        if not re.match(r"https?://[^/\s]+", onboarding_url):
            raise self.fail(
                f"onboarding_url in {where} must be an absolute http(s) URL, e.g. "
                f"\"https://app.example.nl/Appcenter/AFASSB/\", not {onboarding_url!r}."
            )
        if auth == "oauth":
            for key, example in (
                ("redirect_uri", '"https://app.example.nl/Appcenter/AFASSB/callback"'),
                ("client_id", '"my-app"'),
                ("client_secret", '"${MY_APP_CLIENT_SECRET}"'),
            ):
                self.required(table, key, f"{where} (auth = 'oauth')", example)
        self.secret_reference(table, "client_secret", where, "MY_APP_CLIENT_SECRET")
        if "sb_version" in table and "spec" in table:
            raise self.fail(f"{where} has both sb_version and spec; keep only one of them.")
        if "sb_version" not in table and "spec" not in table:
            raise self.fail(
                f"{where} needs sb_version = \"6.0.0\" (or \"latest\") or spec = \"PATH|URL\" "
                "to say which SB API version your app uses."
            )
        bundles = self.required(table, "bundles", where, '["Verkoopjournaalpost"]')
        if (
            not isinstance(bundles, list)
            or not bundles
            or not all(isinstance(b, str) and b.strip() for b in bundles)
        ):
            raise self.fail(
                f"bundles in {where} must be a non-empty list of bundle names, "
                'e.g. bundles = ["Verkoopjournaalpost"].'
            )
        spec = self.string(table, "spec", where)
        if spec and not re.match(r"https?://", spec) and not _PLACEHOLDER.search(spec):
            spec_path = Path(spec).expanduser()
            spec = str(spec_path if spec_path.is_absolute() else self.path.parent / spec_path)
        return AppConfig(
            name=self.string(table, "name", where, fill=False) or "",
            onboarding_url=onboarding_url,
            auth=auth,
            level=self.choice(table, "level", where, LEVELS),
            bundles=tuple(bundles),
            sb_version=self.string(table, "sb_version", where, fill=False),
            spec=spec,
            redirect_uri=self.string(table, "redirect_uri", where),
            client_id=self.string(table, "client_id", where, fill=False),
            client_secret=self.string(table, "client_secret", where, fill=False, secret=True),
            mode=self.choice(table, "mode", where, MODES),
            ca_file=self.path_value(table, "ca_file", where),
            start=self.start(table["start"]) if "start" in table else None,
        )

    def start(self, raw: Any) -> StartConfig:
        where = "[app.start]"
        table = self.table(raw, where, ("command", "env", "ready_url", "ready_port", "timeout"))
        self.required(table, "command", where, '"python -m myapp serve --port {app_port}"')
        if "ready_url" in table and "ready_port" in table:
            raise self.fail(f"{where} has both ready_url and ready_port; keep only one of them.")
        template: str | None = None
        ready_port: int | None = None
        if "ready_port" in table:
            port = table["ready_port"]
            if isinstance(port, bool) or not isinstance(port, int | str):
                raise self.fail(f'ready_port in {where} must be a port number or "{{app_port}}".')
            template = (
                str(port) if isinstance(port, int) else self.string(table, "ready_port", where)
            )
            if template is not None and not _PLACEHOLDER.search(template):
                if not template.isdigit() or not 0 < int(template) < 65536:
                    raise self.fail(
                        f"ready_port in {where} must be a port number (1-65535) or "
                        f'"{{app_port}}", not {template!r}.'
                    )
                ready_port = int(template)
        return StartConfig(
            command=self.string(table, "command", where) or "",
            env=self.string_map(table.get("env", {}), f"env in {where}"),
            ready_url=self.string(table, "ready_url", where),
            ready_port=ready_port,
            timeout=self.number(table, "timeout", where, 20.0),
            ready_port_template=template,
        )

    def sync(self, raw: Any) -> SyncConfig:
        where = "[sync]"
        table = self.table(raw, where, ("command", "url", "timeout", "status_url"))
        if ("command" in table) == ("url" in table):
            raise self.fail(
                f"{where} needs exactly one of command = \"...\" (exit 0 = synced) or "
                "url = \"...\" (POST, 2xx = synced)."
            )
        if "status_url" in table and "url" not in table:
            raise self.fail(f"status_url in {where} goes with url = \"...\" (an HTTP sync "
                            "answering 202); remove it or use url instead of command.")
        return SyncConfig(
            command=self.string(table, "command", where),
            url=self.string(table, "url", where),
            timeout=self.number(table, "timeout", where, 60.0),
            status_url=self.string(table, "status_url", where),
        )

    def apptoken(self, raw: Any) -> AppTokenConfig:
        where = "[apptoken]"
        table = self.table(raw, where, ("command", "form"))
        if ("command" in table) == ("form" in table):
            raise self.fail(
                f"{where} needs exactly one of command = \"...\" or "
                "form = { url = \"...\", fields = { ... } }."
            )
        form = None
        if "form" in table:
            form_where = "form in [apptoken]"
            form_table = self.table(table["form"], form_where, ("url", "fields"))
            self.required(form_table, "url", form_where, '"https://app.example.nl/apptoken"')
            fields = self.required(form_table, "fields", form_where, '{ token = "{app_token}" }')
            form = AppTokenForm(
                url=self.string(form_table, "url", form_where) or "",
                fields=self.string_map(fields, f"fields of {form_where}"),
            )
        return AppTokenConfig(command=self.string(table, "command", where), form=form)

    def login_steps(self, raw: Any) -> tuple[LoginStep, ...]:
        table = self.table(raw, "[onboarding]", ("login", "browser"))
        steps = table.get("login", [])
        if not isinstance(steps, list):
            raise self.fail("onboarding.login must be written as [[onboarding.login]] tables.")
        result = []
        for number, step in enumerate(steps, start=1):
            where = f"[[onboarding.login]] #{number}"
            step_table = self.table(step, where, ("url_contains", "fields"))
            self.required(step_table, "url_contains", where, '"/login"')
            fields = self.required(step_table, "fields", where, '{ username = "..." }')
            if isinstance(fields, dict):
                for key in fields:
                    if _is_password(key):
                        self.secret_reference(
                            fields, key, f"the fields of {where}", "MY_APP_PASSWORD"
                        )
            result.append(
                LoginStep(
                    url_contains=self.string(step_table, "url_contains", where) or "",
                    fields=self.string_map(fields, f"fields of {where}"),
                )
            )
        return tuple(result)

    def browser(self, raw: Any) -> str | None:
        table = self.table(raw, "[onboarding]", ("login", "browser"))
        value = self.string(table, "browser", "[onboarding]")
        if value is not None and value not in ("chromium",):
            raise self.fail(f"browser in [onboarding] must be \"chromium\" (or left out for the "
                            f"walker without JavaScript), not {value!r}.")
        return value

    def listing(self, raw: Any, app: AppConfig) -> ListingConfig:
        where = "[listing]"
        table = self.table(
            raw,
            where,
            ("logo", "support_url", "onboarding_url", "summary", "description", "description_file"),
        )
        if "description" in table and "description_file" in table:
            raise self.fail(f"{where} has both description and description_file; keep one.")
        description = self.string(table, "description", where, fill=False)
        description_file = self.path_value(table, "description_file", where)
        if description_file is not None and not _PLACEHOLDER.search(str(description_file)):
            try:
                description = description_file.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as error:
                raise self.fail(
                    f"description_file in {where} cannot be read ({error}); "
                    "fix the path (relative paths start at the readiness.toml's folder)."
                ) from None
        return ListingConfig(
            logo=self.path_value(table, "logo", where),
            support_url=self.string(table, "support_url", where),
            onboarding_url=self.string(table, "onboarding_url", where, default=app.onboarding_url),
            summary=self.string(table, "summary", where, fill=False),
            description=description,
            description_file=description_file,
        )

    def thresholds(self, raw: Any) -> Thresholds:
        where = "[thresholds]"
        defaults = Thresholds()
        table = self.table(raw, where, tuple(Thresholds.__dataclass_fields__))
        return Thresholds(
            onboarding_timeout=self.number(
                table, "onboarding_timeout", where, defaults.onboarding_timeout
            ),
            logo_square_tolerance=self.number(
                table, "logo_square_tolerance", where, defaults.logo_square_tolerance
            ),
            logo_min_px=self.integer(table, "logo_min_px", where, defaults.logo_min_px),
            summary_max_chars=self.integer(
                table, "summary_max_chars", where, defaults.summary_max_chars
            ),
            description_min_chars=self.integer(
                table, "description_min_chars", where, defaults.description_min_chars
            ),
            requests_per_item=self.integer(
                table, "requests_per_item", where, defaults.requests_per_item
            ),
            unreachable_timeout=self.number(
                table, "unreachable_timeout", where, defaults.unreachable_timeout
            ),
        )

    def scenario(self, raw: Any) -> ScenarioConfig:
        where = "[scenario]"
        table = self.table(raw, where, ("expected_writes", "new_work"))
        expected = table.get("expected_writes", {})
        example = '{ "/api/salesjournalentry" = 3 }'
        if not isinstance(expected, dict):
            raise self.fail(f"expected_writes in {where} must be a table, e.g. "
                            f"expected_writes = {example}.")
        for api_path, count in expected.items():
            if not api_path.startswith("/api/"):
                raise self.fail(f"expected_writes in {where} names {api_path!r}; use the API "
                                f"path as in the spec, e.g. expected_writes = {example}.")
            if isinstance(count, bool) or not isinstance(count, int) or count < 0:
                raise self.fail(f"expected_writes in {where}: the count for {api_path} must be "
                                f"a whole number >= 0, e.g. expected_writes = {example}.")
        new_work = self.string(table, "new_work", where)
        if new_work is not None and not new_work.strip():
            raise self.fail(f"new_work in {where} is empty; give a command (exit 0 = done) or "
                            "a URL the harness POSTs to (2xx = done), e.g. new_work = "
                            '"https://127.0.0.1:{app_port}/test/new-invoice".')
        return ScenarioConfig(
            expected_writes=dict(expected) if "expected_writes" in table else None,
            new_work=new_work,
        )


    def sandbox(self, raw: Any) -> SandboxConfig:
        where = "[sandbox]"
        table = self.table(raw, where, ("port", "dialect", "scale"))
        port = table.get("port", 0)
        if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
            raise self.fail(f"port in {where} must be a TCP port number (0 picks a free one), "
                            "e.g. port = 8600.")
        dialect = self.choice(table, "dialect", where, ("observed", "schema"))
        scale = table.get("scale")
        if scale is not None and (isinstance(scale, bool) or not isinstance(scale, int)
                                  or not 0 < scale <= MAX_SCALE):
            raise self.fail(f"scale in {where} must be a number of records from 1 to "
                            f"{MAX_SCALE:,}, e.g. scale = 50000 (or leave it out).")
        return SandboxConfig(port=port, dialect=dialect, scale=scale)


def is_http_url(hook: str) -> bool:
    """True when a hook ([sync] url, [scenario] new_work) is an http(s) URL, not a command."""
    return hook.strip().lower().startswith(("http://", "https://"))


def _is_password(key: str) -> bool:
    return bool(re.search(r"passw|secret", key, re.I))


def _is_secret(key: str) -> bool:
    return bool(_SECRET_NAME.search(key))


def toml_string(value: str) -> str:
    """A TOML basic string (escapes backslashes and quotes, e.g. in Windows paths)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def placeholder_names(text: str) -> list[str]:
    """The `{placeholder}` names used in a string (ignoring `${VAR}` and `{{`/`}}`)."""
    stripped = _ENV_REFERENCE.sub("", text)
    return [m.group(1) for m in _PLACEHOLDER.finditer(stripped) if m.group(1) is not None]

