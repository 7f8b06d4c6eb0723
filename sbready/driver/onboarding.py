"""The onboarding walker: plays the AFAS customer's browser through the app's onboarding.

No browser: httpx, one request per hop, redirects followed by hand so each is recorded,
cookies kept per host:port, HTML forms filled from the configured login steps, and the
sandbox's consent page answered with allow or deny. The walker only contacts hosts it is
allowed to; a redirect anywhere else is recorded (`blocked_host`) and never requested, so a
decoy host never sees a request (ONB-05). Every URL and page kept as evidence is redacted.
"""

from __future__ import annotations

import secrets as _random
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import httpx

from sbready.config import LoginStep
from sbready.driver.page_headers import kept_headers
from sbready.driver.process import tls_verify
from sbready.secrets import SECRET_KEYS, Redactor

Consent = Literal["allow", "deny"]
CallbackState = Literal["keep", "wrong", "missing"]

EXCERPT_CHARS = 2048
BODY_CHARS = 65536
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Secret keys that never belong in a URL; `code` does, on the callback.
_URL_SECRET_KEYS = SECRET_KEYS - {"code"}


# ---- HTML forms -------------------------------------------------------------------------------


@dataclass
class HtmlForm:
    """One <form>: where it goes, its fields with their default values, its submit buttons."""

    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)  # name, default value
    buttons: list[tuple[str, str]] = field(default_factory=list)  # name, value (named only)

    @property
    def field_names(self) -> list[str]:
        """Names of the fields and named buttons, in page order, without duplicates."""
        return list(dict.fromkeys([n for n, _ in self.fields] + [n for n, _ in self.buttons]))


class _PageParser(HTMLParser):
    """Collects the title and the forms of a page (stdlib parser: tolerant of sloppy HTML)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.forms: list[HtmlForm] = []
        self.links: list[str] = []
        self.scripts = 0  # <script> elements: a page without forms but with scripts is an SPA
        self._in_title = False
        self._form: HtmlForm | None = None
        self._textarea: tuple[str, list[str]] | None = None
        self._select: str | None = None
        self._select_value: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag == "title":
            self._in_title = True
        elif tag == "script":
            self.scripts += 1
        elif tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = HtmlForm(action=a.get("action", ""), method=a.get("method", "get").upper())
            self.forms.append(self._form)
        elif tag == "option":
            if self._select and (self._select_value is None or "selected" in a):
                self._select_value = a.get("value", "")
        elif self._form is None or "name" not in a:
            return
        elif tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "image"):
                self._form.buttons.append((a["name"], a.get("value", "")))
            elif kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._form.fields.append((a["name"], a.get("value", "on")))
            elif kind not in ("button", "reset", "file"):
                self._form.fields.append((a["name"], a.get("value", "")))
        elif tag == "button" and a.get("type", "submit").lower() == "submit":
            self._form.buttons.append((a["name"], a.get("value", "")))
        elif tag == "textarea":
            self._textarea = (a["name"], [])
        elif tag == "select":
            self._select, self._select_value = a["name"], None

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag == "form":
            self._form = None
        elif tag == "textarea" and self._textarea and self._form:
            self._form.fields.append((self._textarea[0], "".join(self._textarea[1])))
            self._textarea = None
        elif tag == "select" and self._select and self._form:
            self._form.fields.append((self._select, self._select_value or ""))
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        if self._textarea:
            self._textarea[1].append(data)


@dataclass(frozen=True)
class HtmlPage:
    """What the walker reads from an HTML page."""

    title: str
    forms: list[HtmlForm]
    links: list[str]  # href values of <a> elements, as written
    scripts: int = 0  # how many <script> elements the page has


def read_page(html: str) -> HtmlPage:
    """The title, forms and links of an HTML page (sloppy HTML is read as far as it goes)."""
    parser = _PageParser()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # noqa: BLE001 - a broken page still yields what was parsed so far
        pass
    return HtmlPage(" ".join(parser.title.split()), parser.forms, parser.links, parser.scripts)


def parse_page(html: str) -> tuple[str, list[HtmlForm]]:
    """The title and forms of an HTML page."""
    page = read_page(html)
    return page.title, page.forms


# ---- evidence ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hop:
    """One request the walker made and what came back (redacted)."""

    method: str
    url: str
    status: int  # 0 when no answer came (timeout, connection refused)
    location: str | None
    content_type: str | None
    title: str
    excerpt: str  # first 2 kB of the body text
    form_fields: tuple[str, ...]  # names of the fields of the forms on the page
    duration_ms: float
    host: str  # host:port
    submitted: tuple[str, ...] = ()  # names of the form fields this request sent
    body: str = ""  # the body text, first 64 kB
    exposed: tuple[str, ...] = ()  # where a secret showed: "url", "location: client_secret", ...
    # security headers of the answer (ONB-14), cookie values masked (page_headers.py)
    headers: tuple[tuple[str, str], ...] = ()
    kind: str = "document"  # the browser walker also records "fetch" and "xhr" requests


@dataclass
class WalkResult:
    """The whole walk: every hop, where it ended, and what it reached on the way."""

    hops: list[Hop] = field(default_factory=list)
    authorize_url: str | None = None
    callback_url: str | None = None
    consent_submitted: bool = False
    login_submitted: list[str] = field(default_factory=list)  # url_contains of used steps
    blocked_host: str | None = None
    blocked_url: str | None = None
    error: str | None = None
    duration_s: float = 0.0
    walker: str = "script-free"  # or "chromium" (sbready/driver/browser.py)
    # the browser walker: every request the pages made, and the ones kept from other hosts
    requests: list[dict[str, object]] = field(default_factory=list)
    blocked_requests: list[str] = field(default_factory=list)
    screenshots: list[str] = field(default_factory=list)  # names of the attached screenshots

    @property
    def final(self) -> Hop | None:
        """The last page (the confirmation, landing or error page), if any request was made."""
        documents = [hop for hop in self.hops if hop.kind == "document"]
        return documents[-1] if documents else (self.hops[-1] if self.hops else None)

    @property
    def reached_authorize(self) -> bool:
        """True when the flow reached the sandbox's /app/auth."""
        return self.authorize_url is not None


