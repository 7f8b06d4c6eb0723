"""The browser walker: the onboarding in a real headless Chromium, driven by Playwright.

For single-page apps whose login form is built by script and posted with fetch(). It walks
like `OnboardingWalker` and returns the same `WalkResult`, plus every request the pages
made. Every request passes through one route handler, which is the allowed-hosts guard: it
fetches the request itself without following redirects, so a redirect to another host is
recorded and never requested (ONB-05's decoy sees nothing). A document redirect becomes a
fresh navigation, so the next hop passes the guard too. Every browser wait has a bound.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import ssl
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from sbready.config import LoginStep
from sbready.driver.onboarding import (
    BODY_CHARS,
    EXCERPT_CHARS,
    REDIRECT_STATUSES,
    CallbackState,
    Consent,
    Hop,
    OnboardingWalker,
    WalkResult,
    _is_text,
    _Walk,
    host_port,
    read_page,
    with_query,
)
from sbready.driver.page_headers import kept_headers
from sbready.errors import UsageError
from sbready.secrets import Redactor

BROWSERS = ("chromium",)
# Without the background-networking flags Chromium dials out (updates, sync) on its own.
CHROMIUM_ARGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
)
SYSTEM_CHROMIUM = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
QUIET_S = 0.1  # a page has settled when nothing moved for this long
# how long a page may take to render a login form by script after it settled
FORM_PATIENCE_S = 2.0
SUBMIT_SELECTOR = (
    "button[type=submit], button:not([type]), input[type=submit], input[type=image]"
)
# receives each page's screenshot: its name and the PNG
Screenshot = Callable[[str, bytes], None]


def find_chromium() -> tuple[str | None, str]:
    """(executable or None for Playwright's own download, where it came from).

    The machine's Chromium (Debian's `chromium` package) first, then a browser Playwright
    downloaded; a UsageError saying what to install when there is neither.
    """
    for name in SYSTEM_CHROMIUM:
        found = shutil.which(name)
        if found:
            return found, f"the machine's Chromium ({found})"
    cache = Path(os.environ.get("PLAYWRIGHT_BROWSERS_PATH") or Path.home() / ".cache/ms-playwright")
    if any(cache.glob("chromium*")):
        return None, f"Playwright's own Chromium ({cache})"
    raise UsageError(
        "browser = \"chromium\" needs Chromium, and none was found; install it with "
        "`apt-get install chromium` (Debian/Ubuntu; scripts/install.sh does this as root) or "
        "`.venv/bin/playwright install chromium`."
    )


def verify_tls(url: str, ca_file: Path | None, timeout: float) -> str | None:
    """None when `url`'s server shows a certificate the harness trusts (the system CAs plus
    `ca_file`) for its host; else one sentence saying why not. http URLs are not checked."""
    parts = urlsplit(url)
    if parts.scheme != "https":
        return None
    context = ssl.create_default_context()
    if ca_file is not None:
        context.load_verify_locations(cafile=str(ca_file))
    host = parts.hostname or ""
    try:
        with socket.create_connection((host, parts.port or 443), timeout=timeout) as raw:
            with context.wrap_socket(raw, server_hostname=host):
                return None
    except ssl.SSLCertVerificationError as error:
        return f"the TLS certificate of {host_port(url)} is not valid: {error.verify_message}"
    except (OSError, ssl.SSLError) as error:
        return f"no TLS connection to {host_port(url)}: {type(error).__name__}: {error}"


class BrowserWalker(OnboardingWalker):
    """Walks an onboarding flow in headless Chromium, within the allowed hosts only.

    One browser serves many walks (a fresh context each: no cookie survives a walk);
    `close()` ends it. Not thread-safe: Playwright's sync API stays on the thread that
    started it.
    """

    def __init__(
        self,
        *,
        allowed_hosts: set[str],
        login_steps: Sequence[LoginStep],
        ca_file: Path | None,
        timeout: float = 10.0,
        max_hops: int = 30,
        redactor: Redactor,
        screenshot: Screenshot | None = None,
    ) -> None:
        super().__init__(allowed_hosts=allowed_hosts, login_steps=login_steps, ca_file=ca_file,
                         timeout=timeout, max_hops=max_hops, redactor=redactor)
        self.screenshot = screenshot
        self.source = ""
        self._playwright: Any = None
        self._browser: Any = None
        self._trusted: dict[str, str | None] = {}  # host:port -> TLS problem (None: fine)

    # ---- the browser's life -------------------------------------------------------------
    def _ensure_browser(self) -> Any:
        if self._browser is not None:
            return self._browser
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            raise UsageError("browser = \"chromium\" needs Playwright for Python; install it "
                             "with `.venv/bin/pip install playwright`.") from None
        executable, self.source = find_chromium()
        self._playwright = sync_playwright().start()
        try:
            # launch() starts with a fresh, temporary profile of its own every time
            self._browser = self._playwright.chromium.launch(
                executable_path=executable, headless=True, timeout=self.timeout * 3000,
                args=list(CHROMIUM_ARGS),
            )
        except Exception as error:
            self.close()
            raise UsageError(f"Chromium did not start ({self.source}): "
                             f"{str(error).splitlines()[0]}; install Debian's chromium "
                             "package or run `.venv/bin/playwright install chromium`.") from None
        return self._browser

    def close(self) -> None:
        """End the browser (idempotent)."""
        browser, playwright = self._browser, self._playwright
        self._browser = self._playwright = None
        for end in (getattr(browser, "close", None), getattr(playwright, "stop", None)):
            if end is not None:
                try:
                    end()
                except Exception:  # noqa: BLE001 - closing a dead browser is not a finding
                    pass

    def tls_problem(self, url: str) -> str | None:
        """The TLS problem of `url`'s host (checked once per host), or None."""
        host = host_port(url)
        if host not in self._trusted:
            self._trusted[host] = verify_tls(url, self.ca_file, self.timeout)
        return self._trusted[host]

    # ---- one walk -----------------------------------------------------------------------
    def walk(
        self,
        onboarding_url: str,
        afas_base_url: str | None,
        *,
        consent: Consent = "allow",
        callback_state: CallbackState = "keep",
        stop_before_callback: bool = False,
        extra_query: Mapping[str, str] | None = None,
        raw_query: str | None = None,
        redirect_uri: str | None = None,
        extra_login_steps: Sequence[LoginStep] = (),
    ) -> WalkResult:
        """Open onboarding_url?afasBaseUrl=... in Chromium and follow the flow to its final
        page; the same arguments and result as `OnboardingWalker.walk`."""
        pairs: list[tuple[str, str]] = []
        if afas_base_url is not None and raw_query is None:
            pairs.append(("afasBaseUrl", afas_base_url))
        pairs.extend((extra_query or {}).items())
        start = with_query(onboarding_url, pairs) if raw_query is None else with_query(
            with_query(onboarding_url, list((extra_query or {}).items())), None, raw_query
        )
        walk = _BrowserWalk(
            self,
            sandbox_host=host_port(afas_base_url) if afas_base_url and "://" in afas_base_url
            else None,
            consent=consent, callback_state=callback_state,
            stop_before_callback=stop_before_callback, redirect_uri=redirect_uri,
            login_steps=(*self.login_steps, *extra_login_steps),
        )
        return walk.run_browser(start)


