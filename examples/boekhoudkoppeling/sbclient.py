"""AFAS SB over one keep-alive connection (standard library `http.client`), with this app's
own cautious policy: long client timeouts, few attempts, and a token that renews itself.
"""

from __future__ import annotations

import email.utils
import http.client
import json
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any
from urllib.parse import urlencode, urlsplit

GEBRUIKERSAGENT = "Boekhoudkoppeling/1.0 (+python http.client)"
VERNIEUW_MARGE_S = 60  # renew an access token this long before AFAS says it expires


class SbFout(Exception):
    """A sync-stopping problem, with a Dutch one-line reason and the exit code it means."""

    exit_code = 1


class ToestemmingIngetrokken(SbFout):
    """AFAS refused the refresh token (invalid_grant): the customer must connect again."""

    exit_code = 3


class GeenRechten(SbFout):
    """SB answered 403: the app lacks rights (a bundle) for this operation."""


class SbOnbereikbaar(SbFout):
    """SB did not answer usefully within the app's attempts."""


class Transportfout(Exception):
    """No (complete) answer: timeout, refused or dropped connection."""


@dataclass(frozen=True)
class Beleid:
    """How patient the app is with SB (its own choice, not the harness's)."""

    pogingen: int = 3  # attempts per request on 5xx or no answer
    timeout_s: float = 10.0  # per socket operation
    wachttijden: tuple[float, ...] = (1.0, 3.0)  # before the 2nd and 3rd attempt
    max_throttle: int = 3  # 429 answers accepted per request
    max_retry_after_s: float = 60.0  # longer waits are reported instead


@dataclass(frozen=True)
class Antwoord:
    """One HTTP answer from SB."""

    status: int
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> Any:
        """The body as JSON (None when it is not JSON)."""
        try:
            return json.loads(self.body.decode("utf-8")) if self.body else None
        except (UnicodeDecodeError, json.JSONDecodeError):
            return None


def kort(antwoord: Antwoord) -> str:
    """SB's own message of an error answer, for a one-line report."""
    body = antwoord.json()
    if isinstance(body, dict):
        for sleutel in ("Message", "message", "error_description", "error"):
            if body.get(sleutel):
                return str(body[sleutel])[:200]
    return antwoord.body.decode("utf-8", "replace")[:200] or f"HTTP {antwoord.status}"


class Verbinding:
    """One persistent connection to one SB host; reopened after an error."""

    def __init__(self, server_url: str, timeout_s: float, ca_bestand: str | None = None) -> None:
        delen = urlsplit(server_url)
        self.https = delen.scheme == "https"
        self.host = delen.hostname or ""
        self.poort = delen.port
        self.timeout_s = timeout_s
        self.context = ssl.create_default_context(cafile=ca_bestand) if self.https else None
        self._conn: http.client.HTTPConnection | None = None

    def _open(self) -> http.client.HTTPConnection:
        if self._conn is None:
            if self.context is not None:
                self._conn = http.client.HTTPSConnection(self.host, self.poort,
                                                         timeout=self.timeout_s,
                                                         context=self.context)
            else:
                self._conn = http.client.HTTPConnection(self.host, self.poort,
                                                        timeout=self.timeout_s)
        return self._conn

    def verstuur(self, methode: str, pad: str, headers: Mapping[str, str],
                 body: bytes | None = None) -> Antwoord:
        """Send one request and read the whole answer; raise Transportfout without one."""
        conn = self._open()
        try:
            conn.request(methode, pad, body=body, headers={
                "User-Agent": GEBRUIKERSAGENT, "Connection": "keep-alive", **headers})
            response = conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as fout:
            self.sluit()
            raise Transportfout(type(fout).__name__ + (f": {fout}" if str(fout) else "")) \
                from fout
        if response.will_close:
            self.sluit()
        return Antwoord(response.status, {k.lower(): v for k, v in response.getheaders()}, data)

    def sluit(self) -> None:
        """Close the connection (the next request opens a new one)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def retry_after_s(waarde: str | None, standaard: float = 5.0) -> float:
    """Seconds to wait for a Retry-After header (delta-seconds or an HTTP date)."""
    if not waarde:
        return standaard
    waarde = waarde.strip()
    try:
        return max(0.0, float(waarde))
    except ValueError:
        pass
    try:
        moment = email.utils.parsedate_to_datetime(waarde)
    except (TypeError, ValueError):
        return standaard
    return max(0.0, moment.timestamp() - time.time())


@dataclass
class TokenBron:
    """The connection's tokens and how to renew them (the sync persists every renewal)."""

    token_url: str  # <basis_url>/app/token
    client_id: str
    client_secret: str
    refresh_token: str
    access_token: str | None
    verloopt: float
    bewaar: Callable[[str, float], None] = field(repr=False)