def host_port(url: str) -> str:
    """"host:port" of an absolute URL, with the scheme's default port filled in."""
    parts = urlsplit(url)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:  # a non-numeric port: keep it as written, it matches nothing allowed
        return parts.netloc.lower()
    return f"{(parts.hostname or '').lower()}:{port}"


def with_query(url: str, pairs: Sequence[tuple[str, str]] | None, raw: str | None = None) -> str:
    """`url` with query pairs appended (or a raw query string appended as is)."""
    parts = urlsplit(url)
    extra = raw if raw is not None else urlencode(list(pairs or []))
    if not extra:
        return url
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urlunsplit(parts._replace(query=query))


# ---- the walker -------------------------------------------------------------------------------


class OnboardingWalker:
    """Walks an onboarding flow like a browser would, within the allowed hosts only."""

    def __init__(
        self,
        *,
        allowed_hosts: set[str],
        login_steps: Sequence[LoginStep],
        ca_file: Path | None,
        timeout: float = 10.0,
        max_hops: int = 30,
        redactor: Redactor,
    ) -> None:
        self.allowed_hosts = {h.lower() for h in allowed_hosts}
        self.login_steps = tuple(login_steps)
        self.ca_file = ca_file
        self.timeout = timeout
        self.max_hops = max_hops
        self.redactor = redactor

    def allows(self, url: str) -> bool:
        """True when the walker may request `url` ("host" alone allows the default port)."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            return False
        host = (parts.hostname or "").lower()
        if host_port(url) in self.allowed_hosts:
            return True
        try:
            return parts.port is None and host in self.allowed_hosts
        except ValueError:
            return False

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
        """Open onboarding_url?afasBaseUrl=... and follow the flow to its final page.

        `raw_query` replaces the afasBaseUrl pair (malformed-input tests); `redirect_uri`
        pins down the app's callback (otherwise: the first redirect off the sandbox host).
        Never raises for what the app does: timeouts and loops end up in `error`.
        """
        pairs: list[tuple[str, str]] = []
        if afas_base_url is not None and raw_query is None:
            pairs.append(("afasBaseUrl", afas_base_url))
        pairs.extend((extra_query or {}).items())
        start = with_query(onboarding_url, pairs) if raw_query is None else with_query(
            with_query(onboarding_url, list((extra_query or {}).items())), None, raw_query
        )
        walk = _Walk(
            self,
            sandbox_host=host_port(afas_base_url) if afas_base_url and "://" in afas_base_url
            else None,
            consent=consent,
            callback_state=callback_state,
            stop_before_callback=stop_before_callback,
            redirect_uri=redirect_uri,
            login_steps=(*self.login_steps, *extra_login_steps),
        )
        return walk.run(start)


class _Walk:
    """The state of one walk (clients per host, result so far)."""

    def __init__(
        self,
        walker: OnboardingWalker,
        *,
        sandbox_host: str | None,
        consent: Consent,
        callback_state: CallbackState,
        stop_before_callback: bool,
        redirect_uri: str | None,
        login_steps: Sequence[LoginStep],
    ) -> None:
        self.walker = walker
        self.redactor = _WalkRedactor(walker.redactor)
        self.sandbox_host = sandbox_host
        self.consent = consent
        self.callback_state = callback_state
        self.stop_before_callback = stop_before_callback
        self.redirect_uri = redirect_uri
        self.login_steps = login_steps
        self.result = WalkResult()
        # One client per host:port: cookies must not leak between the app and the sandbox,
        # which share 127.0.0.1 (cookie jars ignore ports).
        self.clients: dict[str, httpx.Client] = {}

    def client(self, host: str) -> httpx.Client:
        if host not in self.clients:
            self.clients[host] = httpx.Client(
                verify=tls_verify(self.walker.ca_file),
                timeout=self.walker.timeout,
                follow_redirects=False,
                headers={"User-Agent": "sb-readiness onboarding walker"},
            )
        return self.clients[host]

    def run(self, start_url: str) -> WalkResult:
        started = time.monotonic()
        try:
            self._run(start_url)
        finally:
            for client in self.clients.values():
                client.close()
            self.result.duration_s = time.monotonic() - started
        return self.result

    def _run(self, url: str) -> None:
        method, data = "GET", None
        submitted: tuple[str, ...] = ()
        used_steps: set[int] = set()
        for _ in range(self.walker.max_hops):
            host = host_port(url)
            if not self.walker.allows(url):
                self.result.blocked_host = host
                self.result.blocked_url = self.redactor.redact(url)
                return
            if self._is_authorize(url, host) and self.result.authorize_url is None:
                self.result.authorize_url = self.redactor.redact(url)
            response = self._send(method, url, data, host, submitted)
            if response is None:
                return
            location = response.headers.get("location")
            if response.status_code in REDIRECT_STATUSES and location:
                next_url = urljoin(url, location)
                self._learn_secrets(next_url)
                if self._is_callback(host, next_url):
                    next_url = self._tamper_state(next_url)
                    self.result.callback_url = self.redactor.redact(next_url)
                    if self.stop_before_callback:
                        return
                if response.status_code not in (307, 308):
                    method, data = "GET", None
                url, submitted = next_url, ()
                continue
            if "html" not in response.headers.get("content-type", "").lower():
                return
            page = read_page(response.text)
            submission = self._consent_submission(url, host, page.forms)
            if submission is None and self.result.error is None:
                submission = self._login_submission(url, page, used_steps)
            if submission is None:
                self._note_script_page(url, page, used_steps)
                return
            method, url, data = submission
            submitted = tuple(data) if data else ()
        self.result.error = (
            f"stopped after {self.walker.max_hops} requests without reaching a final page "
            "(a redirect or form loop?)"
        )

    def _note_script_page(self, url: str, page: HtmlPage, used: set[int]) -> None:
        """A page without forms but with scripts, where a login step was still to come, is
        built by JavaScript: say which setting walks it."""
        if page.forms or not page.scripts or self.result.error or self.result.reached_authorize:
            return
        if not self.login_steps or any(number in used for number in range(len(self.login_steps))):
            return
        self.result.error = (
            f"the page {self.redactor.redact(url)} has no HTML form but {page.scripts} "
            "script(s): its login form is built by JavaScript, which this walker does not run; "
            "set browser = \"chromium\" in [onboarding] of readiness.toml (or pass "
            "--browser chromium) to walk it in a real browser"
        )

    # ---- one request --------------------------------------------------------------------
    def _send(
        self,
        method: str,
        url: str,
        data: dict[str, str] | None,
        host: str,
        submitted: tuple[str, ...],
    ) -> httpx.Response | None:
        started = time.monotonic()
        try:
            response = self.client(host).request(method, url, data=data or None)
        except httpx.TimeoutException:
            self._record_failure(method, url, host, started, submitted)
            self.result.error = (
                f"{method} {self.redactor.redact(url)} did not answer within "
                f"{self.walker.timeout:g} s"
            )
            return None
        except httpx.HTTPError as error:
            self._record_failure(method, url, host, started, submitted)
            self.result.error = self.redactor.redact(
                f"{method} {url} failed: {type(error).__name__}: {error}"
            )
            return None
        duration_ms = (time.monotonic() - started) * 1000
        content_type = response.headers.get("content-type")
        text = response.text if _is_text(content_type) else ""
        title, forms = parse_page(text) if "html" in (content_type or "").lower() else ("", [])
        location = response.headers.get("location")
        body = self.redactor.redact(text)
        self.result.hops.append(
            Hop(
                method=method,
                url=self.redactor.redact(url),
                status=response.status_code,
                location=self.redactor.redact(location) if location else None,
                content_type=content_type,
                title=self.redactor.redact(title),
                excerpt=body[:EXCERPT_CHARS],
                form_fields=tuple(n for form in forms for n in form.field_names),
                duration_ms=round(duration_ms, 1),
                host=host,
                submitted=submitted,
                body=body[:BODY_CHARS],
                exposed=self._exposed(url, location, text),
                headers=tuple((k, self.redactor.redact(v)) for k, v in
                              kept_headers(response.headers.multi_items())),
            )
        )
        return response

    def _record_failure(
        self, method: str, url: str, host: str, started: float, submitted: tuple[str, ...]
    ) -> None:
        self.result.hops.append(
            Hop(
                method=method,
                url=self.redactor.redact(url),
                status=0,
                location=None,
                content_type=None,
                title="",
                excerpt="",
                form_fields=(),
                duration_ms=round((time.monotonic() - started) * 1000, 1),
                host=host,
                submitted=submitted,
            )
        )

    def _exposed(self, url: str, location: str | None, body: str) -> tuple[str, ...]:
        """Where a secret showed up in what the browser sees (ONB-10 evidence)."""
        found: list[str] = []
        for where, text in (("url", url), ("location", location or ""), ("body", body)):
            if text and self.redactor.contains_secret(text):
                found.append(f"{where}: a harness secret")
        for where, text in (("url", url), ("location", location or "")):
            keys = {k.lower() for k, _ in parse_qsl(urlsplit(text).query)} & _URL_SECRET_KEYS
            found.extend(f"{where}: {key}" for key in sorted(keys))
        return tuple(found)

    def _learn_secrets(self, url: str) -> None:
        """Codes and tokens seen in a redirect become secrets: no later page may show them."""
        pairs = parse_qsl(urlsplit(url).query, keep_blank_values=True)
        self.redactor.learned.add(*(value for key, value in pairs if key.lower() in SECRET_KEYS))

    # ---- recognising pages -----------------------------------------------------------------
    def _is_authorize(self, url: str, host: str) -> bool:
        if self.sandbox_host is not None and host != self.sandbox_host:
            return False
        return urlsplit(url).path.rstrip("/").endswith("/app/auth")

    def _is_callback(self, from_host: str, next_url: str) -> bool:
        if self.redirect_uri:
            target = urlsplit(next_url)._replace(query="", fragment="")
            return urlunsplit(target) == self.redirect_uri.split("?")[0]
        auth_host = self.sandbox_host or (
            host_port(self.result.authorize_url) if self.result.authorize_url else None
        )
        return auth_host is not None and from_host == auth_host and host_port(next_url) != auth_host

    def _tamper_state(self, url: str) -> str:
        if self.callback_state == "keep":
            return url
        parts = urlsplit(url)
        pairs = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "state"]
        if self.callback_state == "wrong":
            pairs.append(("state", _random.token_urlsafe(32)))
        return urlunsplit(parts._replace(query=urlencode(pairs)))

    def _consent_submission(
        self, url: str, host: str, forms: list[HtmlForm]
    ) -> tuple[str, str, dict[str, str]] | None:
        if not self._is_authorize(url, host) or self.result.consent_submitted:
            return None
        for form in forms:
            decisions = [value for name, value in form.buttons if name == "decision"]
            if not decisions:
                continue
            if self.consent not in decisions:
                self.result.error = (
                    f"the consent page offers decisions {decisions}, not {self.consent!r}"
                )
                return None
            self.result.consent_submitted = True
            data = dict(form.fields)
            data["decision"] = self.consent
            return self._submission(url, form, data)
        return None

    def _login_submission(
        self, url: str, page: HtmlPage, used: set[int]
    ) -> tuple[str, str, dict[str, str]] | None:
        """Fill the form of a login step: on a page whose URL, or whose form's action,
        contains url_contains; failing that, follow a link to such a page (once)."""
        for number, step in enumerate(self.login_steps):
            for form in page.forms:
                action = urljoin(url, form.action) if form.action else url
                if step.url_contains not in url and step.url_contains not in action:
                    continue
                if not set(step.fields) <= set(form.field_names):
                    continue
                if number in used:
                    self.result.error = (
                        f"the form for {step.url_contains!r} came back after it was submitted "
                        "(wrong login details, or a form the walker cannot fill?)"
                    )
                    return None
                used.add(number)
                self.result.login_submitted.append(step.url_contains)
                data = dict(form.fields)
                # A named submit button is part of what a browser sends.
                if form.buttons:
                    data.setdefault(*form.buttons[0])
                data.update(step.fields)
                return self._submission(url, form, data)
        for number, step in enumerate(self.login_steps):
            link_key = -1 - number  # link follows are tracked apart from form submissions
            if number in used or link_key in used or step.url_contains in url:
                continue
            for href in page.links:
                target = urljoin(url, href)
                if step.url_contains in target and urlsplit(target).scheme in ("http", "https"):
                    used.add(link_key)
                    return "GET", target, {}
        return None

    def _submission(
        self, url: str, form: HtmlForm, data: dict[str, str]
    ) -> tuple[str, str, dict[str, str]]:
        action = urljoin(url, form.action) if form.action else url
        if form.method == "POST":
            return "POST", action, data
        query = urlencode(list(data.items()))
        return "GET", urlunsplit(urlsplit(action)._replace(query=query)), {}


class _WalkRedactor:
    """The harness's redactor plus the codes and tokens this walk saw in redirects.

    `contains_secret` asks the harness's redactor only: an authorization code on its way to
    the callback is expected there, not an exposure.
    """

    def __init__(self, harness: Redactor) -> None:
        self.harness = harness
        self.learned = Redactor()

    def redact(self, text: str) -> str:
        return self.learned.redact(self.harness.redact(text))

    def contains_secret(self, text: str) -> bool:
        return self.harness.contains_secret(text)


def _is_text(content_type: str | None) -> bool:
    kind = (content_type or "").lower()
    return not kind or kind.startswith("text/") or "json" in kind or "xml" in kind or "html" in kind
