"""ONB-14's judging functions over hand-made hops: each item passes when right, fails with the
page and the header or cookie named when wrong; development mode makes TLS items warnings."""

from __future__ import annotations

from checks.judgement import Judgement
from checks.page_security import (
    Page,
    pages_of_walk,
    pages_protected,
    parse_set_cookie,
    transport_secure,
)
from sbready.driver.onboarding import Hop
from sbready.driver.page_headers import kept_headers, mask_cookie

APP = "https://app.example.nl"
APP_HOST = "app.example.nl:443"
SANDBOX = "http://127.0.0.1:9000"
GOOD_HEADERS = (
    ("strict-transport-security", "max-age=31536000"),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "no-referrer"),
)
COOKIE = ("set-cookie", "sid=<value hidden>; Path=/; Secure; HttpOnly; SameSite=Lax")


def hop(url: str, *, status: int = 200, headers: tuple[tuple[str, str], ...] = GOOD_HEADERS,
        body: str = "<title>x</title>", method: str = "GET", host: str = APP_HOST) -> Hop:
    return Hop(method=method, url=url, status=status, location=None,
               content_type="text/html; charset=utf-8", title="x", excerpt=body[:100],
               form_fields=(), duration_ms=1.0, host=host, body=body, headers=headers)


def walk(*, landing: Hop | None = None, login: Hop | None = None,
         callback: Hop | None = None) -> list[Hop]:
    return [
        landing or hop(f"{APP}/start?afasBaseUrl=x"),
        login or hop(f"{APP}/login", method="POST", status=303, headers=(*GOOD_HEADERS, COOKIE)),
        hop(f"{SANDBOX}/demo/app/auth?client_id=a", host="127.0.0.1:9000", headers=()),
        callback or hop(f"{APP}/callback?code=SECRETCODE&state=s"),
    ]


def judge_pages(hops: list[Hop], *, mode: str = "production",
                requests: list[dict[str, object]] | None = None) -> tuple[list[Page], Judgement]:
    pages = pages_of_walk(hops, onboarding_url=f"{APP}/start", redirect_uri=f"{APP}/callback",
                          app_hosts={APP_HOST})
    return pages, pages_protected(pages, hops, mode=mode, app_hosts={APP_HOST},
                                  browser_requests=requests or [])


def test_pages_of_a_walk_are_onboarding_login_and_callback() -> None:
    hops = walk()
    hops.insert(1, hop(f"{APP}/login?next=/start"))
    pages = pages_of_walk(hops, onboarding_url=f"{APP}/start", redirect_uri=f"{APP}/callback",
                          app_hosts={APP_HOST})
    assert [p.name for p in pages] == [f"the onboarding page {APP}/start",
                                       f"the login page {APP}/login",
                                       f"the callback {APP}/callback"]
    assert "SECRETCODE" not in " ".join(p.name for p in pages)  # names leave the query out


def test_good_pages_pass_both_parts() -> None:
    pages, protected = judge_pages(walk())
    assert protected.passed, protected.findings
    transport = transport_secure(pages, mode="production", tls_problems={APP_HOST: None})
    assert transport.passed, transport.findings


def test_missing_hsts_and_invalid_certificate_fail_naming_the_page() -> None:
    landing = hop(f"{APP}/start", headers=GOOD_HEADERS[1:])
    pages, _ = judge_pages(walk(landing=landing))
    result = transport_secure(pages, mode="production",
                              tls_problems={APP_HOST: "the TLS certificate of app.example.nl:443 "
                                            "is not valid: self-signed certificate"})
    assert not result.passed
    assert f"the onboarding page {APP}/start sends no Strict-Transport-Security header" in (
        result.findings)
    assert any("self-signed certificate" in f and "the callback" in f for f in result.findings)


