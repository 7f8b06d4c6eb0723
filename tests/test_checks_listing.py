"""LST-02 and LST-05 by mode: http on loopback is a development run, never a publishable URL."""

from __future__ import annotations

from checks.listing import onboarding_url_publishable, support_url_works
from sbready.listing import UrlFacts


def _answer(url: str, status: int = 200, final_url: str | None = None) -> UrlFacts:
    return UrlFacts(url, final_url or url, status, (), None)


def test_http_support_url_fails_in_production_and_warns_on_loopback_in_development() -> None:
    local = "http://127.0.0.1:8700/support"
    production = support_url_works(_answer(local))
    development = support_url_works(_answer(local), mode="development")
    assert not production.passed and f"{local} is not https" in production.message()
    assert development.passed
    assert any("accepted in development mode" in w for w in development.warnings)
    # development mode does not excuse http on a real host
    remote = support_url_works(_answer("http://support.example.nl/"), mode="development")
    assert not remote.passed and "is not https" in remote.message()


def test_support_url_redirecting_to_http_fails_even_in_development() -> None:
    answer = _answer("https://support.example.nl/", final_url="http://support.example.nl/x")
    judged = support_url_works(answer, mode="development")
    assert not judged.passed and "which is not https" in judged.message()


def test_http_onboarding_url_by_mode() -> None:
    local = "http://localhost:8700/Appcenter/AFASSB/"
    answer = _answer(local + "?afasBaseUrl=x", status=200)
    assert not onboarding_url_publishable(local, answer).passed
    development = onboarding_url_publishable(local, answer, mode="development")
    assert development.passed and development.warnings
    relative = onboarding_url_publishable("/Appcenter/AFASSB/", answer, mode="development")
    assert not relative.passed and "not an absolute URL" in relative.message()
