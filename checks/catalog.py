"""Every check of the readiness checklist: ID, review area, severity and what AFAS looks for.

The IDs are stable: they appear in the report, the CLI summary and JUnit.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

Severity = Literal["blocker", "critical", "normal", "minor"]
LiveMode = Literal["yes", "writes", "sandbox"]

AREAS = {
    "ONB": "Working onboarding",
    "INT": "Working integration",
    "ERR": "Working error handling",
    "LST": "App Center listing",
}


@dataclass(frozen=True)
class LiveSupport:
    """Whether a check runs against a real AFAS SB through the recording proxy, and why not."""

    mode: LiveMode  # "yes"; "writes": only with writes allowed; "sandbox": sandbox only
    reason: str = ""
    consent: bool = False  # needs a consent given in this run (not run with `connected = true`)

    @property
    def label(self) -> str:
        """The README's word for it: yes, only with writes, sandbox only."""
        word = {"yes": "yes", "writes": "only with writes", "sandbox": "sandbox only"}[self.mode]
        return f"{word} (with consent)" if self.consent and self.mode != "sandbox" else word


@dataclass(frozen=True)
class CheckInfo:
    """One checklist entry."""

    id: str
    severity: Severity
    title: str
    passes_when: str
    must_fail_for: str
    live: LiveSupport = field(default=LiveSupport("yes"))

    @property
    def area(self) -> str:
        """The review area (Allure epic) this check belongs to."""
        return AREAS[self.id.split("-")[0]]

    @property
    def decides_verdict(self) -> bool:
        """Blocker and critical failures make the verdict NOT READY."""
        return self.severity in ("blocker", "critical")


def _c(id: str, severity: Severity, title: str, passes_when: str, must_fail_for: str) -> CheckInfo:
    return CheckInfo(id, severity, title, passes_when, must_fail_for)


