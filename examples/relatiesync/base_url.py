"""Which afasBaseUrl values RelatieSync trusts: AFAS SB hosts only, plus hosts named for tests."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from urllib.parse import urlsplit

from examples.relatiesync.flaws import flaw

AFAS_SB_DOMAIN = ".afasfocus.nl"
EXAMPLE = "https://<subdomain>.afasfocus.nl/<environment>"


class UntrustedBaseUrl(ValueError):
    """An afasBaseUrl RelatieSync will not send the customer's app token to."""


@dataclass(frozen=True)
class SbEnvironment:
    """A validated customer environment: `https://x.afasfocus.nl/env` and its parts."""

    base_url: str  # scheme://host[:port]/environment, no trailing slash
    environment: str


def parse_base_url(raw: str | None, *, trusted_hosts: Collection[str] = ()) -> SbEnvironment:
    """The SB customer environment in `raw`, or UntrustedBaseUrl with a sentence saying why.

    AFAS hosts are `https://<subdomain>.afasfocus.nl`; `trusted_hosts` ("host:port") are extra
    hosts an operator allows for testing (a local SB sandbox), over http or https.
    """
    text = (raw or "").strip()
    if not text:
        raise UntrustedBaseUrl(f"afasBaseUrl is missing; AFAS adds it when it opens this page, "
                               f"e.g. ?afasBaseUrl={EXAMPLE}")
    parts = urlsplit(text)
    try:
        port = parts.port
    except ValueError:
        raise UntrustedBaseUrl(f"afasBaseUrl {text!r} has an invalid port; expected a URL "
                               f"like {EXAMPLE}") from None
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        raise UntrustedBaseUrl(f"afasBaseUrl {text!r} is not a URL; expected a URL like "
                               f"{EXAMPLE}")
    netloc = f"{host}:{port}" if port else host
    allowed_for_tests = netloc in {h.lower() for h in trusted_hosts} or flaw("any_host_trusted")
    if not allowed_for_tests:
        if not host.endswith(AFAS_SB_DOMAIN):
            raise UntrustedBaseUrl(f"afasBaseUrl {text!r} is not an AFAS SB address; only "
                                   f"*{AFAS_SB_DOMAIN} hosts are accepted")
        if parts.scheme != "https":
            raise UntrustedBaseUrl(f"afasBaseUrl {text!r} must use https")
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) != 1:
        raise UntrustedBaseUrl(f"afasBaseUrl {text!r} must name one customer environment, "
                               f"e.g. {EXAMPLE}")
    environment = segments[0]
    if environment.lower() == "admin":
        raise UntrustedBaseUrl("RelatieSync connects to one customer environment, not to the "
                               "Admin Center; activate it in the customer's App Center")
    if flaw("environment_dropped"):
        return SbEnvironment(f"{parts.scheme}://{netloc}", environment)
    return SbEnvironment(f"{parts.scheme}://{netloc}/{environment}", environment)