def test_hsts_max_age_zero_and_http_pages_fail() -> None:
    landing = hop("http://app.example.nl/start", headers=(("strict-transport-security",
                                                          "max-age=0"),), host="app.example.nl:80")
    callback = hop(f"{APP}/callback?code=c",
                   headers=(("strict-transport-security", "max-age=0"),))
    hops = walk(landing=landing, callback=callback)
    pages = pages_of_walk(hops, onboarding_url="http://app.example.nl/start",
                          redirect_uri=f"{APP}/callback",
                          app_hosts={APP_HOST, "app.example.nl:80"})
    result = transport_secure(pages, mode="production", tls_problems={})
    assert "the onboarding page http://app.example.nl/start is served over http, not https" in (
        result.findings)
    assert any("max-age=0" in f and "the callback" in f for f in result.findings)


def test_development_mode_makes_tls_a_warning() -> None:
    pages, _ = judge_pages(walk())
    result = transport_secure(pages, mode="development", tls_problems={})
    assert result.passed
    assert "not applicable in development mode" in result.sentence
    assert not result.warnings  # nothing an app in development mode could change


def test_cookie_without_flags_fails_naming_the_cookie() -> None:
    login = hop(f"{APP}/login", method="POST", status=303,
                headers=(*GOOD_HEADERS, ("set-cookie", "demo_session=<value hidden>; Path=/")))
    _, result = judge_pages(walk(login=login))
    assert not result.passed
    at = f"cookie demo_session (set by POST {APP}/login)"
    assert f"{at} has no Secure flag" in result.findings
    assert f"{at} has no HttpOnly flag, so page scripts can read it" in result.findings
    assert f"{at} has no SameSite value" in result.findings


def test_a_non_session_cookie_readable_by_scripts_is_a_warning() -> None:
    login = hop(f"{APP}/login", method="POST", status=303,
                headers=(*GOOD_HEADERS, COOKIE,
                         ("set-cookie", "theme=<value hidden>; Secure; SameSite=Lax")))
    _, result = judge_pages(walk(login=login))
    assert result.passed
    assert any("cookie theme" in w and "HttpOnly" in w for w in result.warnings)


def test_development_mode_over_http_makes_secure_a_warning() -> None:
    hops = [hop("http://127.0.0.1:8000/start", host="127.0.0.1:8000",
                headers=(("x-frame-options", "DENY"),
                         ("set-cookie", "sid=<value hidden>; HttpOnly; SameSite=Lax")))]
    pages = pages_of_walk(hops, onboarding_url="http://127.0.0.1:8000/start", redirect_uri=None,
                          app_hosts={"127.0.0.1:8000"})
    result = pages_protected(pages, hops, mode="development", app_hosts={"127.0.0.1:8000"})
    assert result.passed, result.findings
    assert "(the Secure flag of cookie sid: not applicable in development mode over http.)" in (
        result.sentence)
    assert result.warnings == ("the walk reached no OAuth callback, so its Referrer-Policy and "
                               "third-party loads were not judged",)
    app_token = pages_protected(pages, hops, mode="development", app_hosts={"127.0.0.1:8000"},
                                expect_callback=False)
    assert app_token.passed and not app_token.warnings


def test_callback_loading_a_third_party_resource_fails() -> None:
    body = '<img src="https://stats.tracker.example/p.gif?x=1"><script src="/app.js"></script>'
    _, result = judge_pages(walk(callback=hop(f"{APP}/callback?code=c", body=body)))
    assert result.findings == (
        f"the callback {APP}/callback loads https://stats.tracker.example/p.gif from another "
        "host, which receives the callback URL with the code as its Referer",)


def test_callback_third_party_request_seen_by_the_browser_fails() -> None:
    requests: list[dict[str, object]] = [
        {"url": "https://fonts.cdn.example/f.woff", "host": "fonts.cdn.example:443",
                 "page": f"{APP}/callback?code=c", "type": "font", "blocked": "not allowed"}]
    _, result = judge_pages(walk(), requests=requests)
    assert any("loads https://fonts.cdn.example/f.woff from another host" in f
               for f in result.findings)


