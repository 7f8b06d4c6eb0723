"""LST: the App Center listing data AFAS asks for (logo, support URL, texts, onboarding URL)."""

from __future__ import annotations

from urllib.parse import urlsplit

from checks.judgement import Judgement, failed, judge, passed
from sbready.evidence import LogoFacts, UrlFacts

ACCEPTED_LOGO_FORMATS = ("PNG", "JPEG", "SVG")
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
PLACEHOLDER_MARKERS = ("lorem ipsum", "todo", "tbd", "placeholder", "description here", "xxx")


def logo_usable(logo: LogoFacts, *, min_px: int, square_tolerance: float) -> Judgement:
    """LST-01: the logo exists, is PNG/JPEG/SVG, square within the tolerance, big enough."""
    if not logo.exists:
        return failed("LST-01", f"The logo file {logo.path} does not exist.", path=logo.path)
    findings = []
    if logo.format not in ACCEPTED_LOGO_FORMATS:
        findings.append(f"format is {logo.format or 'unknown'} ({logo.problem or 'unsupported'});"
                        " AFAS accepts PNG, JPEG or SVG")
    if logo.width is None or logo.height is None:
        findings.append(f"size could not be measured: {logo.problem}")
    else:
        ratio = max(logo.width, logo.height) / max(min(logo.width, logo.height), 1e-9)
        if ratio - 1 > square_tolerance:
            findings.append(f"{logo.width:g}x{logo.height:g} px is not square "
                            f"(ratio {ratio:.2f}, tolerance {square_tolerance:.0%})")
        if logo.format != "SVG" and min(logo.width, logo.height) < min_px:
            findings.append(f"{logo.width:g}x{logo.height:g} px is smaller than "
                            f"{min_px}x{min_px} px")
    return judge(
        "LST-01", findings,
        f"The logo is a {logo.format} of {logo.width:g}x{logo.height:g} px."
        if logo.width and logo.height else "The logo is usable.",
        "The logo does not meet the App Center's requirements.",
        path=logo.path, format=logo.format, width=logo.width, height=logo.height,
    )


def _not_https(url: str, mode: str, findings: list[str], warnings: list[str]) -> None:
    """http is a finding, except on loopback in development mode: a local test run of an app
    that will be published with https (a warning reminds the partner)."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        return
    if mode == "development" and parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS:
        warnings.append(f"{url} is http on loopback: accepted in development mode; AFAS "
                        "publishes only https URLs, so submit the https one")
        return
    findings.append(f"{url} is not https")


def support_url_works(support: UrlFacts, *, mode: str = "production") -> Judgement:
    """LST-02: the support URL is https and answers 2xx after redirects."""
    findings: list[str] = []
    warnings: list[str] = []
    _not_https(support.url, mode, findings, warnings)
    if support.error:
        findings.append(f"{support.url} could not be fetched: {support.error}")
    elif support.status is None or not 200 <= support.status < 300:
        findings.append(f"{support.url} answered {support.status} (at {support.final_url})")
    elif support.final_url and support.final_url != support.url:
        redirected: list[str] = []
        _not_https(support.final_url, mode, redirected, warnings)
        findings += [f"{support.url} redirects to {support.final_url}, which is not https"
                     for _ in redirected]
    scheme = urlsplit(support.url).scheme
    return judge("LST-02", findings,
                 f"The support URL {support.url} answers {support.status} over {scheme}.",
                 "The support URL does not work for customers.", warnings=warnings,
                 url=support.url, status=support.status, final_url=support.final_url)


def summary_fits(summary: str | None, *, max_chars: int) -> Judgement:
    """LST-03: a summary is present and at most `max_chars` characters."""
    text = (summary or "").strip()
    if not text:
        return failed("LST-03", "The listing has no summary; AFAS shows it in the App Center.")
    if len(text) > max_chars:
        return failed("LST-03", f"The summary has {len(text)} characters; at most {max_chars} "
                      "fit the App Center tile.", length=len(text))
    return passed("LST-03", f"The summary has {len(text)} characters (at most {max_chars}).")


def description_detailed(description: str | None, *, min_chars: int) -> Judgement:
    """LST-04: a detailed description is present, long enough, and not placeholder text."""
    text = (description or "").strip()
    if not text:
        return failed("LST-04", "The listing has no detailed description.")
    lowered = text.lower()
    markers = [m for m in PLACEHOLDER_MARKERS if m in lowered]
    if markers:
        return failed("LST-04", "The description contains placeholder text.",
                      [f"contains '{m}'" for m in markers])
    if len(text) < min_chars:
        return failed("LST-04", f"The description has {len(text)} characters; AFAS expects a "
                      f"detailed description of at least {min_chars}.", length=len(text))
    return passed("LST-04", f"The description has {len(text)} characters.")


def onboarding_url_publishable(
    url: str, first_answer: UrlFacts | None, *, mode: str = "production"
) -> Judgement:
    """LST-05: the onboarding URL is absolute https and answers when given afasBaseUrl."""
    if not url:
        return failed("LST-05", "The listing has no onboarding URL; AFAS opens it from the App "
                      "Center with afasBaseUrl appended.")
    parts = urlsplit(url)
    findings: list[str] = []
    warnings: list[str] = []
    if not parts.scheme or not parts.netloc:
        findings.append(f"'{url}' is not an absolute URL; AFAS opens it from the App Center")
    else:
        _not_https(url, mode, findings, warnings)
    if first_answer is None:
        findings.append("the onboarding URL was not opened with afasBaseUrl")
    elif first_answer.error:
        findings.append(f"opening it with afasBaseUrl failed: {first_answer.error}")
    elif first_answer.status is None or not 200 <= first_answer.status < 400:
        findings.append(f"opening it with afasBaseUrl answered {first_answer.status}")
    return judge("LST-05", findings,
                 f"The onboarding URL {url} is absolute {parts.scheme} and accepts afasBaseUrl.",
                 "The onboarding URL cannot be published as it is.", warnings=warnings, url=url)
