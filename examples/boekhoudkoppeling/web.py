"""The web side as a WSGI app: landing page, login, OAuth consent, callback, confirmation.

The callback only verifies the state, trades the code for tokens and stores them; the first
API call is the sync's, run later.
"""

from __future__ import annotations

import json
import secrets
import sys
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit
from wsgiref.types import StartResponse, WSGIEnvironment

from . import flaws, paginas, pkce
from .adres import OngeldigAdres, VreemdeHost, parse_basis_url
from .instellingen import Instellingen
from .opslag import POGING_GELDIG_S, Koppeling, Opslag, Poging, Sessie
from .sbclient import Transportfout, Verbinding, kort

COOKIE = "bk_sessie"
MAX_FORMULIER = 16_384  # bytes of a posted form we read at most
_REDENEN = {200: "OK", 302: "Found", 303: "See Other", 400: "Bad Request",
            401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
            413: "Payload Too Large", 500: "Internal Server Error", 502: "Bad Gateway"}


@dataclass
class Antwoord:
    """What a handler answers."""

    status: int
    body: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)
    content_type: str = "text/html; charset=utf-8"


def _doorsturen(url: str, status: int = 303) -> Antwoord:
    return Antwoord(status, "", [("Location", url)])


@dataclass
class Verzoek:
    """One request, parsed as far as the handlers need."""

    methode: str
    pad: str
    query: dict[str, list[str]]
    cookie: str | None
    formulier: dict[str, list[str]]
    nieuwe_cookies: list[str] = field(default_factory=list)  # Set-Cookie values to answer

    def param(self, naam: str) -> str | None:
        """The first value of a query parameter."""
        waarden = self.query.get(naam)
        return waarden[0] if waarden else None

    def veld(self, naam: str) -> str:
        """The first value of a form field ('' when absent)."""
        waarden = self.formulier.get(naam)
        return waarden[0] if waarden else ""


def _lees_verzoek(environ: WSGIEnvironment) -> Verzoek:
    cookie = None
    try:
        jar = SimpleCookie(environ.get("HTTP_COOKIE", ""))
        if COOKIE in jar:
            cookie = jar[COOKIE].value
    except CookieError:
        pass
    formulier: dict[str, list[str]] = {}
    if environ.get("REQUEST_METHOD") == "POST":
        try:
            lengte = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            lengte = 0
        if lengte > MAX_FORMULIER:
            raise ValueError("formulier te groot")
        data = environ["wsgi.input"].read(lengte) if lengte > 0 else b""
        formulier = parse_qs(data.decode("utf-8", "replace"), keep_blank_values=True)
    return Verzoek(environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", "/"),
                   parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True),
                   cookie, formulier)


def _sessie_sleutel(cookie: str) -> str:
    """The database key of a session cookie (its hash: the cookie itself is not stored)."""
    return pkce.state_hash("sessie:" + cookie)