def test_callback_referrer_policy_missing_with_a_link_elsewhere_or_unsafe_fails() -> None:
    linked = hop(f"{APP}/callback?code=c", headers=GOOD_HEADERS[:2],
                 body='<p>Klaar.</p><a href="https://docs.afas.help/sb/nl/start">Hulp</a>')
    _, result = judge_pages(walk(callback=linked))
    assert f"the callback {APP}/callback sends no Referrer-Policy header, so links and " \
           "resources on it may pass the code in the Referer (it links to " \
           "https://docs.afas.help/sb/nl/start)" in result.findings
    # a page that links nowhere else: the browser's default keeps the code home (a warning)
    alone = hop(f"{APP}/callback?code=c", headers=GOOD_HEADERS[:2],
                body='<p>Gekoppeld.</p><a href="/dashboard">Verder</a>')
    _, result = judge_pages(walk(callback=alone))
    assert result.passed, result.findings
    assert any("set Referrer-Policy: no-referrer to be sure" in w for w in result.warnings)
    unsafe = hop(f"{APP}/callback?code=c",
                 headers=(*GOOD_HEADERS[:2], ("referrer-policy", "unsafe-url")))
    _, result = judge_pages(walk(callback=unsafe))
    assert any("Referrer-Policy: unsafe-url" in f for f in result.findings)
    meta = hop(f"{APP}/callback?code=c", headers=GOOD_HEADERS[:2],
               body='<meta name="referrer" content="same-origin">')
    _, result = judge_pages(walk(callback=meta))
    assert result.passed, result.findings


def test_callback_that_redirects_needs_no_referrer_policy() -> None:
    redirect = hop(f"{APP}/callback?code=c", status=303, headers=GOOD_HEADERS[:1])
    _, result = judge_pages(walk(callback=redirect))
    assert result.passed, result.findings


def test_frameable_login_page_fails_and_frame_ancestors_protects() -> None:
    open_page = hop(f"{APP}/start", headers=(GOOD_HEADERS[0],))
    _, result = judge_pages(walk(landing=open_page))
    assert f"the onboarding page {APP}/start can be framed by any site: it sends neither " \
           "X-Frame-Options (DENY or SAMEORIGIN) nor a CSP frame-ancestors" in result.findings
    wildcard = hop(f"{APP}/start", headers=(("content-security-policy", "frame-ancestors *"),))
    _, result = judge_pages(walk(landing=wildcard))
    assert not result.passed
    csp = hop(f"{APP}/start", headers=(("content-security-policy",
                                         "default-src 'self'; frame-ancestors 'self'"),))
    _, result = judge_pages(walk(landing=csp))
    assert result.passed, result.findings


def test_cookie_values_never_reach_the_evidence() -> None:
    kept = kept_headers([("Set-Cookie", "sid=abc123secret; Secure; HttpOnly"),
                         ("Server", "x"), ("X-Frame-Options", "DENY")])
    assert kept == (("set-cookie", "sid=<value hidden>; Secure; HttpOnly"),
                    ("x-frame-options", "DENY"))
    assert "abc123secret" not in mask_cookie("sid=abc123secret")
    cookie = parse_set_cookie(kept[0][1], at="GET /", https=True)
    assert cookie.name == "sid"
    assert cookie.attributes == {"secure": "", "httponly": ""}


def test_untrusted_certificate_is_named_when_no_page_answered() -> None:
    result = transport_secure([], mode="production", onboarding_url=f"{APP}/start?x=1",
                              tls_problems={APP_HOST: "the TLS certificate of app.example.nl:443 "
                                            "is not valid: unable to get local issuer"})
    assert result.findings == (f"the onboarding page {APP}/start: the TLS certificate of "
                               "app.example.nl:443 is not valid: unable to get local issuer",)