CHECKS: dict[str, CheckInfo] = {
    c.id: c
    for c in (
        _c("ONB-01", "critical", "Onboarding URL answers",
           "The onboarding URL answers 2xx/3xx within the timeout for a valid afasBaseUrl; "
           "HTTPS in production mode.", "5xx, timeout, http:// in production"),
        _c("ONB-02", "blocker", "Known customer reaches consent and a first API call",
           "A known customer's flow reaches <afasBaseUrl>/app/auth (OAuth) or the token "
           "hand-off (app token), ends on a confirmation page, and the first API call succeeds.",
           "the app ignores afasBaseUrl and uses a hard-coded host"),
        _c("ONB-03", "normal", "Prospects get a landing page",
           "A prospect (unknown environment) gets a 2xx landing or sign-up page, not an error.",
           "4xx/5xx for prospects"),
        _c("ONB-04", "normal", "Missing or malformed afasBaseUrl is handled",
           "A missing or malformed afasBaseUrl gets a page with a message (4xx recommended: a "
           "2xx is a warning), no stack trace, no 5xx.", "500, traceback in body"),
        _c("ONB-05", "blocker", "Only AFAS hosts are trusted",
           "An afasBaseUrl outside *.afasfocus.nl (and the hosts allowlisted for testing) is "
           "refused; a decoy server on that host receives no request.",
           "the app redirects to or posts its secret to any host"),
        _c("ONB-06", "blocker", "Authorize request is well-formed (PKCE S256, state)",
           "The authorize request has client_id, the exact registered redirect_uri, "
           "response_type=code, a 43-character base64url S256 code_challenge, "
           "code_challenge_method=S256 and a state of at least 128 bits, fresh per attempt.",
           "plain PKCE, missing or constant state, wrong redirect_uri"),
        _c("ONB-07", "blocker", "Token request is well-formed",
           "The token request is a form-encoded POST with grant_type, client_id, client_secret, "
           "redirect_uri, code and code_verifier; the verifier is 43-128 characters and matches "
           "the challenge.", "JSON body, missing verifier, verifier mismatch"),
        _c("ONB-08", "blocker", "Callback state is verified",
           "A callback with a wrong or missing state is rejected and the code is never "
           "exchanged.", "the app exchanges the code without comparing state"),
        _c("ONB-09", "normal", "Denied consent is handled",
           "A callback with error=access_denied shows a clear message (2xx/4xx page), no 5xx.",
           "crash on denied consent"),
        _c("ONB-10", "critical", "Secrets never reach the browser",
           "The client secret and tokens never appear in any URL, redirect or page the browser "
           "sees.", "secret in query string or HTML"),
        _c("ONB-11", "blocker", "App token and Admin Center flows are right",
           "App-token apps exchange at /authentication/getaccesstoken with {\"apptoken\"}; "
           "admin-level apps use getscopes, then a token per environment.",
           "wrong endpoint or body, one token reused across environments"),
        _c("ONB-12", "critical", "Withdrawn consent leads to a new consent flow",
           "After consent is withdrawn (block + unblock) the app runs a new consent flow and "
           "works again.", "the app is stuck on a dead refresh token"),
        _c("ONB-13", "normal", "Redirect URI is HTTPS and exact",
           "The redirect_uri is HTTPS in production mode and registered exactly.",
           "http callback, wildcard matching"),
        _c("ONB-14", "critical", "Pages that carry codes and credentials are protected",
           "The onboarding URL, login and OAuth callback pages: valid TLS and HSTS in production "
           "mode (critical); session cookies Secure, HttpOnly and SameSite; no third-party "
           "loads from the callback and a Referrer-Policy that keeps its query from other "
           "origins; credential pages not frameable (normal).",
           "missing HSTS, cookie without Secure, callback code leaked by Referer, frameable "
           "login"),
        _c("LST-01", "critical", "Logo is usable",
           "The logo file exists, is PNG/JPEG/SVG, square within the tolerance and at least the "
           "minimum size.", "missing, tiny, wide banner"),
        _c("LST-02", "critical", "Support URL works",
           "The support URL is https and answers 2xx after redirects.", "404, http://"),
        _c("LST-03", "normal", "Summary is present and short",
           "The summary is present and at most the maximum length.", "empty, too long"),
        _c("LST-04", "normal", "Description is present and detailed",
           "The detailed description is present and at least the minimum length.",
           "empty, placeholder text"),
        _c("LST-05", "critical", "Onboarding URL is publishable",
           "The onboarding URL is absolute https and accepts afasBaseUrl.", "relative URL"),
        _c("INT-01", "blocker", "Every SB request exists in the declared SB version",
           "Every SB request matches an operation (method + path) of the declared SB version.",
           "calls to endpoints that do not exist in that version"),
        _c("INT-02", "critical", "Bearer and Accept-Version on every API call",
           "Every API call carries Authorization: Bearer and an Accept-Version equal to the "
           "operation's endpoint version; a newer endpoint version in the latest spec is a "
           "warning.", "missing or wrong Accept-Version"),
        _c("INT-03", "blocker", "Request bodies match the schema",
           "Request bodies validate against the operation's schema (required fields, types, "
           "enums, formats).", "missing required field, wrong type"),
        _c("INT-04", "critical", "Query parameters are valid",
           "skip/take are integers, sortField has the right syntax, filter is in the supported "
           "OData subset.", "malformed filter"),
        _c("INT-05", "critical", "Only granted bundles are used",
           "Only operations within the granted bundles are used.", "calls outside the grant"),
        _c("INT-06", "critical", "Lists are read completely with a stable sort",
           "Lists larger than one page are read completely with skip/take and a stable "
           "sortField.", "reads only the first page, pages without sort"),
        _c("INT-07", "minor", "Change tracking is used",
           "Endpoints with change tracking are synced incrementally with TrackingToken.",
           "full re-read every sync"),
        _c("INT-08", "blocker", "The scenario's writes land exactly once",
           "The declared scenario completes: expected writes land in the sandbox, valid, "
           "exactly once.", "nothing written, duplicates"),
        _c("INT-09", "critical", "The SB target honours the contract",
           "A schemathesis contract run of the SB target for every operation the app uses: "
           "responses conform; no 403 for a needed operation.",
           "missing rights on a needed endpoint"),
        _c("INT-10", "normal", "Request volume is sane",
           "At most N requests per synced item, connections reused.", "request storms"),
        _c("ERR-01", "blocker", "Expired access token: refresh and retry",
           "On a 401 for an expired access token the app refreshes, retries, and the sync "
           "succeeds.", "the sync fails, or re-asks the user"),
        _c("ERR-02", "critical", "Rejected refresh: stop and ask for re-authorization",
           "When the refresh is rejected (invalid_grant) the sync stops and reports that "
           "re-authorization is needed; no loop.", "endless refresh loop"),
        _c("ERR-03", "critical", "403 is reported, not hammered",
           "A 403 is reported clearly, with at most one retry.", "hammering a forbidden endpoint"),
        _c("ERR-04", "critical", "400 DS3100 is not resent blindly",
           "After a 400 DS3100 the identical payload is not resent; the error and TraceId are "
           "reported.", "blind resend"),
        _c("ERR-05", "blocker", "200 Failed / PartiallySucceeded is a failure",
           "A 200 with result Failed or PartiallySucceeded is reported as failure/partial; "
           "succeeded instances are not posted again.", "treating any 200 as success"),
        _c("ERR-06", "critical", "5xx: bounded retries with backoff",
           "On 5xx/503 the app retries a bounded number of times with increasing delay and "
           "succeeds when the fault clears.", "no retry, or an instant tight loop"),
        _c("ERR-07", "normal", "429: Retry-After is respected",
           "On a 429 with Retry-After the app waits at least that long.", "ignores Retry-After"),
        _c("ERR-08", "blocker", "Write retries are idempotent",
           "After a timeout or dropped connection on a write, the retry carries the same "
           "Tracking-Identifier, so SB holds the entry exactly once.", "duplicate entries"),
        _c("ERR-09", "critical", "Unusual but valid responses are survived",
           "Spec-valid but unusual responses (nulls, empty lists, unicode, extra fields, max "
           "lengths) cause no crash; the sync completes or reports cleanly.",
           "unhandled exception"),
        _c("ERR-10", "critical", "SB unreachable is reported in time",
           "With SB unreachable the sync reports within the configured timeout; no hang.",
           "hang, silent success"),
    )
}