class SbClient:
    """The SB API of one customer environment, under the app's retry policy."""

    def __init__(self, basis_url: str, tokens: TokenBron, beleid: Beleid | None = None,
                 ca_bestand: str | None = None, slaap: Callable[[float], None] = time.sleep,
                 log: Callable[[str], None] = print) -> None:
        self.basis_url = basis_url.rstrip("/")
        self.basis_pad = urlsplit(self.basis_url).path
        self.tokens = tokens
        self.beleid = beleid or Beleid()
        self.slaap = slaap
        self.log = log
        self.verbinding = Verbinding(self.basis_url, self.beleid.timeout_s, ca_bestand)

    def sluit(self) -> None:
        """Close the connection."""
        self.verbinding.sluit()

    # ---- the policy --------------------------------------------------------------------------
    def _met_beleid(self, wat: str, verstuur: Callable[[], Antwoord]) -> Antwoord:
        """Send until an answer that is not 5xx/429 comes, within the policy's attempts."""
        pogingen = throttles = 0
        while True:
            try:
                antwoord = verstuur()
            except Transportfout as fout:
                reden = f"geen antwoord ({fout})"
            else:
                if antwoord.status == 429:
                    throttles += 1
                    wacht = retry_after_s(antwoord.headers.get("retry-after"))
                    te_lang = wacht > self.beleid.max_retry_after_s
                    if throttles > self.beleid.max_throttle or te_lang:
                        raise SbOnbereikbaar(f"AFAS SB blijft {wat} afremmen (429, Retry-After "
                                             f"{wacht:g} s); probeer het later opnieuw.")
                    self.log(f"AFAS SB vraagt {wacht:g} s te wachten (429) bij {wat}.")
                    self.slaap(wacht)
                    continue
                if antwoord.status < 500:
                    return antwoord
                reden = f"HTTP {antwoord.status} ({kort(antwoord)})"
            pogingen += 1
            if pogingen >= self.beleid.pogingen:
                raise SbOnbereikbaar(f"AFAS SB gaf {pogingen} keer geen bruikbaar antwoord op "
                                     f"{wat}: {reden}.")
            wacht = self.beleid.wachttijden[min(pogingen, len(self.beleid.wachttijden)) - 1]
            self.log(f"{wat}: {reden}; nieuwe poging over {wacht:g} s.")
            self.slaap(wacht)

    # ---- tokens ------------------------------------------------------------------------------
    def vernieuw_token(self) -> None:
        """Renew the access token with the refresh token (AFAS: form POST to /app/token)."""
        formulier = urlencode({
            "grant_type": "refresh_token",
            "client_id": self.tokens.client_id,
            "client_secret": self.tokens.client_secret,
            "refresh_token": self.tokens.refresh_token,
        }).encode("ascii")
        pad = urlsplit(self.tokens.token_url).path
        headers = {"Content-Type": "application/x-www-form-urlencoded",
                   "Accept": "application/json"}
        antwoord = self._met_beleid("het vernieuwen van het token",
                                    lambda: self.verbinding.verstuur("POST", pad, headers,
                                                                     formulier))
        body = antwoord.json()
        fout = body.get("error") if isinstance(body, dict) else None
        if fout == "invalid_grant":
            raise ToestemmingIngetrokken(
                "AFAS SB accepteert de toestemming van Boekhoudkoppeling niet meer "
                f"({fout}). Koppel de app opnieuw via de App Center van AFAS SB.")
        if fout == "invalid_client":
            raise SbFout("AFAS SB kent het client id of secret van Boekhoudkoppeling niet "
                         "(invalid_client); controleer BOEKHOUD_CLIENT_ID en "
                         "BOEKHOUD_CLIENT_SECRET.")
        if antwoord.status != 200 or not isinstance(body, dict) or not body.get("access_token"):
            raise SbFout(f"Het token vernieuwen mislukte: HTTP {antwoord.status} "
                         f"({kort(antwoord)}).")
        try:
            geldig = float(body.get("expires_in") or 600)  # AFAS sends it as a string
        except (TypeError, ValueError):
            geldig = 600.0
        self.tokens.access_token = str(body["access_token"])
        self.tokens.verloopt = time.time() + geldig
        self.tokens.bewaar(self.tokens.access_token, self.tokens.verloopt)

    def _token(self) -> str:
        if not self.tokens.access_token or self.tokens.verloopt - VERNIEUW_MARGE_S < time.time():
            self.vernieuw_token()
        assert self.tokens.access_token is not None
        return self.tokens.access_token

    # ---- API calls ---------------------------------------------------------------------------
    def api(self, methode: str, eindpunt: str, *, versie: str,
            query: Mapping[str, str | int] | None = None, body: Any = None,
            tracking_id: str | None = None) -> Antwoord:
        """One API call: renews the token once on 401, reports 403, retries per policy.

        Answers below 500 other than 401/403 are returned for the caller to judge.
        """
        pad = f"{self.basis_pad}/api/{eindpunt}" + (f"?{urlencode(query)}" if query else "")
        wat = f"{methode} /api/{eindpunt}"
        data = json.dumps(body).encode("utf-8") if body is not None else None
        vernieuwd = False
        while True:
            headers = {"Authorization": f"Bearer {self._token()}", "Accept-Version": versie,
                       "Accept": "application/json"}
            if data is not None:
                headers["Content-Type"] = "application/json"
            if tracking_id:
                headers["Tracking-Identifier"] = tracking_id
            antwoord = self._met_beleid(wat, partial(self.verbinding.verstuur, methode, pad,
                                                     headers, data))
            if antwoord.status == 401 and not vernieuwd:
                vernieuwd = True  # the token may have expired early: renew once, then retry
                self.vernieuw_token()
                continue
            if antwoord.status == 401:
                raise ToestemmingIngetrokken(
                    f"AFAS SB weigert ook het vernieuwde token bij {wat} ({kort(antwoord)}). "
                    "Koppel de app opnieuw via de App Center van AFAS SB.")
            if antwoord.status == 403:
                raise GeenRechten(
                    f"Geen rechten voor {wat} in AFAS SB ({kort(antwoord)}). Vraag de "
                    "beheerder de app de bundel Verkoopjournaalpost te geven.")
            return antwoord
