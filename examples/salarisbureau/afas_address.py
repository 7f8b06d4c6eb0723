"""afasBaseUrl: which SB server and which environment AFAS sent, and whether to trust it."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from urllib.parse import urlsplit

AFAS_DOMAIN = "afasfocus.nl"
ADMIN_CENTER = "admin"  # the environment segment of an accountant's Admin Center


class AddressError(ValueError):
    """afasBaseUrl is missing, malformed or points at a host this app does not trust."""

    def __init__(self, message: str, *, untrusted: bool = False) -> None:
        super().__init__(message)
        self.untrusted = untrusted


@dataclass(frozen=True)
class AfasAddress:
    """An SB base URL split into the server root and the environment segment."""

    root: str  # scheme://host[:port], no trailing slash
    environment: str  # "admin" for an Admin Center, else a customer environment

    @property
    def base_url(self) -> str:
        """The base URL AFAS hands over: <root>/<environment>."""
        return f"{self.root}/{self.environment}"

    def at(self, environment: str) -> AfasAddress:
        """The same SB server, another environment (a client of the office)."""
        return AfasAddress(self.root, environment)


def _trusted(host: str, port: int | None, scheme: str, test_hosts: Collection[str]) -> bool:
    if scheme == "https" and (host == AFAS_DOMAIN or host.endswith("." + AFAS_DOMAIN)):
        return True
    # test hosts (the sb-readiness sandbox) are named exactly, host:port, and may be http
    return f"{host}:{port}" in test_hosts if port is not None else host in test_hosts


def parse_afas_address(raw: str | None, test_hosts: Collection[str] = ()) -> AfasAddress:
    """The trusted SB address in `raw`, or AddressError with a sentence for the user.

    Only https://*.afasfocus.nl is trusted, plus the exact host:port values in `test_hosts`;
    the app later sends the office's app token to this host, so anything else is refused
    before any request is made.
    """
    example = "e.g. ?afasBaseUrl=https://office.afasfocus.nl/admin"
    if raw is None or not raw.strip():
        raise AddressError("afasBaseUrl is missing; open this page from the AFAS SB App "
                           f"Center, which adds it to the address ({example}).")
    parts = urlsplit(raw.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise AddressError(f"afasBaseUrl {raw!r} is not a web address; it must look like "
                           f"https://office.afasfocus.nl/admin ({example}).")
    try:
        port = parts.port
    except ValueError:
        raise AddressError(f"afasBaseUrl {raw!r} has an invalid port; use the address the "
                           "App Center gives, without changes.") from None
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) != 1 or parts.query or parts.fragment:
        raise AddressError(f"afasBaseUrl {raw!r} does not name one environment; it must end "
                           f"with the environment, {example}.")
    host = parts.hostname.lower()
    if not _trusted(host, port, parts.scheme, test_hosts):
        raise AddressError(f"afasBaseUrl points at {host}, which is not an AFAS SB server "
                           f"(*.{AFAS_DOMAIN}); this app only connects to AFAS.",
                           untrusted=True)
    netloc = host if port is None else f"{host}:{port}"
    return AfasAddress(f"{parts.scheme}://{netloc}", segments[0])