_SB_HOLDS = "judges what SB holds after the writes, which only the sandbox can list"
_SYNC_SUCCEEDS = ("judges a sync that must succeed, and a review scenario's sync writes; "
                  "writes must reach SB")
# How each check fares against a real AFAS development environment (sb-readiness run --target
# live): the proxy sees the traffic, but not SB's state, and only a human can consent there.
LIVE: dict[str, LiveSupport] = {
    "ONB-02": LiveSupport("sandbox", "its confirmation page is shown in your browser after AFAS's "
                          "consent screen, where the harness cannot see it; the authorize and "
                          "token requests (ONB-06, ONB-07) and the first sync are judged live"),
    "ONB-06": LiveSupport("yes", consent=True),
    "ONB-07": LiveSupport("yes", consent=True),
    "ONB-08": LiveSupport("sandbox", "tampers with the callback of consents the harness gives "
                          "itself; at AFAS each consent needs a person"),
    "ONB-09": LiveSupport("sandbox", "presses Deny on the consent screen; at AFAS only a person "
                          "can"),
    "ONB-10": LiveSupport("yes", consent=True),
    "ONB-11": LiveSupport("sandbox", "activates app tokens and expires tokens inside SB, which "
                          "only the sandbox lets the harness do"),
    "ONB-12": LiveSupport("sandbox", "withdraws and restores consent in the App Center, which "
                          "only the sandbox lets the harness do"),
    "ONB-13": LiveSupport("yes", consent=True),
    "ONB-14": LiveSupport("sandbox", "the callback page is reached by your own browser after "
                          "AFAS's consent screen, where the harness cannot see its headers; the "
                          "pages are the same against the sandbox"),
    "INT-06": LiveSupport("sandbox", "needs each list's total, which SB does not send; only the "
                          "sandbox knows whether every record was read"),
    "INT-08": LiveSupport("sandbox", _SB_HOLDS),
    "ERR-01": LiveSupport("writes", _SYNC_SUCCEEDS),
    "ERR-02": LiveSupport("sandbox", "withdraws consent so that SB rejects the refresh token, "
                          "which only the sandbox lets the harness do"),
    "ERR-05": LiveSupport("sandbox", _SB_HOLDS),
    "ERR-06": LiveSupport("writes", _SYNC_SUCCEEDS),
    "ERR-07": LiveSupport("writes", _SYNC_SUCCEEDS),
    "ERR-08": LiveSupport("sandbox", _SB_HOLDS),
}
CHECKS = {check_id: replace(info, live=LIVE.get(check_id, info.live))
          for check_id, info in CHECKS.items()}


def check_info(check_id: str) -> CheckInfo:
    """The checklist entry for an ID; KeyError for an unknown one."""
    return CHECKS[check_id]