class _BrowserWalk(_Walk):
    """One walk in a fresh browser context (reuses the script-free walk's recognisers)."""

    walker: BrowserWalker

    def __init__(self, walker: BrowserWalker, **kwargs: Any) -> None:
        super().__init__(walker, **kwargs)
        self.result.walker = "chromium"
        self.deadline = 0.0
        self.done = False  # blocked, stopped before the callback, or failed
        self.busy = 0  # requests the route handler has not answered yet
        self.moved = time.monotonic()
        self.page: Any = None
        self.context: Any = None
        self.shots = 0

    # ---- the walk loop ------------------------------------------------------------------
    def run_browser(self, start_url: str) -> WalkResult:
        started = time.monotonic()
        # the whole walk is bounded too: each page's waits, times the pages a walk may have
        self.deadline = started + self.walker.timeout * 6
        try:
            self._open(start_url)
        finally:
            if self.context is not None:
                try:
                    self.context.close()
                except Exception:  # noqa: BLE001 - a crashed context is already closed
                    pass
            self.result.duration_s = time.monotonic() - started
            _final_page_last(self.result.hops)
        return self.result

    def _open(self, start_url: str) -> None:
        if not self.walker.allows(start_url):
            self.result.blocked_host = host_port(start_url)
            self.result.blocked_url = self.redactor.redact(start_url)
            return
        problem = self.walker.tls_problem(start_url)
        if problem:
            self._fail_hop("GET", start_url, problem)
            return
        browser = self.walker._ensure_browser()
        # the harness checked the certificate itself (verify_tls, with [app] ca_file)
        self.context = browser.new_context(ignore_https_errors=True, service_workers="block",
                                           user_agent="sb-readiness onboarding walker (Chromium)")
        self.context.set_default_timeout(self.walker.timeout * 1000)
        self.context.route("**/*", self._route)
        try:
            self.context.route_web_socket("**/*", self._route_socket)
        except AttributeError:  # older Playwright: no WebSocket routes
            pass
        self.page = self.context.new_page()
        self.page.on("request", lambda _request: self._moved())
        self.page.on("requestfinished", lambda _request: self._moved())
        self.page.on("requestfailed", lambda _request: self._moved())
        try:
            self.page.goto(start_url, wait_until="commit", timeout=self.walker.timeout * 1000)
        except Exception as error:  # noqa: BLE001 - the route handler recorded the hop
            if not self.done and not self.result.hops:
                self._fail_hop("GET", start_url, _first_line(error))
                return
        try:
            self._steps()
        except Exception as error:  # noqa: BLE001 - e.g. the page navigated mid-step
            if not self.result.error:
                self.result.error = self.redactor.redact(
                    f"the browser walk stopped on {self.page.url}: {type(error).__name__}: "
                    f"{_first_line(error)}")

    def _steps(self) -> None:
        used: set[int] = set()
        for _ in range(self.walker.max_hops):
            self._settle()
            if self.done or self.result.error:
                return
            self._photograph()
            url = self.page.url
            host = host_port(url)
            if self._is_authorize(url, host) and not self.result.consent_submitted:
                if not self._give_consent():
                    return
                continue
            if self.result.authorize_url is None and self._login_when_rendered(url, used):
                continue
            if self.result.error:
                return
            if self.result.authorize_url is None and self._follow_link(url, used):
                continue
            return
        self.result.error = (
            f"stopped after {self.walker.max_hops} pages without reaching a final page "
            "(a redirect or form loop?)"
        )

    def _moved(self) -> None:
        self.moved = time.monotonic()

    def _settle(self) -> None:
        """Wait (bounded) until navigations and requests have stopped for QUIET_S."""
        bound = min(self.deadline, time.monotonic() + self.walker.timeout)
        while time.monotonic() < bound:
            try:
                self.page.wait_for_timeout(50)  # lets Playwright deliver events and routes
            except Exception:  # noqa: BLE001 - a closed page has settled
                return
            if self.busy == 0 and time.monotonic() - self.moved >= QUIET_S:
                try:
                    self.page.wait_for_load_state("load", timeout=max(
                        1.0, (bound - time.monotonic()) * 1000))
                except Exception:  # noqa: BLE001 - the bound below reports it
                    break
                if self.busy == 0 and time.monotonic() - self.moved >= QUIET_S:
                    return
        if time.monotonic() >= self.deadline and not self.result.error:
            self.result.error = (f"the onboarding did not settle within "
                                 f"{self.walker.timeout * 6:g} s in the browser")
        elif not self.result.error and not self.done:
            self.result.error = (f"the page {self.redactor.redact(self.page.url)} kept loading "
                                 f"for {self.walker.timeout:g} s")

    # ---- what the walker does on a page ---------------------------------------------------
    def _give_consent(self) -> bool:
        buttons = self.page.locator("[name=decision]")
        offered = [buttons.nth(i).get_attribute("value") or "" for i in range(buttons.count())]
        if not offered:  # not the consent form: the walk ends here, as without a browser
            return False
        if self.consent not in offered:
            self.result.error = f"the consent page offers decisions {offered}, not {self.consent!r}"
            return False
        self.result.consent_submitted = True
        self.page.locator(f"[name=decision][value={json.dumps(self.consent)}]").first.click()
        return True

    def _field(self, key: str) -> Any:
        """The element a login step's key names: by name, by label, or as a CSS selector."""
        page = self.page
        candidates = [lambda: page.locator(f"[name={json.dumps(key)}]"),
                      lambda: page.get_by_label(key, exact=True),
                      lambda: page.locator(key)]
        for make in candidates:
            try:
                locator = make()
                if locator.count() > 0:
                    return locator.first
            except Exception:  # noqa: BLE001 - not a valid selector: try the next way
                continue
        return None

    def _step_applies(self, step: LoginStep, url: str) -> bool:
        if step.url_contains in url:
            return True
        actions = self.page.eval_on_selector_all(
            "form", "forms => forms.map(f => f.getAttribute('action') || '')")
        if any(step.url_contains in urljoin(url, action) for action in actions if action):
            return True
        # a form built by script often has no action: every field present is enough
        return bool(step.fields) and all(self._field(key) is not None for key in step.fields)

    def _login_when_rendered(self, url: str, used: set[int]) -> bool:
        """A login step on this page; while steps are left, give a script a moment
        (FORM_PATIENCE_S, bounded) to render its form."""
        bound = time.monotonic() + min(self.walker.timeout, FORM_PATIENCE_S)
        while True:
            if self._login(url, used) or self.result.error:
                return not self.result.error
            waiting = any(number not in used and step.fields
                          for number, step in enumerate(self.login_steps))
            if not waiting or time.monotonic() >= bound:
                return False
            self.page.wait_for_timeout(100)

    def _login(self, url: str, used: set[int]) -> bool:
        for number, step in enumerate(self.login_steps):
            if not step.fields or not self._step_applies(step, url):
                continue
            fields = {key: self._field(key) for key in step.fields}
            if any(element is None for element in fields.values()):
                continue
            if number in used:
                self.result.error = (
                    f"the form for {step.url_contains!r} came back after it was submitted "
                    "(wrong login details, or a form the walker cannot fill?)"
                )
                return False
            used.add(number)
            self.result.login_submitted.append(step.url_contains)
            for key, element in fields.items():
                tag = element.evaluate("e => e.tagName.toLowerCase()")
                if tag == "select":
                    element.select_option(step.fields[key])
                else:
                    element.fill(step.fields[key])
            first = next(iter(fields.values()))
            form = first.locator("xpath=ancestor::form[1]")
            scope = form if form.count() else self.page
            submit = scope.locator(SUBMIT_SELECTOR)
            if submit.count():
                submit.first.click()
            else:
                first.press("Enter")
            return True
        return False

    def _follow_link(self, url: str, used: set[int]) -> bool:
        for number, step in enumerate(self.login_steps):
            link_key = -1 - number
            if number in used or link_key in used or step.url_contains in url:
                continue
            link = self.page.locator(f"a[href*={json.dumps(step.url_contains)}]")
            if link.count():
                used.add(link_key)
                link.first.click()
                return True
        return False

    def _photograph(self) -> None:
        """A screenshot of the settled page, unless it shows a secret (then none is taken)."""
        if self.walker.screenshot is None or self.page.url.startswith("about:"):
            return
        try:
            text = self.page.inner_text("body", timeout=self.walker.timeout * 1000)
            values = self.page.eval_on_selector_all(
                "input, textarea", "els => els.filter(e => e.type !== 'password')"
                ".map(e => e.value)")
            title = self.page.title() or self.page.url
        except Exception:  # noqa: BLE001 - a page that went away is not photographed
            return
        shown = "\n".join([text, *values])
        self.shots += 1
        name = f"page {self.shots}: {self.redactor.redact(title)}"
        if self.redactor.contains_secret(shown) or self.redactor.redact(shown) != shown:
            self.result.screenshots.append(f"{name} (not taken: the page shows a secret)")
            return
        try:
            image = self.page.screenshot(timeout=self.walker.timeout * 1000)
        except Exception:  # noqa: BLE001 - no picture is no finding
            return
        self.result.screenshots.append(name)
        self.walker.screenshot(name, image)

    # ---- the guard: every request of the browser passes here -----------------------------
    def _route(self, route: Any) -> None:
        self.busy += 1
        try:
            self._handle(route)
        except Exception as error:  # noqa: BLE001 - a closed context ends the walk
            self._finish(route, abort=True)
            if not self.done and not self.result.error and "closed" not in str(error).lower():
                self.result.error = self.redactor.redact(f"the browser failed: "
                                                         f"{_first_line(error)}")
        finally:
            self.busy -= 1
            self._moved()

    def _handle(self, route: Any) -> None:
        request = route.request
        url = request.url
        kind = request.resource_type
        try:
            frame = request.frame
        except Exception:  # noqa: BLE001 - a worker's request has no frame
            frame = None
        page_url = self.redactor.redact(frame.url) if frame is not None else ""
        navigation = frame is not None and request.is_navigation_request() and (
            frame == self.page.main_frame)
        entry: dict[str, object] = {"method": request.method, "url": self.redactor.redact(url),
                                    "type": kind, "host": host_port(url), "page": page_url}
        self.result.requests.append(entry)
        if self.done:
            entry["blocked"] = "the walk had ended"
            route.abort("blockedbyclient")
            return
        if not self.walker.allows(url):
            entry["blocked"] = "not an allowed host"
            self.result.blocked_requests.append(
                f"{request.method} {self.redactor.redact(url)} ({kind}, from {page_url})")
            if navigation:
                self._block(url)
            route.abort("blockedbyclient")
            return
        problem = self.walker.tls_problem(url)
        if problem:
            entry["blocked"] = problem
            self._fail_hop(request.method, url, problem)
            self.done = True
            route.abort("failed")
            return
        if navigation:
            self._navigate(route, url)
        else:
            self._subresource(route, url, kind, entry)

    def _fetch(self, route: Any, url: str, method: str, first: bool) -> tuple[Any, float]:
        started = time.monotonic()
        timeout = self.walker.timeout * 1000
        if first:
            return route.fetch(max_redirects=0, timeout=timeout), started
        return route.fetch(url=url, method=method, max_redirects=0, timeout=timeout,
                           post_data=None if method == "GET" else route.request.post_data_buffer
                           ), started

    def _navigate(self, route: Any, url: str) -> None:
        """A page: fetched once, recorded; a redirect becomes a new navigation (guarded)."""
        method = route.request.method
        host = host_port(url)
        if self._is_authorize(url, host) and self.result.authorize_url is None:
            self.result.authorize_url = self.redactor.redact(url)
        try:
            response, started = self._fetch(route, url, method, True)
        except Exception as error:  # noqa: BLE001 - timeouts and refusals end the walk
            self._fail_hop(method, url, _first_line(error), submitted=self._posted(route))
            self.done = True
            route.abort("failed")
            return
        self._record(method, url, response, started, submitted=self._posted(route))
        location = response.headers.get("location")
        if response.status in REDIRECT_STATUSES and location:
            next_url = urljoin(url, location)
            self._learn_secrets(next_url)
            if self._is_callback(host, next_url):
                next_url = self._tamper_state(next_url)
                self.result.callback_url = self.redactor.redact(next_url)
                if self.stop_before_callback:
                    self.done = True
                    route.fulfill(status=204)
                    return
            if not self.walker.allows(next_url):
                self._block(next_url)
                route.fulfill(status=200, content_type="text/html",
                              body="<title>blocked</title><p>sb-readiness kept the browser "
                                   "from another host.</p>")
                return
            # a redirect the browser followed by itself would skip this guard
            # (route.fetch stored its cookies in the context already)
            route.fulfill(status=200, content_type="text/html",
                          body=f"<script>location.replace({json.dumps(next_url)})</script>")
            return
        route.fulfill(response=response)

    def _subresource(self, route: Any, url: str, kind: str, entry: dict[str, object]) -> None:
        """fetch/XHR, scripts, images: redirects followed here, each hop guarded."""
        method = route.request.method
        first = True
        for _ in range(10):
            try:
                response, started = self._fetch(route, url, method, first)
            except Exception as error:  # noqa: BLE001 - the page sees a failed request
                entry["error"] = self.redactor.redact(_first_line(error))
                route.abort("failed")
                return
            entry["status"] = response.status
            if kind in ("fetch", "xhr"):
                self._record(method, url, response, started, kind=kind,
                             submitted=self._posted(route) if first else ())
            location = response.headers.get("location")
            if response.status not in REDIRECT_STATUSES or not location:
                route.fulfill(response=response)
                return
            url = urljoin(url, location)
            if not self.walker.allows(url):
                entry["blocked"] = f"redirect to {self.redactor.redact(url)}"
                self.result.blocked_requests.append(
                    f"{method} {self.redactor.redact(url)} ({kind}, a redirect)")
                route.abort("blockedbyclient")
                return
            if response.status not in (307, 308):
                method = "GET"
            first = False
        route.abort("failed")

    def _route_socket(self, socket_route: Any) -> None:
        url = socket_route.url
        allowed = self.walker.allows(url.replace("ws", "http", 1))
        self.result.requests.append({"method": "GET", "url": self.redactor.redact(url),
                                     "type": "websocket", "host": host_port(url)})
        if allowed:
            socket_route.connect_to_server()
            return
        self.result.blocked_requests.append(f"WebSocket {self.redactor.redact(url)}")
        socket_route.close()

    # ---- evidence -----------------------------------------------------------------------
    def _posted(self, route: Any) -> tuple[str, ...]:
        request = route.request
        if request.method != "POST":
            return ()
        try:
            form = request.post_data_json
        except Exception:  # noqa: BLE001 - not form or JSON: names unknown
            return ()
        return tuple(form) if isinstance(form, dict) else ()

    def _record(self, method: str, url: str, response: Any, started: float, *,
                kind: str = "document", submitted: tuple[str, ...] = ()) -> Hop:
        content_type = response.headers.get("content-type")
        try:
            text = response.text() if _is_text(content_type) else ""
        except Exception:  # noqa: BLE001 - a body that cannot be read is recorded empty
            text = ""
        html = "html" in (content_type or "").lower()
        page = read_page(text) if html else None
        location = response.headers.get("location")
        body = self.redactor.redact(text)
        pairs = [(h["name"], h["value"]) for h in response.headers_array]
        hop = Hop(
            method=method, url=self.redactor.redact(url), status=response.status,
            location=self.redactor.redact(location) if location else None,
            content_type=content_type, title=self.redactor.redact(page.title) if page else "",
            excerpt=body[:EXCERPT_CHARS],
            form_fields=tuple(n for form in page.forms for n in form.field_names) if page
            else (),
            duration_ms=round((time.monotonic() - started) * 1000, 1), host=host_port(url),
            submitted=submitted, body=body[:BODY_CHARS],
            exposed=self._exposed(url, location, text),
            headers=tuple((k, self.redactor.redact(v)) for k, v in kept_headers(pairs)),
            kind=kind,
        )
        self.result.hops.append(hop)
        return hop

    def _fail_hop(self, method: str, url: str, why: str,
                  submitted: tuple[str, ...] = ()) -> None:
        self._record_failure(method, url, host_port(url), time.monotonic(), submitted)
        self.result.error = self.redactor.redact(f"{method} {url} failed: {why}")

    def _block(self, url: str) -> None:
        if self.result.blocked_host is None:
            self.result.blocked_host = host_port(url)
            self.result.blocked_url = self.redactor.redact(url)
        self.done = True

    def _finish(self, route: Any, *, abort: bool) -> None:
        try:
            route.abort("failed") if abort else route.continue_()
        except Exception:  # noqa: BLE001 - already handled or the context is gone
            pass


def _final_page_last(hops: list[Hop]) -> None:
    """Move fetch/XHR hops the final page made after it loaded to just before it: the
    checks read the last hop as the page the walk ended on."""
    documents = [index for index, hop in enumerate(hops) if hop.kind == "document"]
    if documents and documents[-1] != len(hops) - 1:
        last = documents[-1]
        hops[last:] = [*hops[last + 1:], hops[last]]


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__