class BoekhoudApp:
    """The WSGI application."""

    def __init__(self, instellingen: Instellingen, opslag: Opslag) -> None:
        self.instellingen = instellingen
        self.opslag = opslag
        self.https = instellingen.publieke_url.startswith("https://")
        self.routes: dict[tuple[str, str], Callable[[Verzoek], Antwoord]] = {
            ("GET", "/"): lambda v: Antwoord(200, paginas.home()),
            ("GET", "/gezond"): lambda v: Antwoord(200, "ok", content_type="text/plain"),
            ("GET", "/ondersteuning"): lambda v: Antwoord(200, paginas.ondersteuning()),
            ("GET", "/afas-sb/"): self.landing,
            ("GET", "/afas-sb"): self.landing,
            ("POST", "/afas-sb/inloggen"): self.inloggen,
            ("GET", "/afas-sb/inloggen"): lambda v: _doorsturen("/afas-sb/"),
            ("GET", "/afas-sb/koppelen"): self.koppelen,
            ("GET", "/afas-sb/terugkoppeling"): self.terugkoppeling,
            ("GET", "/afas-sb/gekoppeld"): self.gekoppeld,
            ("GET", "/afas-sb/aanmelden"): self.aanmelden,
            ("POST", "/afas-sb/aanmelden"): self.aanmelden,
        }

    # ---- WSGI --------------------------------------------------------------------------------
    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        nieuwe_cookie: list[str] = []
        try:
            verzoek = _lees_verzoek(environ)
            nieuwe_cookie = verzoek.nieuwe_cookies
            handler = self.routes.get((verzoek.methode, verzoek.pad))
            if handler is None:
                bekend = any(pad == verzoek.pad for _, pad in self.routes)
                antwoord = Antwoord(405 if bekend else 404, paginas.melding(
                    "Pagina niet gevonden", "Deze pagina bestaat niet."))
            else:
                antwoord = handler(verzoek)
        except ValueError:
            antwoord = Antwoord(413, paginas.melding("Verzoek te groot",
                                                     "Het formulier is te groot."))
        except Exception as fout:  # noqa: BLE001 - a user never sees a stack trace
            print(f"fout bij {environ.get('REQUEST_METHOD')} {environ.get('PATH_INFO')}: "
                  f"{type(fout).__name__}", file=sys.stderr, flush=True)
            antwoord = Antwoord(500, paginas.melding(
                "Er ging iets mis", "Er ging bij ons iets mis. Probeer het over een paar "
                "minuten opnieuw of neem contact op met ondersteuning."))
        body = antwoord.body.encode("utf-8")
        headers = [("Content-Type", antwoord.content_type), ("Content-Length", str(len(body))),
                   ("Cache-Control", "no-store"), ("Referrer-Policy", "no-referrer"),
                   ("X-Frame-Options", "DENY"), ("X-Content-Type-Options", "nosniff"),
                   ("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; "
                                               "frame-ancestors 'none'; base-uri 'none'"),
                   *antwoord.headers]
        if flaws.aan("inlijsten_toegestaan"):
            headers = [h for h in headers if h[0] != "X-Frame-Options"]
            headers = [(k, v.replace("frame-ancestors 'none'; ", "")) for k, v in headers]
        if self.https:
            headers.append(("Strict-Transport-Security", "max-age=31536000"))
        headers += [("Set-Cookie", c) for c in nieuwe_cookie]
        start_response(f"{antwoord.status} {_REDENEN.get(antwoord.status, 'OK')}", headers)
        return [body]

    # ---- sessions ----------------------------------------------------------------------------
    def _sessie(self, verzoek: Verzoek) -> Sessie | None:
        if not verzoek.cookie:
            return None
        return self.opslag.sessie(_sessie_sleutel(verzoek.cookie))

    def _nieuwe_sessie(self, verzoek: Verzoek, gebruiker: str | None,
                       basis_url: str | None) -> Sessie:
        """A fresh session (also after login: a new id against session fixation)."""
        cookie = secrets.token_urlsafe(32)
        sessie = Sessie(_sessie_sleutel(cookie), gebruiker, basis_url)
        self.opslag.bewaar_sessie(sessie)
        veilig = "; Secure" if self.https else ""
        vlaggen = "" if flaws.aan("sessiecookie_zonder_vlaggen") else "; HttpOnly; SameSite=Lax"
        verzoek.nieuwe_cookies.append(f"{COOKIE}={cookie}; Path=/{vlaggen}{veilig}")
        return sessie

    @staticmethod
    def _formtoken(sessie: Sessie) -> str:
        """A per-session token for the login form (login CSRF)."""
        return pkce.state_hash("formulier:" + sessie.id)[:32]

    # ---- pages -------------------------------------------------------------------------------
    def landing(self, verzoek: Verzoek) -> Antwoord:
        """GET /afas-sb/?afasBaseUrl=...: validate the address, then log in or connect."""
        try:
            omgeving = parse_basis_url(verzoek.param("afasBaseUrl"), self.instellingen.testhosts)
        except VreemdeHost as fout:
            return Antwoord(400, paginas.melding("Geen AFAS SB-adres", str(fout)))
        except OngeldigAdres as fout:
            if flaws.aan("stacktrace_bij_fout_adres"):
                return Antwoord(500, paginas.pagina("Fout", f"<pre>{traceback.format_exc()}</pre>"))
            return Antwoord(400, paginas.melding("Ongeldig adres", str(fout), opnieuw=True))
        sessie = self._sessie(verzoek)
        if sessie is None and flaws.aan("prospect_404") and not any(
                k.basis_url == omgeving.basis_url for k in self.opslag.koppelingen()):
            return Antwoord(404, paginas.melding(
                "Onbekende klant",
                f"Er is geen account voor AFAS SB-omgeving {omgeving.omgeving}."))
        if sessie is None:
            sessie = self._nieuwe_sessie(verzoek, None, omgeving.basis_url)
        else:
            sessie = Sessie(sessie.id, sessie.gebruiker, omgeving.basis_url)
            self.opslag.bewaar_sessie(sessie)
        if sessie.gebruiker:
            return _doorsturen("/afas-sb/koppelen")
        bekend = any(k.basis_url == omgeving.basis_url for k in self.opslag.koppelingen())
        return Antwoord(200, paginas.landing(omgeving.omgeving, self._formtoken(sessie),
                                             bekend=bekend))

    def inloggen(self, verzoek: Verzoek) -> Antwoord:
        """POST /afas-sb/inloggen: the app's own account, then on to AFAS's consent."""
        sessie = self._sessie(verzoek)
        if sessie is None or not sessie.basis_url or not pkce.zelfde(
                verzoek.veld("formtoken"), self._formtoken(sessie)):
            return Antwoord(400, paginas.melding(
                "Sessie verlopen", "Uw sessie is verlopen of onbekend.", opnieuw=True))
        wachtwoord = self.instellingen.wachtwoord
        goed = (wachtwoord is not None
                and pkce.zelfde(verzoek.veld("gebruikersnaam").strip().lower(),
                                self.instellingen.gebruiker.lower())
                and pkce.zelfde(verzoek.veld("wachtwoord"), wachtwoord))
        if not goed:
            omgeving = sessie.basis_url.rsplit("/", 1)[-1]
            return Antwoord(401, paginas.landing(omgeving, self._formtoken(sessie), bekend=False,
                                                 melding="Onjuist e-mailadres of wachtwoord."))
        self._nieuwe_sessie(verzoek, self.instellingen.gebruiker, sessie.basis_url)
        return _doorsturen("/afas-sb/koppelen")

    def koppelen(self, verzoek: Verzoek) -> Antwoord:
        """GET /afas-sb/koppelen: a fresh state and PKCE verifier, then to AFAS's /app/auth."""
        sessie = self._sessie(verzoek)
        if sessie is None or not sessie.gebruiker or not sessie.basis_url:
            return Antwoord(400, paginas.melding(
                "Koppeling niet gestart", "Er is geen koppeling gestart in deze sessie.",
                opnieuw=True))
        state, verifier = pkce.nieuwe_state(), pkce.nieuwe_verifier()
        if flaws.aan("vaste_state"):
            state = pkce.state_hash("boekhoudkoppeling")[:43]  # the same every attempt
        basis_url = flaws.VASTE_OMGEVING if flaws.aan("vaste_omgeving") else sessie.basis_url
        self.opslag.bewaar_poging(pkce.state_hash(state),
                                  Poging(sessie.id, verifier, basis_url, time.time()))
        plain = flaws.aan("pkce_plain")
        slash = "/" if flaws.aan("redirect_uri_met_slash") else ""
        query = urlencode({
            "client_id": self.instellingen.client_id,
            "redirect_uri": self.instellingen.redirect_uri + slash,
            "response_type": "code",
            "code_challenge": verifier if plain else pkce.challenge(verifier),
            "code_challenge_method": "plain" if plain else "S256",
            "state": state,
        })
        return _doorsturen(f"{basis_url}/app/auth?{query}", 302)

    def terugkoppeling(self, verzoek: Verzoek) -> Antwoord:
        """GET /afas-sb/terugkoppeling: verify state, trade the code, store the tokens. No more."""
        sessie = self._sessie(verzoek)
        state = verzoek.param("state")
        poging = self.opslag.neem_poging(pkce.state_hash(state)) if state else None
        if poging is None and sessie is not None and flaws.aan("state_niet_controleren"):
            poging = self.opslag.laatste_poging(sessie.id)
        geldig = (poging is not None and sessie is not None and pkce.zelfde(poging.sessie,
                                                                           sessie.id)
                  and poging.aangemaakt > time.time() - POGING_GELDIG_S)
        fout = verzoek.param("error")
        if fout and not flaws.aan("fout_bij_weigering"):
            if fout == "access_denied":
                return Antwoord(200, paginas.melding(
                    "Geen toestemming gegeven", "U heeft Boekhoudkoppeling geen toegang tot "
                    "AFAS SB gegeven, dus er is niets gekoppeld. Wilt u toch koppelen?",
                    opnieuw=True))
            return Antwoord(400, paginas.melding(
                "Koppelen mislukt", f"AFAS SB meldde een fout: {fout[:100]}.", opnieuw=True))
        if not geldig or poging is None or sessie is None:
            return Antwoord(400, paginas.melding(
                "Ongeldige terugkoppeling", "Deze terugkoppeling van AFAS SB hoort niet bij een "
                "koppeling die u in deze sessie startte; er is niets gekoppeld.", opnieuw=True))
        code = verzoek.query["code"][0] if flaws.aan("fout_bij_weigering") \
            else verzoek.param("code")
        if not code:
            return Antwoord(400, paginas.melding(
                "Koppelen mislukt", "AFAS SB gaf geen autorisatiecode mee.", opnieuw=True))
        tokens = self._wissel_code_in(poging.basis_url, code, poging.verifier)
        if isinstance(tokens, str):
            return Antwoord(502, paginas.melding("Koppelen mislukt", tokens, opnieuw=True))
        bestaand = [k for k in self.opslag.koppelingen() if k.basis_url == poging.basis_url]
        if not (bestaand and flaws.aan("oude_tokens_houden")):  # the flaw drops new tokens
            self.opslag.bewaar_koppeling(Koppeling(
                poging.basis_url, sessie.gebruiker or "", str(tokens["refresh_token"]),
                str(tokens["access_token"]), time.time() + _seconden(tokens.get("expires_in"))))
        omgeving = poging.basis_url.rsplit("/", 1)[-1]
        return _doorsturen("/afas-sb/gekoppeld?" + urlencode({"omgeving": omgeving}))

    def _wissel_code_in(self, basis_url: str, code: str, verifier: str) -> dict[str, Any] | str:
        """POST <basis_url>/app/token (form-encoded, six fields): the tokens, or why not."""
        velden = {
            "grant_type": "authorization_code",
            "client_id": self.instellingen.client_id,
            "client_secret": self.instellingen.client_secret,
            "redirect_uri": self.instellingen.redirect_uri,
            "code": code,
            "code_verifier": verifier,
        }
        if flaws.aan("zonder_verifier"):
            del velden["code_verifier"]
        soort = "application/x-www-form-urlencoded"
        formulier = urlencode(velden).encode("ascii")
        if flaws.aan("token_als_json"):
            soort, formulier = "application/json", json.dumps(velden).encode("utf-8")
        pad = urlsplit(basis_url).path + "/app/token"
        if flaws.aan("secret_in_tokenadres"):
            pad += "?" + urlencode({"client_secret": self.instellingen.client_secret})
        verbinding = Verbinding(basis_url, self.instellingen.beleid.timeout_s,
                                self.instellingen.ca_bestand)
        try:
            antwoord = verbinding.verstuur("POST", pad, {
                "Content-Type": soort, "Accept": "application/json"}, formulier)
        except Transportfout:
            return "AFAS SB antwoordde niet op tijd. Probeer het over een paar minuten opnieuw."
        finally:
            verbinding.sluit()
        body = antwoord.json()
        if antwoord.status != 200 or not isinstance(body, dict) or not body.get("access_token") \
                or not body.get("refresh_token"):
            return f"AFAS SB gaf geen tokens (HTTP {antwoord.status}: {kort(antwoord)})."
        return body

    def gekoppeld(self, verzoek: Verzoek) -> Antwoord:
        """GET /afas-sb/gekoppeld: the confirmation page."""
        omgeving = verzoek.param("omgeving") or ""
        sessie = self._sessie(verzoek)
        if sessie is None or not sessie.basis_url or sessie.basis_url.rsplit("/", 1)[-1] \
                != omgeving:
            return Antwoord(400, paginas.melding("Onbekende koppeling",
                                                 "Deze koppeling is niet van deze sessie.",
                                                 opnieuw=True))
        return Antwoord(200, paginas.gekoppeld(omgeving))

    def aanmelden(self, verzoek: Verzoek) -> Antwoord:
        """GET/POST /afas-sb/aanmelden: prospects ask for an account."""
        if verzoek.methode == "POST":
            return Antwoord(200, paginas.aanmelden(None, bedankt=True))
        sessie = self._sessie(verzoek)
        omgeving = sessie.basis_url.rsplit("/", 1)[-1] if sessie and sessie.basis_url else None
        return Antwoord(200, paginas.aanmelden(omgeving, bedankt=False))


def _seconden(waarde: object) -> float:
    """expires_in as seconds (AFAS's guide sends a string, the spec an integer)."""
    try:
        return float(str(waarde))
    except ValueError:
        return 600.0