# ---- Dutch (the report's --lang nl); AFAS's own words for the areas ----------------------------
AREAS_NL = {
    "ONB": "Werkende onboarding",
    "INT": "Werkende integratie",
    "ERR": "Werkende foutafhandeling",
    "LST": "App Center-vermelding",
}
# The review order AFAS follows with a partner: onboarding, integration, errors, listing.
REVIEW_ORDER = ("ONB", "INT", "ERR", "LST")
# Two lines per area: what AFAS looks for there (en, nl).
AREA_INTROS: dict[str, tuple[str, str]] = {
    "ONB": ("AFAS opens your onboarding URL with afasBaseUrl, as the App Center does. A customer "
            "must reach consent safely (PKCE, state, only AFAS hosts) and land connected.",
            "AFAS opent je onboarding-URL met afasBaseUrl, zoals het App Center dat doet. Een "
            "klant moet veilig bij de toestemming komen (PKCE, state, alleen AFAS-hosts) en "
            "gekoppeld eindigen."),
    "INT": ("Your app's SB traffic is compared with the SB version you declare: existing "
            "endpoints, Accept-Version, valid bodies and queries, complete lists, writes once.",
            "Het SB-verkeer van je app wordt vergeleken met de SB-versie die je opgeeft: "
            "bestaande endpoints, Accept-Version, geldige bodies en queries, complete lijsten, "
            "schrijfacties precies één keer."),
    "ERR": ("SB answers with expired tokens, 4xx, 5xx, 429, Failed results, timeouts and "
            "unusual data. AFAS looks for recovery without duplicates and clear reporting.",
            "SB antwoordt met verlopen tokens, 4xx, 5xx, 429, Failed-resultaten, time-outs en "
            "ongebruikelijke data. AFAS kijkt naar herstel zonder dubbelingen en duidelijke "
            "meldingen."),
    "LST": ("What you hand in for the App Center listing: logo, support URL, summary, "
            "description and onboarding URL, as a customer will see them.",
            "Wat je aanlevert voor de App Center-vermelding: logo, support-URL, samenvatting, "
            "omschrijving en onboarding-URL, zoals een klant ze ziet."),
}
# check ID -> (title, passes when, must fail for) in Dutch.
CHECKS_NL: dict[str, tuple[str, str, str]] = {
    "ONB-01": ("Onboarding-URL antwoordt",
               "De onboarding-URL antwoordt 2xx/3xx binnen de time-out voor een geldige "
               "afasBaseUrl; HTTPS in productiemodus.", "5xx, time-out, http:// in productie"),
    "ONB-02": ("Bekende klant bereikt toestemming en een eerste API-call",
               "De flow van een bekende klant bereikt <afasBaseUrl>/app/auth (OAuth) of de "
               "tokenoverdracht (app-token), eindigt op een bevestigingspagina en de eerste "
               "API-call slaagt.", "de app negeert afasBaseUrl en gebruikt een vaste host"),
    "ONB-03": ("Prospects krijgen een landingspagina",
               "Een prospect (onbekende omgeving) krijgt een 2xx landings- of aanmeldpagina, "
               "geen fout.", "4xx/5xx voor prospects"),
    "ONB-04": ("Ontbrekende of ongeldige afasBaseUrl wordt afgehandeld",
               "Een ontbrekende of ongeldige afasBaseUrl krijgt een pagina met een melding (4xx "
               "aanbevolen: 2xx geeft een waarschuwing), zonder stacktrace, zonder 5xx.",
               "500, traceback in de body"),
    "ONB-05": ("Alleen AFAS-hosts worden vertrouwd",
               "Een afasBaseUrl buiten *.afasfocus.nl (en de voor tests toegestane hosts) wordt "
               "geweigerd; een lokserver op die host ontvangt geen verzoek.",
               "de app stuurt door naar of post zijn secret naar elke host"),
    "ONB-06": ("Autorisatieverzoek is correct (PKCE S256, state)",
               "Het autorisatieverzoek heeft client_id, de exact geregistreerde redirect_uri, "
               "response_type=code, een base64url S256 code_challenge van 43 tekens, "
               "code_challenge_method=S256 en een state van minstens 128 bits, nieuw per poging.",
               "plain PKCE, ontbrekende of constante state, verkeerde redirect_uri"),
    "ONB-07": ("Tokenverzoek is correct",
               "Het tokenverzoek is een form-encoded POST met grant_type, client_id, "
               "client_secret, redirect_uri, code en code_verifier; de verifier is 43-128 "
               "tekens en past bij de challenge.",
               "JSON-body, ontbrekende verifier, verifier past niet"),
    "ONB-08": ("State van de callback wordt gecontroleerd",
               "Een callback met een verkeerde of ontbrekende state wordt geweigerd en de code "
               "wordt nooit ingewisseld.", "de app wisselt de code in zonder state te vergelijken"),
    "ONB-09": ("Geweigerde toestemming wordt afgehandeld",
               "Een callback met error=access_denied toont een duidelijke melding (2xx/4xx-"
               "pagina), geen 5xx.", "crash bij geweigerde toestemming"),
    "ONB-10": ("Secrets komen nooit in de browser",
               "Het client secret en tokens verschijnen nooit in een URL, redirect of pagina die "
               "de browser ziet.", "secret in de querystring of HTML"),
    "ONB-11": ("App-token- en Admin Center-flows kloppen",
               "App-token-apps wisselen in bij /authentication/getaccesstoken met "
               "{\"apptoken\"}; apps op adminniveau gebruiken getscopes en dan een token per "
               "omgeving.", "verkeerd endpoint of body, één token voor alle omgevingen"),
    "ONB-12": ("Ingetrokken toestemming leidt tot een nieuwe toestemmingsflow",
               "Nadat de toestemming is ingetrokken (blokkeren + deblokkeren) start de app een "
               "nieuwe toestemmingsflow en werkt weer.",
               "de app blijft hangen op een dood refresh token"),
    "ONB-13": ("Redirect-URI is HTTPS en exact",
               "De redirect_uri is HTTPS in productiemodus en exact geregistreerd.",
               "http-callback, wildcard-matching"),
    "ONB-14": ("Pagina's met codes en inloggegevens zijn beschermd",
               "De onboarding-URL, inlogpagina en OAuth-callback: geldige TLS en HSTS in "
               "productiemodus (kritiek); sessiecookies Secure, HttpOnly en SameSite; geen "
               "bronnen van derden op de callback en een Referrer-Policy die de querystring "
               "niet aan andere origins geeft; pagina's met inloggegevens niet in een frame te "
               "laden (normaal).",
               "geen HSTS, cookie zonder Secure, code van de callback gelekt via Referer, "
               "inlogpagina in een frame"),
    "LST-01": ("Logo is bruikbaar",
               "Het logobestand bestaat, is PNG/JPEG/SVG, vierkant binnen de tolerantie en "
               "minstens de minimale grootte.", "ontbreekt, te klein, brede banner"),
    "LST-02": ("Support-URL werkt",
               "De support-URL is https en antwoordt 2xx na redirects.", "404, http://"),
    "LST-03": ("Samenvatting is aanwezig en kort",
               "De samenvatting is aanwezig en hoogstens de maximale lengte.", "leeg, te lang"),
    "LST-04": ("Omschrijving is aanwezig en uitgebreid",
               "De uitgebreide omschrijving is aanwezig en minstens de minimale lengte.",
               "leeg, plaatshoudertekst"),
    "LST-05": ("Onboarding-URL is publiceerbaar",
               "De onboarding-URL is absoluut https en accepteert afasBaseUrl.", "relatieve URL"),
    "INT-01": ("Elk SB-verzoek bestaat in de opgegeven SB-versie",
               "Elk SB-verzoek past bij een operatie (methode + pad) van de opgegeven SB-versie.",
               "calls naar endpoints die in die versie niet bestaan"),
    "INT-02": ("Bearer en Accept-Version bij elke API-call",
               "Elke API-call heeft Authorization: Bearer en een Accept-Version gelijk aan de "
               "endpointversie van de operatie; een nieuwere endpointversie in de laatste spec is "
               "een waarschuwing.", "ontbrekende of verkeerde Accept-Version"),
    "INT-03": ("Request-bodies voldoen aan het schema",
               "Request-bodies valideren tegen het schema van de operatie (verplichte velden, "
               "types, enums, formaten).", "ontbrekend verplicht veld, verkeerd type"),
    "INT-04": ("Queryparameters zijn geldig",
               "skip/take zijn gehele getallen, sortField heeft de juiste syntax, filter valt "
               "binnen de ondersteunde OData-subset.", "ongeldig filter"),
    "INT-05": ("Alleen toegekende bundels worden gebruikt",
               "Alleen operaties binnen de toegekende bundels worden gebruikt.",
               "calls buiten de toekenning"),
    "INT-06": ("Lijsten worden volledig gelezen met een stabiele sortering",
               "Lijsten groter dan één pagina worden volledig gelezen met skip/take en een "
               "stabiele sortField.", "leest alleen de eerste pagina, pagineert zonder sortering"),
    "INT-07": ("Change tracking wordt gebruikt",
               "Endpoints met change tracking worden incrementeel gesynchroniseerd met "
               "TrackingToken.", "elke sync alles opnieuw lezen"),
    "INT-08": ("De schrijfacties van het scenario landen precies één keer",
               "Het opgegeven scenario wordt voltooid: de verwachte schrijfacties landen in de "
               "sandbox, geldig, precies één keer.", "niets geschreven, dubbelingen"),
    "INT-09": ("Het SB-doel houdt zich aan het contract",
               "Een schemathesis-contractrun van het SB-doel voor elke operatie die de app "
               "gebruikt: antwoorden kloppen; geen 403 voor een benodigde operatie.",
               "ontbrekende rechten op een benodigd endpoint"),
    "INT-10": ("Aantal verzoeken is redelijk",
               "Hoogstens N verzoeken per gesynchroniseerd item, verbindingen hergebruikt.",
               "verzoekstormen"),
    "ERR-01": ("Verlopen access token: vernieuwen en opnieuw proberen",
               "Bij een 401 voor een verlopen access token vernieuwt de app het token, probeert "
               "opnieuw en de sync slaagt.", "de sync faalt of vraagt de gebruiker opnieuw"),
    "ERR-02": ("Geweigerde refresh: stoppen en om nieuwe autorisatie vragen",
               "Als de refresh wordt geweigerd (invalid_grant) stopt de sync en meldt dat "
               "opnieuw autoriseren nodig is; geen lus.", "eindeloze refresh-lus"),
    "ERR-03": ("403 wordt gemeld, niet bestookt",
               "Een 403 wordt duidelijk gemeld, met hoogstens één nieuwe poging.",
               "een verboden endpoint blijven bestoken"),
    "ERR-04": ("400 DS3100 wordt niet blind opnieuw verstuurd",
               "Na een 400 DS3100 wordt dezelfde payload niet opnieuw verstuurd; de fout en "
               "TraceId worden gemeld.", "blind opnieuw versturen"),
    "ERR-05": ("200 Failed / PartiallySucceeded is een fout",
               "Een 200 met result Failed of PartiallySucceeded wordt gemeld als fout/"
               "gedeeltelijk; geslaagde instanties worden niet opnieuw gepost.",
               "elke 200 als succes behandelen"),
    "ERR-06": ("5xx: begrensde nieuwe pogingen met backoff",
               "Bij 5xx/503 probeert de app een begrensd aantal keren opnieuw met oplopende "
               "wachttijd en slaagt zodra de fout verdwijnt.",
               "geen nieuwe poging, of een directe strakke lus"),
    "ERR-07": ("429: Retry-After wordt gerespecteerd",
               "Bij een 429 met Retry-After wacht de app minstens zo lang.",
               "negeert Retry-After"),
    "ERR-08": ("Nieuwe pogingen van schrijfacties zijn idempotent",
               "Na een time-out of verbroken verbinding bij een schrijfactie heeft de nieuwe "
               "poging dezelfde Tracking-Identifier, zodat SB de boeking precies één keer heeft.",
               "dubbele boekingen"),
    "ERR-09": ("Ongebruikelijke maar geldige antwoorden worden overleefd",
               "Spec-geldige maar ongebruikelijke antwoorden (nulls, lege lijsten, unicode, "
               "extra velden, maximale lengtes) veroorzaken geen crash; de sync wordt voltooid "
               "of meldt het netjes.", "onafgehandelde exceptie"),
    "ERR-10": ("Onbereikbare SB wordt op tijd gemeld",
               "Met SB onbereikbaar meldt de sync het binnen de ingestelde time-out; geen "
               "hangen.", "hangen, stil succes"),
}


def area_name(prefix: str, lang: str = "en") -> str:
    """The review area's name in `lang` ("en" or "nl") for an ID prefix such as "ONB"."""
    return AREAS_NL[prefix] if lang == "nl" else AREAS[prefix]


def check_text(check_id: str, lang: str = "en") -> tuple[str, str, str]:
    """(title, passes when, must fail for) of a check in `lang`."""
    info = CHECKS[check_id]
    if lang == "nl" and check_id in CHECKS_NL:
        return CHECKS_NL[check_id]
    return info.title, info.passes_when, info.must_fail_for
