"""ONB-14: the onboarding page, login and callback protect the credentials and the code.

Two tests judge one check: transport (TLS, HSTS) at the catalog's severity, critical; page
protection (cookies, callback leaks, framing) at normal severity, so that part alone never
makes the verdict NOT READY.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from checks import page_security
from sbready.driver.browser import verify_tls
from sbready.driver.onboarding import host_port
from sbready.harness import Harness, Walk
from suites.support import record


def _walk(harness: Harness) -> Walk:
    """The walk whose pages are judged: the known customer's consent flow (OAuth) or, for
    app-token apps, a walk through the onboarding and login pages."""
    if harness.config.app.auth == "oauth":
        return harness.connected()
    return harness.once("page_security_walk", harness.walk)  # type: ignore[no-any-return]


def _app_hosts(harness: Harness) -> set[str]:
    urls = [harness.config.app.onboarding_url, harness.config.app.redirect_uri or ""]
    return {host_port(url) for url in urls if url}


def _pages(harness: Harness, walk: Walk) -> list[page_security.Page]:
    return page_security.pages_of_walk(
        walk.result.hops, onboarding_url=harness.config.app.onboarding_url,
        redirect_uri=harness.config.app.redirect_uri, app_hosts=_app_hosts(harness))


def _normal_severity() -> None:
    """This test's failures are normal, not critical: replace the severity label that the
    conftest set from the catalog (Allure keeps the first severity label it is given)."""
    try:
        import allure
        from allure_commons import plugin_manager

        for plugin in plugin_manager.get_plugins():
            logger = getattr(plugin, "allure_logger", None)
            result = logger.get_test(None) if logger is not None else None
            if result is not None:
                result.labels = [label for label in result.labels if label.name != "severity"]
        allure.dynamic.severity(allure.severity_level.NORMAL)
    except Exception:  # noqa: BLE001 - outside Allure there is no label to change
        pass


@pytest.mark.check("ONB-14")
def test_pages_use_tls_and_hsts(harness: Harness) -> None:
    walk = _walk(harness)
    pages = _pages(harness, walk)
    mode = harness.config.app.mode
    problems: dict[str, str | None] = {}
    if mode == "production":
        urls = [harness.config.app.onboarding_url] + [page.hop.url for page in pages]
        for url in urls:
            host = host_port(url)
            if urlsplit(url).scheme == "https" and host not in problems:
                problems[host] = verify_tls(url, harness.ca_file,
                                            harness.config.thresholds.onboarding_timeout)
    record(page_security.transport_secure(pages, mode=mode, tls_problems=problems,
                                          onboarding_url=harness.config.app.onboarding_url),
           pages=[{"page": page.name, "status": page.hop.status,
                   "headers": [list(pair) for pair in page.hop.headers]} for page in pages])


@pytest.mark.check("ONB-14")
def test_pages_protect_cookies_code_and_frames(harness: Harness) -> None:
    _normal_severity()
    walk = _walk(harness)
    pages = _pages(harness, walk)
    record(page_security.pages_protected(
               pages, walk.result.hops, mode=harness.config.app.mode,
               app_hosts=_app_hosts(harness), browser_requests=walk.result.requests,
               expect_callback=harness.config.app.auth == "oauth"),
           pages=[{"page": page.name, "status": page.hop.status,
                   "headers": [list(pair) for pair in page.hop.headers]} for page in pages],
           browser_requests=walk.result.requests,
           blocked_requests=walk.result.blocked_requests)
