"""ONB-14: the pages that carry codes and credentials (onboarding URL, login, OAuth callback).

Pure functions over a walk's recorded hops: their URLs, security headers, Set-Cookie headers
(values masked by the walker) and bodies, plus the requests a browser walk saw. Two
judgements: transport security (valid TLS, HSTS; critical) and page protection (cookie
flags, no code leak from the callback, no framing; normal). In development mode (http on
loopback) TLS, HSTS and the Secure flag do not apply: the passing sentence says so (no
warning: an app in development mode cannot change it).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit, urlunsplit

from checks.judgement import Judgement, judge
from sbready.driver.onboarding import Hop, host_port

CHECK = "ONB-14"
# Policies that never send the callback's query string to another origin.
SAFE_REFERRER_POLICIES = frozenset({
    "no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin",
    "origin", "origin-when-cross-origin",
})
# Cookie names that carry a login: these must be HttpOnly; others only get a warning.
_SESSION_NAME = re.compile(r"sess|sid|auth|token|login|remember|jwt|identity|user", re.I)
# Elements whose URL attribute the browser loads by itself when the page renders.
_LOADED = {"script": "src", "img": "src", "iframe": "src", "frame": "src", "embed": "src",
           "source": "src", "audio": "src", "video": "src", "object": "data", "input": "src"}
_LOADED_LINKS = frozenset({"stylesheet", "icon", "preload", "prefetch", "modulepreload",
                           "shortcut icon", "apple-touch-icon"})


@dataclass(frozen=True)
class Page:
    """One page ONB-14 judges: its role, the hop that served it."""

    role: str  # "the onboarding page", "the login page", "the callback"
    hop: Hop

    @property
    def name(self) -> str:
        """Role and URL without its query (the query may carry the code)."""
        parts = urlsplit(self.hop.url)
        return f"{self.role} {urlunsplit(parts._replace(query='', fragment=''))}"

    def header(self, name: str) -> list[str]:
        """Every value of a kept response header (lower-case name)."""
        return [value for key, value in self.hop.headers if key == name]


def _without_query(url: str) -> str:
    return urlunsplit(urlsplit(url)._replace(query="", fragment=""))


def _is_page(hop: Hop) -> bool:
    return hop.kind == "document" and 200 <= hop.status < 300 and "html" in (
        hop.content_type or "").lower()


def pages_of_walk(
    hops: Sequence[Hop], *, onboarding_url: str, redirect_uri: str | None,
    app_hosts: Collection[str],
) -> list[Page]:
    """The onboarding page, the login pages (the app's pages before consent) and the callback.

    The callback is the first hop whose URL is the redirect_uri; the login pages are the
    app's 2xx HTML pages after the onboarding page and before the flow left the app.
    """
    pages: list[Page] = []
    start = _without_query(onboarding_url)
    callback = _without_query(redirect_uri) if redirect_uri else None
    seen_callback = False
    left_app = False
    for hop in hops:
        if hop.kind != "document" or hop.status == 0:
            continue
        url = _without_query(hop.url)
        if callback and url == callback:
            if not seen_callback:
                pages.append(Page("the callback", hop))
            seen_callback = True
            continue
        if hop.host not in app_hosts:
            left_app = True
            continue
        if left_app or seen_callback:
            continue
        if url == start and not any(p.role == "the onboarding page" for p in pages):
            pages.append(Page("the onboarding page", hop))
        elif _is_page(hop) and all(_without_query(p.hop.url) != url for p in pages):
            pages.append(Page("the login page", hop))
    return pages


# ---- transport: TLS and HSTS (critical) ------------------------------------------------------


def _hsts_max_age(values: Sequence[str]) -> int | None:
    for value in values:
        found = re.search(r"max-age\s*=\s*\"?(\d+)", value, re.I)
        if found:
            return int(found.group(1))
    return None


def transport_secure(
    pages: Sequence[Page], *, mode: str, tls_problems: Mapping[str, str | None],
    onboarding_url: str | None = None,
) -> Judgement:
    """ONB-14 (critical part): in production mode every such page is https with a valid
    certificate and sends Strict-Transport-Security with a max-age above 0.

    `tls_problems`: host:port -> why its certificate is not valid (None: valid); an
    untrusted certificate usually means no page answered at all, so the onboarding URL's
    host is named even without pages.
    """
    names = [page.name for page in pages]
    if mode != "production":
        return judge(CHECK, [], "TLS and HSTS are not applicable in development mode (http on "
                     "loopback); production mode checks them on the onboarding page, login and "
                     "callback.", "", pages=names)
    if not pages:
        problem = tls_problems.get(host_port(onboarding_url)) if onboarding_url else None
        finding = (f"the onboarding page {_without_query(onboarding_url or '')}: {problem}"
                   if problem else "no page of the onboarding answered, so none could be judged")
        return judge(CHECK, [finding], "",
                     "No onboarding page answered; TLS and HSTS could not be judged.")
    findings: list[str] = []
    for page in pages:
        if urlsplit(page.hop.url).scheme != "https":
            findings.append(f"{page.name} is served over http, not https")
            continue
        problem = tls_problems.get(page.hop.host)
        if problem:
            findings.append(f"{page.name}: {problem}")
        max_age = _hsts_max_age(page.header("strict-transport-security"))
        if max_age is None:
            findings.append(f"{page.name} sends no Strict-Transport-Security header")
        elif max_age <= 0:
            findings.append(f"{page.name} sends Strict-Transport-Security with max-age=0, "
                            "which switches HSTS off")
    return judge(
        CHECK, findings,
        f"The onboarding page, login and callback ({len(pages)} pages) are https with a valid "
        "certificate and send Strict-Transport-Security.",
        "The pages that carry credentials and the authorization code must be https with a "
        "valid certificate and Strict-Transport-Security (app stores' security reviews, "
        "e.g. Intuit's and Xero's, check this; AFAS documents no such rule).",
        pages=names,
    )


# ---- protection: cookies, callback leaks, framing (normal) -----------------------------------


@dataclass(frozen=True)
class Cookie:
    """A Set-Cookie header the app sent: name, attributes, on which answer."""

    name: str
    attributes: dict[str, str]  # lower-case attribute -> value ("" for flags)
    at: str  # "GET https://app/login"
    https: bool

    @property
    def deleted(self) -> bool:
        """A Set-Cookie that removes the cookie (Max-Age=0)."""
        return self.attributes.get("max-age", "1").strip() in ("0", "-1")


def parse_set_cookie(value: str, *, at: str, https: bool) -> Cookie:
    """One Set-Cookie header value (value part masked or not) as a Cookie."""
    pair, *parts = value.split(";")
    attributes = {}
    for part in parts:
        key, _, attribute = part.strip().partition("=")
        if key:
            attributes[key.strip().lower()] = attribute.strip()
    return Cookie(pair.split("=", 1)[0].strip(), attributes, at, https)


def app_cookies(hops: Sequence[Hop], app_hosts: Collection[str]) -> list[Cookie]:
    """The cookies the app set during the walk (the last setting of each name wins)."""
    cookies: dict[str, Cookie] = {}
    for hop in hops:
        if hop.host not in app_hosts:
            continue
        at = f"{hop.method} {_without_query(hop.url)}"
        for key, value in hop.headers:
            if key == "set-cookie":
                cookie = parse_set_cookie(value, at=at, https=hop.url.startswith("https:"))
                cookies[cookie.name] = cookie
    return [cookie for cookie in cookies.values() if not cookie.deleted]


class _LoadedUrls(HTMLParser):
    """The URLs a page makes the browser load as it renders (scripts, images, frames...)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self.links: list[str] = []  # where the page sends the browser on (a, form, area)
        self.referrer_meta: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag in ("a", "area") and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form" and a.get("action"):
            self.links.append(a["action"])
        if tag == "meta" and a.get("name", "").lower() == "referrer":
            self.referrer_meta = a.get("content", "")
        elif tag == "link" and a.get("href") and (
                a.get("rel", "").lower() in _LOADED_LINKS):
            self.urls.append(a["href"])
        elif tag in _LOADED and a.get(_LOADED[tag]):
            if tag != "input" or a.get("type", "").lower() == "image":
                self.urls.append(a[_LOADED[tag]])


def _parsed(html: str) -> _LoadedUrls:
    parser = _LoadedUrls()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # noqa: BLE001 - a broken page yields what was parsed so far
        pass
    return parser


def _absolute(urls: list[str], page_url: str) -> list[str]:
    joined = [urljoin(page_url, url) for url in urls]
    return [u for u in joined if urlsplit(u).scheme in ("http", "https")]


def loaded_urls(html: str, page_url: str) -> tuple[list[str], str | None]:
    """Absolute URLs the page loads by itself, and its <meta name=referrer> content."""
    parser = _parsed(html)
    return _absolute(parser.urls, page_url), parser.referrer_meta


def linked_urls(html: str, page_url: str) -> list[str]:
    """Absolute URLs the page links or posts to."""
    return _absolute(_parsed(html).links, page_url)


def _frame_protected(page: Page) -> bool:
    options = [v.strip().lower() for v in page.header("x-frame-options")]
    if any(v in ("deny", "sameorigin") for v in options):
        return True
    for policy in page.header("content-security-policy"):
        for directive in policy.split(";"):
            words = directive.strip().split()
            if words and words[0].lower() == "frame-ancestors":
                sources = [w.lower() for w in words[1:]]
                if sources and not any(s in ("*", "https:", "http:") for s in sources):
                    return True
    return False


def _referrer_policy(page: Page, meta: str | None) -> str | None:
    values = page.header("referrer-policy") + ([meta] if meta else [])
    # a comma-separated list: the last one the browser knows wins
    tokens = [t.strip().lower() for value in values for t in value.split(",") if t.strip()]
    return tokens[-1] if tokens else None


def pages_protected(
    pages: Sequence[Page], hops: Sequence[Hop], *, mode: str, app_hosts: Collection[str],
    browser_requests: Sequence[Mapping[str, object]] = (), expect_callback: bool = True,
) -> Judgement:
    """ONB-14 (normal part): the app's cookies are Secure, HttpOnly and SameSite; the
    callback loads nothing from other hosts and keeps its URL from other origins with a
    Referrer-Policy; the onboarding and login pages cannot be framed by other sites.

    `browser_requests`: the browser walker's requests ({"url", "host", "page", ...});
    `expect_callback`: an OAuth app's walk should reach its callback (app-token apps have none).
    """
    findings: list[str] = []
    warnings: list[str] = []
    not_applicable: list[str] = []
    production = mode == "production"
    for cookie in app_cookies(hops, app_hosts):
        where = f"cookie {cookie.name} (set by {cookie.at})"
        if "secure" not in cookie.attributes:
            if production or cookie.https:
                findings.append(f"{where} has no Secure flag")
            else:
                not_applicable.append(f"the Secure flag of cookie {cookie.name}")
        if "httponly" not in cookie.attributes:
            if _SESSION_NAME.search(cookie.name):
                findings.append(f"{where} has no HttpOnly flag, so page scripts can read it")
            else:
                warnings.append(f"{where} has no HttpOnly flag (fine only if scripts must "
                                "read it)")
        if not cookie.attributes.get("samesite"):
            findings.append(f"{where} has no SameSite value")
    callbacks = [page for page in pages if page.role == "the callback"]
    for page in callbacks:
        if not _is_page(page.hop):
            continue  # a redirect away from the callback renders nothing there
        urls, meta = loaded_urls(page.hop.body, page.hop.url)
        page_url = _without_query(page.hop.url)
        loaded = [u for u in urls if host_port(u) not in app_hosts]
        loaded += [str(r.get("url")) for r in browser_requests
                   if _without_query(str(r.get("page", ""))) == page_url
                   and str(r.get("host", "")) not in app_hosts and r.get("type") != "document"]
        for url in dict.fromkeys(loaded):
            findings.append(f"{page.name} loads {_without_query(url)} from another host, which "
                            "receives the callback URL with the code as its Referer")
        policy = _referrer_policy(page, meta)
        elsewhere = [u for u in linked_urls(page.hop.body, page.hop.url)
                     if host_port(u) not in app_hosts]
        if policy is None and (loaded or elsewhere):
            findings.append(f"{page.name} sends no Referrer-Policy header, so links and "
                            "resources on it may pass the code in the Referer (it links to "
                            f"{_without_query((elsewhere or loaded)[0])})")
        elif policy is None:
            # browsers default to strict-origin-when-cross-origin; the header makes it sure
            warnings.append(f"{page.name} sends no Referrer-Policy header; it links nowhere "
                            "else, and browsers keep the query from other origins by default, "
                            "but set Referrer-Policy: no-referrer to be sure")
        elif policy not in SAFE_REFERRER_POLICIES:
            findings.append(f"{page.name} sends Referrer-Policy: {policy}, which passes the "
                            "full URL with the code to other origins")
    for page in pages:
        if page.role == "the callback" or not _is_page(page.hop):
            continue
        if not _frame_protected(page):
            findings.append(f"{page.name} can be framed by any site: it sends neither "
                            "X-Frame-Options (DENY or SAMEORIGIN) nor a CSP frame-ancestors")
    if not callbacks and expect_callback:
        warnings.append("the walk reached no OAuth callback, so its Referrer-Policy and "
                        "third-party loads were not judged")
    ok = ("The app's cookies are Secure, HttpOnly and SameSite; the callback leaks no code; the "
          "login pages cannot be framed.")
    if not_applicable:
        ok += (f" ({', '.join(not_applicable)}: not applicable in development mode over "
               "http.)")
    return judge(
        CHECK, findings, ok,
        "The pages that carry credentials and the code must protect them (cookie flags, no "
        "third-party loads and a Referrer-Policy on the callback, no framing).",
        warnings=warnings, pages=[page.name for page in pages],
    )
