"""The self-test table: which flawed variant of which good app each check must catch.

A row (`Catch`) is a check ID, an app, the flaw switches (or a config edit) that make the app
wrong, and the phrases the check's finding must contain. tests/test_selftest_table.py runs
every row and proves the table covers checks/catalog.py: every check has a catching row for
each kind of app it applies to (OAuth, app token), on at least two independently written
apps where two of them apply. Good apps passing every check are proven by their own runs
(tests/test_selftests*.py, tests/test_reference_*.py).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from checks.catalog import CHECKS
from sbready.report.verdict import read_results
from sbready.runner import execute
from tests.selftest import VariantRun, run_variant

REPO = Path(__file__).resolve().parents[1]

Edit = Callable[[str, Path], str]  # (readiness.toml text, the row's folder) -> new text
Runner = Callable[[Path, Sequence[str], Sequence[str], "Edit | None"], VariantRun]

# checks that only apply to some kinds of app (the suites skip them elsewhere, saying why)
OAUTH_ONLY = frozenset({"ONB-06", "ONB-07", "ONB-08", "ONB-09", "ONB-12", "ONB-13"})
TOKEN_OR_ADMIN = frozenset({"ONB-11"})  # app tokens, and Admin Center apps of either auth


@dataclass(frozen=True)
class App:
    """A good partner app the table varies, and how to run it with flaws switched on."""

    name: str  # the row's app, e.g. "demo-apptoken"
    codebase: str  # the app's own code: rows on two codebases prove a check twice
    auth: str  # "oauth" | "apptoken"
    level: str  # "customer" | "admin"
    run: Runner
    flaws: frozenset[str]  # the flaw switches the app knows

    def applies(self, check_id: str) -> bool:
        """Whether `check_id` judges this kind of app at all."""
        if check_id in OAUTH_ONLY:
            return self.auth == "oauth"
        if check_id in TOKEN_OR_ADMIN:
            return self.auth == "apptoken" or self.level == "admin"
        return True


@dataclass(frozen=True)
class Catch:
    """One row: `check_id` fails for `app` with `flaws` on (or `edit` applied), naming
    every phrase (a `{port}` in a phrase stands for the app's port in that run)."""

    check_id: str
    app: str
    phrases: tuple[str, ...]
    flaws: tuple[str, ...] = ()
    edit: Edit | None = None
    what: str = ""  # names a config edit in the test id
    # rows of one app with the same `together` share one harness run (their flaws and edits
    # combined): only for flaws that cannot mask each other; each row still names its phrases
    together: str = ""

    @property
    def id(self) -> str:
        """The pytest id: check, app, variant."""
        return f"{self.check_id}-{self.app}-{self.what or '+'.join(self.flaws)}"

    @property
    def run_key(self) -> str:
        """Rows with the same key are judged from one harness run."""
        return f"{self.app}:{self.together}" if self.together else self.id


# ---- the demo partner app, in its four kinds ---------------------------------------------------


def _demo(auth: str, level: str) -> Runner:
    def run(folder: Path, flaws: Sequence[str], only: Sequence[str],
            edit: Edit | None) -> VariantRun:
        change = (lambda text: edit(text, folder)) if edit is not None else None
        return run_variant(folder, flaws=flaws, only=only, edit_config=change, auth=auth,
                           level=level)
    return run


def _demo_flaws() -> frozenset[str]:
    from examples.demo_partner.flaws import FLAWS

    return frozenset(FLAWS)


# ---- reference apps: their own readiness.toml, flaws switched on through the environment -----


def reference_runner(config: Path, *, flaw_variable: str,
                     secrets_for: Callable[[], dict[str, str]]) -> Runner:
    """Run a reference app's own readiness.toml with `flaw_variable` naming the flaws on
    (the harness passes its environment to the app's processes)."""
    def run(folder: Path, flaws: Sequence[str], only: Sequence[str],
            edit: Edit | None) -> VariantRun:
        workdir = folder / "work"
        workdir.mkdir(parents=True, exist_ok=True)
        environ = {**os.environ, **secrets_for(), flaw_variable: ",".join(flaws)}
        path = config
        if edit is not None:
            path = config.parent / f".selftest-{folder.name}-{secrets.token_hex(4)}.toml"
            path.write_text(edit(config.read_text("utf-8"), folder), "utf-8")
        try:
            outcome = execute(path, folder / "reports", only=only, environ=environ,
                              workdir=workdir, html=False)
        finally:
            if path != config:
                path.unlink(missing_ok=True)
        results = read_results(outcome.results_dir)
        return VariantRun({r.check_id: r.status for r in results},
                          {r.check_id: r.message or "" for r in results}, outcome, environ)
    return run


def _apps() -> dict[str, App]:
    demo = _demo_flaws()
    apps = [
        App("demo", "demo_partner", "oauth", "customer", _demo("oauth", "customer"), demo),
        App("demo-apptoken", "demo_partner", "apptoken", "customer",
            _demo("apptoken", "customer"), demo),
        App("demo-admin", "demo_partner", "oauth", "admin", _demo("oauth", "admin"), demo),
        App("demo-admin-apptoken", "demo_partner", "apptoken", "admin",
            _demo("apptoken", "admin"), demo),
    ]
    apps += _reference_apps()
    return {app.name: app for app in apps}


def _reference_apps() -> list[App]:
    """The reference apps that declare flaws (examples/<app>/flaws.py), with their runners."""
    from tests import selftest_reference

    return list(selftest_reference.APPS)


# ---- config edits ---------------------------------------------------------------------------


def listing_value(key: str, value: str) -> Edit:
    """[listing] `key` becomes `value` (a TOML value), whatever was there."""
    replaced = ("description", "description_file") if key == "description" else (key,)

    def edit(text: str, folder: Path) -> str:
        head, marker, listing = text.partition("\n[listing]\n")
        assert marker, "the config has no [listing] section"
        rest, more, tail = listing.partition("\n[")
        kept = [line for line in rest.splitlines() if line.split("=")[0].strip() not in replaced]
        listing_text = "\n".join(kept + [f"{key} = {value.format(folder=folder)}"]) + "\n"
        return head + marker + listing_text + (more.lstrip("\n") + tail if more else "")

    return edit


def generated_logo(width: int, height: int) -> Edit:
    """[listing] logo becomes a fresh PNG of `width` x `height` px."""
    def edit(text: str, folder: Path) -> str:
        from PIL import Image

        path = folder / f"logo-{width}x{height}.png"
        Image.new("RGB", (width, height), "navy").save(path)
        return listing_value("logo", f'"{path}"')(text, folder)

    return edit


def replaced(old: str, new: str) -> Edit:
    """One exact piece of the config replaced (it must be there exactly once)."""
    def edit(text: str, folder: Path) -> str:
        assert text.count(old) == 1, f"the config does not contain {old!r} exactly once"
        return text.replace(old, new)

    return edit


def threshold(key: str, value: str) -> Edit:
    """[thresholds] `key` = `value` (the table is added when the config has none)."""
    def edit(text: str, folder: Path) -> str:
        lines = [line for line in text.splitlines() if line.split("=")[0].strip() != key]
        text = "\n".join(lines) + "\n"
        if "\n[thresholds]\n" in text:
            return text.replace("\n[thresholds]\n", f"\n[thresholds]\n{key} = {value}\n", 1)
        return text + f"\n[thresholds]\n{key} = {value}\n"

    return edit


# ---- the demo's rows --------------------------------------------------------------------------

_ONB14_PAGE = "https://127.0.0.1:{port}/Appcenter/AFASSB/"

DEMO_CATCHES: list[Catch] = [
    # listing data is the partner's config
    Catch("LST-01", "demo", ("does-not-exist.png", "does not exist"), what="missing logo",
          together="listing-a",
          edit=listing_value("logo", '"does-not-exist.png"')),
    Catch("LST-01", "demo", ("1200x300 px is not square",), what="wide banner",
          together="listing-b",
          edit=generated_logo(1200, 300)),
    Catch("LST-01", "demo", ("64x64 px is smaller than 256x256 px",), what="tiny logo",
          edit=generated_logo(64, 64)),
    Catch("LST-02", "demo", ("/support is not https",), what="http support URL",
          together="listing-a",
          edit=listing_value("support_url", '"http://127.0.0.1:{{app_port}}/support"')),
    Catch("LST-02", "demo", ("/no-such-page answered 404",), what="404 support URL",
          together="listing-b",
          edit=listing_value("support_url", '"https://127.0.0.1:{{app_port}}/no-such-page"')),
    Catch("LST-03", "demo", ("The listing has no summary",), what="empty summary",
          together="listing-a",
          edit=listing_value("summary", '""')),
    Catch("LST-03", "demo", ("at most 200 fit the App Center tile",), what="long summary",
          together="listing-b",
          edit=listing_value("summary", '"' + "Boekhouden " * 30 + '"')),
    Catch("LST-04", "demo", ("placeholder text", "contains 'lorem ipsum'"),
          what="placeholder description", together="listing-a",
          edit=listing_value("description", '"Lorem ipsum dolor sit amet. ' + "x" * 250 + '"')),
    Catch("LST-04", "demo", ("at least 200",), what="short description", together="listing-b",
          edit=listing_value("description", '"Koppeling met SB."')),
    Catch("LST-05", "demo", ("is not an absolute URL",), what="relative onboarding URL",
          together="listing-a",
          edit=listing_value("onboarding_url", '"/Appcenter/AFASSB/"')),
    # onboarding
    Catch("ONB-01", "demo", ("no answer within 0.5 s",), flaws=("slow_landing",),
          edit=threshold("onboarding_timeout", "0.5"), what="slow landing page"),
    Catch("ONB-01", "demo", ("is not https",), what="http onboarding URL in production",
          edit=replaced('onboarding_url = "https://', 'onboarding_url = "http://')),
    Catch("ONB-02", "demo", ("instead of the afasBaseUrl it was given",
                             "app-center-demo.afasfocus.nl"), flaws=("hardcoded_host",)),
    Catch("ONB-02", "demo-apptoken", ("did not accept the activation token",
                                      "the app-token command exited with code 3"),
          flaws=("apptoken_form_body",)),
    Catch("ONB-03", "demo", ("-> 404",), flaws=("prospect_error",)),
    Catch("ONB-03", "demo-admin", ("/admin (no account yet)", "an error page for a prospect"),
          flaws=("prospect_error",)),
    Catch("ONB-04", "demo", ("shows a stack trace",), flaws=("traceback_on_bad_base_url",)),
    Catch("ONB-05", "demo", ("sent the browser to http://127.0.0.",), flaws=("any_host",)),
    Catch("ONB-06", "demo", ("code_challenge_method is 'plain'; AFAS requires S256",),
          flaws=("plain_pkce",)),
    Catch("ONB-06", "demo", ("the state is reused across", "at least 128 are needed"),
          flaws=("constant_state",)),
    Catch("ONB-06", "demo", ("no state parameter",), flaws=("no_state",)),
    Catch("ONB-06", "demo", ("/callback/extra", "exact match required"),
          flaws=("wrong_redirect_uri",)),
    Catch("ONB-07", "demo", ("AFAS expects application/x-www-form-urlencoded",),
          flaws=("json_token_request",)),
    Catch("ONB-07", "demo", ("missing code_verifier",), flaws=("no_verifier",)),
    Catch("ONB-07", "demo", ("code_verifier does not match the code_challenge",),
          flaws=("verifier_mismatch",)),
    Catch("ONB-08", "demo", ("wrong state: the app still exchanged the code",
                             "missing state: the app still exchanged the code"),
          flaws=("no_state_check",)),
    Catch("ONB-09", "demo", ("callback?error=access_denied",), flaws=("crash_on_denied",)),
    Catch("ONB-10", "demo", ("a secret in the request URL",), flaws=("secret_in_url",)),
    Catch("ONB-11", "demo-apptoken", ("application/x-www-form-urlencoded",),
          flaws=("apptoken_form_body",)),
    Catch("ONB-11", "demo-admin", ("reuses the token issued for admin",),
          flaws=("shared_admin_token",)),
    Catch("ONB-11", "demo-admin-apptoken", ("reuses the token issued for admin",),
          flaws=("shared_admin_token",)),
    Catch("ONB-11", "demo-admin-apptoken", ('AFAS expects JSON {"apptoken": "..."}',),
          flaws=("apptoken_form_body",)),
    Catch("ONB-12", "demo", ("the sync after the new consent failed",),
          flaws=("reuse_dead_refresh",)),
    Catch("ONB-13", "demo", ("callback/extra",), flaws=("wrong_redirect_uri",)),
    Catch("ONB-13", "demo", ("is not https",), what="http redirect_uri in production",
          edit=replaced('redirect_uri = "https://', 'redirect_uri = "http://')),
    # ONB-14, one flaw per item; each finding names the page and the header or cookie
    Catch("ONB-14", "demo", (f"the onboarding page {_ONB14_PAGE} sends no "
                             "Strict-Transport-Security header",), flaws=("no_hsts",)),
    Catch("ONB-14", "demo", ("cookie demo_partner_session (set by POST "
                             "https://127.0.0.1:{port}/login) has no Secure flag",),
          flaws=("insecure_cookie",), together="headers"),
    Catch("ONB-14", "demo", (f"the callback {_ONB14_PAGE}callback loads "
                             "https://stats.tracker.example/pixel.gif from another host",),
          flaws=("callback_tracker",), together="headers"),
    Catch("ONB-14", "demo", (f"the callback {_ONB14_PAGE}callback sends no Referrer-Policy "
                             "header",), flaws=("no_referrer_policy",), together="headers"),
    Catch("ONB-14", "demo", (f"the onboarding page {_ONB14_PAGE} can be framed by any site",),
          flaws=("frameable_login",), together="headers"),
    # integration
    Catch("INT-01", "demo", ("GET /api/journalentry does not exist in SB 6.0.0",),
          flaws=("unknown_endpoint",)),
    Catch("INT-02", "demo", ("Accept-Version '1', but post_salesjournalentry_2.0_create needs "
                             "Accept-Version: 2",), flaws=("wrong_accept_version",)),
    Catch("INT-02", "demo", ("Accept-Version None, but get_administrations_1.0 needs "
                             "Accept-Version: 1",), flaws=("no_accept_version",)),
    Catch("INT-03", "demo", ("'RelationType' is a required property", "is not a 'date'"),
          flaws=("invalid_body",)),
    Catch("INT-04", "demo", ("AdministrationId ==", "filter"), flaws=("malformed_filter",)),
    Catch("INT-05", "demo", ("/api/products", "get_products_3.0", "Verkoopjournaalpost"),
          flaws=("outside_grant",)),
    Catch("INT-06", "demo", ("read 100 of 1",), flaws=("first_page_only",)),
    Catch("INT-06", "demo", ("without sortField",), flaws=("no_sort",)),
    Catch("INT-07", "demo", ("no TrackingToken", "/api/organisations"), flaws=("full_reread",)),
    Catch("INT-08", "demo", ("was sent 2 times as a new request", "already exists"),
          flaws=("double_post",)),
    Catch("INT-09", "demo", ("issing rights on a needed endpoint", "403"),
          what="bundles without the needed operations",
          edit=replaced('bundles = ["Verkoopjournaalpost"]', 'bundles = ["Relaties"]')),
    Catch("INT-10", "demo", ("per item", "GET /api/ledgeraccounts"), flaws=("request_storm",)),
    # error handling
    Catch("ERR-01", "demo", ("the app did not refresh its access token",),
          flaws=("no_refresh_on_401",)),
    Catch("ERR-02", "demo", ("refresh attempts",), flaws=("refresh_loop",)),
    Catch("ERR-03", "demo", ("requests got 403",), flaws=("hammer_403",)),
    Catch("ERR-04", "demo", ("identical payload was sent again",), flaws=("resend_on_400",)),
    Catch("ERR-05", "demo", ("but the sync reported success",), flaws=("ignore_result",)),
    # SB's Failed made the entry anyway; the app sends it again as a new request
    Catch("ERR-05", "demo", ("which SB had made", "(Failed; id ",
                             "with another Tracking-Identifier", "already exists"),
          flaws=("resend_failed_new_id",)),
    Catch("ERR-06", "demo", ("after the 503",), flaws=("no_backoff",)),
    Catch("ERR-07", "demo", ("Retry-After: 1",), flaws=("ignore_retry_after",)),
    Catch("ERR-08", "demo", ("another Tracking-Identifier",), flaws=("new_tracking_id_on_retry",)),
    Catch("ERR-09", "demo", ("crashed", "sparse records"), flaws=("fragile_parsing",)),
    # ERR-10 waits 4 x unreachable_timeout for a report: a short threshold keeps it short
    Catch("ERR-10", "demo", ("had not reported", "stayed open"), flaws=("no_timeout",),
          edit=threshold("unreachable_timeout", "3")),
]


def combined(rows: Sequence[Catch]) -> tuple[tuple[str, ...], tuple[str, ...], Edit | None]:
    """The flaws, check IDs and config edit of one shared run of `rows`."""
    flaws = tuple(dict.fromkeys(flaw for row in rows for flaw in row.flaws))
    checks = tuple(dict.fromkeys(row.check_id for row in rows))
    edits = [row.edit for row in rows if row.edit is not None]
    if not edits:
        return flaws, checks, None

    def edit(text: str, folder: Path) -> str:
        for one in edits:
            text = one(text, folder)
        return text

    return flaws, checks, edit


def catches() -> list[Catch]:
    """Every row: the demo's and each reference app's."""
    from tests import selftest_reference

    return DEMO_CATCHES + list(selftest_reference.CATCHES)


APPS: dict[str, App] = {}


def apps() -> dict[str, App]:
    """The apps rows may name (built once)."""
    if not APPS:
        APPS.update(_apps())
    return APPS


def catalog_ids() -> list[str]:
    """Every check ID of the catalog, in its order."""
    return list(CHECKS)
