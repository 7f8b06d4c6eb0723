"""Dutch for the checks' English sentences, findings and warnings, applied at render time.

The checks (checks/*.py) write English. With `--lang nl` every sentence goes through
`translate`: the first pattern that matches the whole sentence gives its Dutch template;
named groups are kept verbatim (values, paths, the app's own output), groups whose name
ends in `_t` are translated in turn (a clause inside a sentence), and groups ending in `_p`
name a page of the app ("onboarding page", "callback", "login page"). A sentence no pattern
matches stays English; tests/test_report_nl.py lists those.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_X = r"#\d+ [A-Z]+ \S+ -> (?:\d{3}|no answer)"  # "#12 POST /demo/api/x -> 400"

# (English pattern, Dutch template). Order matters: specific before general.
PATTERNS: list[tuple[str, str]] = [
    # ---- shared clauses --------------------------------------------------------------------
    (r"(?P<s_t>.+) \(judged: (?P<j_t>.+)\)", "{s} (beoordeeld: {j})"),
    (r"(?P<op>\S+), the app's first write whose documented answer carries "
     r"result/instances/errors; named in \[scenario\] expected_writes(?P<rest>.*)",
     "{op}, de eerste schrijfactie van de app waarvan het gedocumenteerde antwoord "
     "result/instances/errors bevat; genoemd in [scenario] expected_writes{rest}"),
    (r"Skipped: not run live: (?P<r>.+)", "niet live uitgevoerd: {r}"),
    (r"Skipped: not run: no working connection \((?P<r>.+)", "niet uitgevoerd: geen werkende "
     "verbinding ({r}"),
    (r"Skipped: (?P<r_t>.+)", "{r}"),
    # ---- skip reasons (suites/*.py, conftest.py) ---------------------------------------------
    (r"not run: no working connection \(ONB-02 failed: (?P<s_t>.+)\)",
     "niet uitgevoerd: geen werkende verbinding (ONB-02 mislukt: {s})"),
    (r"not run: the onboarding never reached the consent flow \(ONB-02 failed: (?P<s_t>.+)\)",
     "niet uitgevoerd: de onboarding bereikte de toestemmingsflow niet (ONB-02 mislukt: {s})"),
    (r"not run: the baseline sync made no API read to fault \(sync (?P<o>\w+): (?P<out>.*)\); "
     r"see ONB-02 and the INT checks",
     "niet uitgevoerd: de eerste sync deed geen API-leesactie om een fout in te zetten (sync "
     "{o}: {out}); zie ONB-02 en de INT-checks"),
    (r"not run: the baseline sync made no write whose documented answer carries "
     r"result/instances/errors \(sync (?P<o>\w+): (?P<out>.*)\); see INT-08",
     "niet uitgevoerd: de eerste sync deed geen schrijfactie waarvan het gedocumenteerde "
     "antwoord result/instances/errors bevat (sync {o}: {out}); zie INT-08"),
    (r"not run live: (?P<r>.+)", "niet live uitgevoerd: {r}"),
    (r"the app uses app tokens; the OAuth checks do not apply",
     "de app gebruikt app-tokens; de OAuth-checks zijn niet van toepassing"),
    (r"the app uses app tokens: (?P<why>.+)", "de app gebruikt app-tokens: {why}"),
    (r"OAuth customer app: its tokens come from the code flow \(ONB-06, ONB-07\); ONB-11 covers "
     r"app-token and admin-level apps",
     "OAuth-klantapp: de tokens komen uit de code-flow (ONB-06, ONB-07); ONB-11 gaat over "
     "app-token-apps en apps op adminniveau"),
    # ---- onboarding ------------------------------------------------------------------------
    (r"The onboarding URL answered (?P<st>\d{3}) in (?P<t>[\d.]+ m?s) \(limit (?P<l>\S+) s\)\.",
     "De onboarding-URL antwoordde {st} in {t} (grens {l} s)."),
    (r"The onboarding URL does not answer as AFAS requires\.",
     "De onboarding-URL antwoordt niet zoals AFAS vereist."),
    (r"the onboarding URL (?P<u>\S+) is not https; AFAS requires https in production "
     r"\(mode = \"production\"\)",
     "de onboarding-URL {u} is geen https; AFAS vereist https in productie "
     "(mode = \"production\")"),
    (r"GET (?P<u>\S+) -> (?P<st>\d{3}) took (?P<t>[\d.]+) s; the limit is (?P<l>[\d.]+) s",
     "GET {u} -> {st} duurde {t} s; de grens is {l} s"),
    (r"(?P<req>(?:GET|POST) \S+ -> \d{3}): expected 2xx or 3xx",
     "{req}: 2xx of 3xx verwacht"),
    (r"The app took the activation token, exchanged it at (?P<u>\S+), and its first API call "
     r"succeeded (?P<when_t>.+)\.",
     "De app nam het activatietoken aan, wisselde het in bij {u} en zijn eerste API-call "
     "slaagde {when}."),
    (r"in the first sync \(the app only stored the token at the hand-off\)",
     "in de eerste sync (de app bewaarde het token alleen bij de overdracht)"),
    (r"The customer went to (?P<u>\S+), consented, landed on a (?P<st>\d{3}) page and the first "
     r"API call succeeded (?P<when_t>.+)\.",
     "De klant ging naar {u}, gaf toestemming, kwam op een {st}-pagina en de eerste API-call "
     "slaagde {when}."),
    (r"during the onboarding", "tijdens de onboarding"),
    (r"in the first sync \(the app made no API call while onboarding\)",
     "in de eerste sync (de app deed geen API-call tijdens de onboarding)"),
    (r"The known customer's app-token onboarding did not complete\.",
     "De app-token-onboarding van de bekende klant is niet voltooid."),
    (r"The known customer's onboarding did not complete\.",
     "De onboarding van de bekende klant is niet voltooid."),
    (r"no API call succeeded, neither while onboarding nor in the first sync: (?P<x>.+)",
     "geen API-call slaagde, niet tijdens de onboarding en niet in de eerste sync: {x}"),
    (r"the app never exchanged its token at (?P<u>\S+), neither at the hand-off nor in the "
     r"first sync",
     "de app wisselde zijn token nooit in bij {u}, niet bij de overdracht en niet in de "
     "eerste sync"),
    (r"A prospect from (?P<u>\S+) \(no account yet\) did not get a landing or sign-up page\.",
     "Een prospect van {u} (nog geen account) kreeg geen landings- of aanmeldpagina."),
    (r"(?P<req>(?:GET|POST) \S+ -> \d{3}): the page is empty", "{req}: de pagina is leeg"),
    (r"(?P<req>(?:GET|POST) \S+ -> \d{3}): the flow ended on a redirect, not a page",
     "{req}: de flow eindigde op een redirect, niet op een pagina"),
    (r"(?P<n>\d+) missing or malformed afasBaseUrl values each got a 4xx page with a message "
     r"and no stack trace\.",
     "{n} ontbrekende of ongeldige afasBaseUrl-waarden kregen elk een 4xx-pagina met een "
     "melding en zonder stacktrace."),
    (r"A missing or malformed afasBaseUrl is not answered with a clean 4xx page\.",
     "Een ontbrekende of ongeldige afasBaseUrl krijgt geen nette 4xx-pagina."),
    (r"(?P<case>\w+): (?P<req>(?:GET|POST) \S+ -> \d{3}) has no message for the user",
     "{case}: {req} heeft geen melding voor de gebruiker"),
    (r"(?P<case>\w+): (?P<req>(?:GET|POST) \S+ -> \d{3}); expected a 4xx page",
     "{case}: {req}; een 4xx-pagina verwacht"),
    (r"(?P<case>\w+): (?P<req>(?:GET|POST) \S+ -> \d{3}) shows a stack trace (?P<q>.+)",
     "{case}: {req} toont een stacktrace {q}"),
    (r"(?P<req>(?:GET|POST) \S+ -> \d{3}): the foreign afasBaseUrl was not refused with a 4xx",
     "{req}: de vreemde afasBaseUrl werd niet met een 4xx geweigerd"),
    (r"The app accepted the foreign afasBaseUrl (?P<u>\S+); AFAS expects it to refuse hosts "
     r"outside \*\.afasfocus\.nl\.",
     "De app accepteerde de vreemde afasBaseUrl {u}; AFAS verwacht dat hosts buiten "
     "*.afasfocus.nl worden geweigerd."),
    (r"the decoy at (?P<u>\S+) received (?P<n>\d+) request\(s\): (?P<r>.+)",
     "de lokserver op {u} ontving {n} verzoek(en): {r}"),
    (r"After declined consent the app showed a (?P<st>\d{3}) page: (?P<q>.+)",
     "Na geweigerde toestemming toonde de app een {st}-pagina: {q}"),
    (r"Declined consent \(error=access_denied\) is not handled cleanly\.",
     "Geweigerde toestemming (error=access_denied) wordt niet netjes afgehandeld."),
    (r"(?P<req>(?:GET|POST) \S+ -> \d{3}): no message tells the user what happened",
     "{req}: geen melding vertelt de gebruiker wat er gebeurde"),
    (r"The walk never reached the consent page, so consent could not be declined\.",
     "De doorloop bereikte de toestemmingspagina niet, dus toestemming kon niet worden "
     "geweigerd."),
    (r"the flow stopped before (?P<p>\S+)", "de flow stopte vóór {p}"),
    (r"A secret or token is exposed where browsers, proxies and logs see it\.",
     "Een secret of token is zichtbaar waar browsers, proxy's en logs het zien."),
    (r"(?P<req>(?:GET|POST) \S+ -> \d{3}): an SB token in the page",
     "{req}: een SB-token in de pagina"),
    (r"(?P<req>(?:GET|POST) \S+ -> \d{3}): body: a harness secret",
     "{req}: body: een secret van de harness"),
    (r"(?P<x>" + _X + r"): client_secret in the request URL",
     "{x}: client_secret in de request-URL"),
    (r"(?P<x>" + _X + r"): not (?P<p>\S+)", "{x}: niet {p}"),
    (r"(?P<x>" + _X + r"): body is (?P<ct>\S+) (?P<b>\[.*\]); AFAS expects JSON "
     r"(?P<j>\{.*\})",
     "{x}: body is {ct} {b}; AFAS verwacht JSON {j}"),
    (r"(?P<x>" + _X + r"): reuses the token issued for (?P<a>\w+) in (?P<b>\w+); get a token "
     r"per environment from (?P<p>\S+)",
     "{x}: hergebruikt het token voor {a} in {b}; haal per omgeving een token op bij {p}"),
    (r"(?P<n>\d+) app-token exchange\(s\) were JSON POSTs of \{\"apptoken\"\} to (?P<p>\S+)\.",
     "{n} app-token-inwisseling(en) waren JSON-POSTs van {{\"apptoken\"}} naar {p}."),
    (r"The admin-level app does not get a token per environment\.",
     "De app op adminniveau haalt geen token per omgeving op."),
    (r"The admin-level app read its scopes and used a token per environment \((?P<e>.+)\)\.",
     "De app op adminniveau las zijn scopes en gebruikte een token per omgeving ({e})."),
    (r"The app token is not exchanged the way AFAS specifies\.",
     "Het app-token wordt niet ingewisseld zoals AFAS voorschrijft."),
    (r"no app-token exchange succeeded", "geen app-token-inwisseling slaagde"),
    (r"the app called the API in (?P<e>\w+) but never got a token at (?P<p>\S+)",
     "de app riep de API aan in {e} maar haalde nooit een token op bij {p}"),
    (r"the app never posted its app token to (?P<p>\S+)",
     "de app postte zijn app-token nooit naar {p}"),
    (r"the app never read its environments with (?P<p>\S+)",
     "de app las zijn omgevingen nooit met {p}"),
    (r"(?P<n>\d+) token refreshes after the withdrawal \(a loop\): (?P<x>.+)",
     "{n} tokenvernieuwingen na het intrekken (een lus): {x}"),
    (r"After consent was withdrawn and given again, the app did not recover with a new consent "
     r"flow\.",
     "Nadat de toestemming was ingetrokken en opnieuw gegeven, herstelde de app niet met een "
     "nieuwe toestemmingsflow."),
    (r"After the withdrawal the sync stopped and asked for re-authorization; a new consent flow "
     r"exchanged a new code and the next sync succeeded \((?P<n>\d+) API calls\)\.",
     "Na het intrekken stopte de sync en vroeg om nieuwe autorisatie; een nieuwe "
     "toestemmingsflow wisselde een nieuwe code in en de volgende sync slaagde ({n} API-calls)."),
    (r"the failed sync's output does not say that re-authorization is needed \(e\.g\. 'koppel "
     r"opnieuw' / 'connect again'\): (?P<q>.+)",
     "de uitvoer van de mislukte sync zegt niet dat opnieuw autoriseren nodig is (bijv. "
     "'koppel opnieuw' / 'connect again'): {q}"),
    (r"the new consent flow did not end in a successful code exchange: no code was exchanged",
     "de nieuwe toestemmingsflow eindigde niet in een geslaagde code-inwisseling: er werd geen "
     "code ingewisseld"),
    (r"the sync after the withdrawal reported success although SB refused the app's tokens",
     "de sync na het intrekken meldde succes hoewel SB de tokens van de app weigerde"),
    (r"The redirect_uri is not https or not exactly the registered one\.",
     "De redirect_uri is geen https of niet exact de geregistreerde."),
    (r"authorize #(?P<n>\d+): SB did not accept (?P<u>\S+) as registered",
     "autorisatie #{n}: SB accepteerde {u} niet als geregistreerd"),
    (r"the redirect_uri (?P<u>\S+) has a wildcard; register it exactly",
     "de redirect_uri {u} bevat een wildcard; registreer hem exact"),
    (r"(?P<v>[^:]+): the app logged a stack trace \((?P<m>'[^']*')\) while syncing: (?P<l>.*)",
     "{v}: de app logde een stacktrace ({m}) tijdens de sync: {l}"),
    (r"None of the lists the app reads has change tracking, so there is nothing to read "
     r"incrementally\.", "Geen van de lijsten die de app leest heeft change tracking, dus er "
     "valt niets incrementeel te lezen."),
    # ---- ONB-14: the pages that carry codes and credentials ----------------------------------
    (r"cookie (?P<c>\S+) \(set by (?P<by>[^)]+)\) has no HttpOnly flag, so page scripts can "
     r"read it", "cookie {c} (gezet door {by}) heeft geen HttpOnly-vlag, dus scripts op de pagina "
     "kunnen hem lezen"),
    (r"cookie (?P<c>\S+) \(set by (?P<by>[^)]+)\) has no HttpOnly flag \(fine only if scripts "
     r"must read it\)", "cookie {c} (gezet door {by}) heeft geen HttpOnly-vlag (alleen goed als "
     "scripts hem moeten lezen)"),
    (r"cookie (?P<c>\S+) \(set by (?P<by>[^)]+)\) has no SameSite value",
     "cookie {c} (gezet door {by}) heeft geen SameSite-waarde"),
    (r"cookie (?P<c>\S+) \(set by (?P<by>[^)]+)\) has no Secure flag",
     "cookie {c} (gezet door {by}) heeft geen Secure-vlag"),
    (r"the callback (?P<u>\S+) loads (?P<r>\S+) from another host, which receives the callback "
     r"URL with the code as its Referer",
     "de callback {u} laadt {r} van een andere host, die de callback-URL met de code als "
     "Referer ontvangt"),
    (r"the callback (?P<u>\S+) sends Referrer-Policy: (?P<p>\S+), which passes the full URL "
     r"with the code to other origins",
     "de callback {u} stuurt Referrer-Policy: {p}, waarmee de volledige URL met de code naar "
     "andere origins gaat"),
    (r"the callback (?P<u>\S+) sends no Referrer-Policy header, so links and resources on it "
     r"may pass the code in the Referer \(it links to (?P<l>\S+)\)",
     "de callback {u} stuurt geen Referrer-Policy-header, dus links en bronnen erop kunnen de "
     "code in de Referer doorgeven (hij linkt naar {l})"),
    (r"the callback (?P<u>\S+) sends no Referrer-Policy header; it links nowhere else, and "
     r"browsers keep the query from other origins by default, but set Referrer-Policy: "
     r"no-referrer to be sure",
     "de callback {u} stuurt geen Referrer-Policy-header; hij linkt nergens anders heen en "
     "browsers houden de query standaard weg van andere origins, maar zet voor de zekerheid "
     "Referrer-Policy: no-referrer"),
    (r"the (?P<what_p>onboarding page|callback|login page) (?P<u>\S+) sends "
     r"Strict-Transport-Security with max-age=0, which switches HSTS off",
     "{what} {u} stuurt Strict-Transport-Security met max-age=0, wat HSTS uitzet"),
    (r"the (?P<what_p>onboarding page|callback|login page) (?P<u>\S+): the TLS certificate of "
     r"(?P<h>\S+) is not valid: (?P<why>.+)",
     "{what} {u}: het TLS-certificaat van {h} is niet geldig: {why}"),
    (r"the (?P<what_p>onboarding page|callback|login page) (?P<u>\S+) is served over http, not "
     r"https", "{what} {u} wordt via http geserveerd, niet via https"),
    (r"the (?P<what_p>onboarding page|callback|login page) (?P<u>\S+) can be framed by any site: "
     r"it sends neither X-Frame-Options \(DENY or SAMEORIGIN\) nor a CSP frame-ancestors",
     "{what} {u} kan door elke site in een frame worden geladen: hij stuurt geen "
     "X-Frame-Options (DENY of SAMEORIGIN) en geen CSP frame-ancestors"),
    (r"the (?P<what_p>onboarding page|callback|login page) (?P<u>\S+) sends no "
     r"Strict-Transport-Security header",
     "{what} {u} stuurt geen Strict-Transport-Security-header"),
    (r"No onboarding page answered; TLS and HSTS could not be judged\.",
     "Geen onboardingpagina antwoordde; TLS en HSTS konden niet worden beoordeeld."),
    (r"TLS and HSTS are not applicable in development mode \(http on loopback\); production "
     r"mode checks them on the onboarding page, login and callback\.",
     "TLS en HSTS zijn niet van toepassing in de ontwikkelmodus (http op loopback); de "
     "productiemodus controleert ze op de onboardingpagina, de login en de callback."),
    (r"The app's cookies are Secure, HttpOnly and SameSite; the callback leaks no code; the "
     r"login pages cannot be framed\. \((?P<n_t>.+)\.\)",
     "De cookies van de app zijn Secure, HttpOnly en SameSite; de callback lekt geen code; de "
     "loginpagina's kunnen niet in een frame worden geladen. ({n}.)"),
    (r"The app's cookies are Secure, HttpOnly and SameSite; the callback leaks no code; the "
     r"login pages cannot be framed\.",
     "De cookies van de app zijn Secure, HttpOnly en SameSite; de callback lekt geen code; de "
     "loginpagina's kunnen niet in een frame worden geladen."),
    (r"the Secure flag of cookie (?P<c>\S+): not applicable in development mode over http",
     "de Secure-vlag van cookie {c}: niet van toepassing in de ontwikkelmodus via http"),
    (r"The onboarding page, login and callback \((?P<n>\d+) pages\) are https with a valid "
     r"certificate and send Strict-Transport-Security\.",
     "De onboardingpagina, login en callback ({n} pagina's) zijn https met een geldig "
     "certificaat en sturen Strict-Transport-Security."),
    (r"The pages that carry credentials and the authorization code must be https with a valid "
     r"certificate and Strict-Transport-Security \(app stores' security reviews, e\.g\. "
     r"Intuit's and Xero's, check this; AFAS documents no such rule\)\.",
     "De pagina's met inloggegevens en de autorisatiecode moeten https zijn met een geldig "
     "certificaat en Strict-Transport-Security (security-reviews van app stores, zoals die van "
     "Intuit en Xero, controleren dit; AFAS documenteert zo'n regel niet)."),
    (r"The pages that carry credentials and the code must protect them \(cookie flags, no "
     r"third-party loads and a Referrer-Policy on the callback, no framing\)\.",
     "De pagina's met inloggegevens en de code moeten die beschermen (cookie-vlaggen, geen "
     "bronnen van derden en een Referrer-Policy op de callback, geen frames)."),
    (r"the walk reached no OAuth callback, so its Referrer-Policy and third-party loads were "
     r"not judged", "de walk bereikte geen OAuth-callback, dus Referrer-Policy en bronnen van "
     "derden zijn niet beoordeeld"),
    # ---- integration -----------------------------------------------------------------------
    (r"(?P<x>" + _X + r"): Accept-Version '(?P<a>[^']*)', but (?P<op>\S+) needs "
     r"Accept-Version: (?P<v>\S+)",
     "{x}: Accept-Version '{a}', maar {op} vraagt Accept-Version: {v}"),
    (r"(?P<x>" + _X + r"): no Authorization header; send Authorization: Bearer <access_token>",
     "{x}: geen Authorization-header; stuur Authorization: Bearer <access_token>"),
    (r"API calls lack the Bearer token or the right Accept-Version\.(?P<rest_t>.*)",
     "API-calls missen het Bearer-token of de juiste Accept-Version.{rest}"),
    (r" Which Accept-Version values SB accepts is our assumption \(the endpoint version's major, "
     r"or major\.minor\); AFAS says to send the endpoint's sequence number\.",
     " Welke Accept-Version-waarden SB accepteert is onze aanname (de major van de "
     "endpointversie, of major.minor); AFAS zegt het volgnummer van het endpoint te sturen."),
    (r"(?P<x>" + _X + r"): filter (?P<f>\".*\"): filter: (?P<err>.+); use Field eq value joined "
     r"with and/or, strings in single quotes",
     "{x}: filter {f}: filter: {err}; gebruik Veld eq waarde, verbonden met and/or, tekst "
     "tussen enkele aanhalingstekens"),
    (r"(?P<x>" + _X + r"): filter (?P<f>\".*\") names (?P<n>\w+), not a field of the response; "
     r"fields: (?P<fs>.+)",
     "{x}: filter {f} noemt {n}, geen veld van het antwoord; velden: {fs}"),
    (r"(?P<x>" + _X + r"): (?P<k>skip|take)='(?P<v>[^']*)' is not a whole number >= 0",
     "{x}: {k}='{v}' is geen geheel getal >= 0"),
    (r"(?P<x>" + _X + r"): (?P<k>sort|sortField) '(?P<v>[^']*)' names no field of the response; "
     r"fields: (?P<fs>.+)",
     "{x}: {k} '{v}' noemt geen veld van het antwoord; velden: {fs}"),
    (r"(?P<x>" + _X + r"): sortField direction '(?P<v>[^']*)' is not supported; use ascending or "
     r"descending",
     "{x}: sorteerrichting '{v}' wordt niet ondersteund; gebruik ascending of descending"),
    (r"(?P<x>" + _X + r"): sorts with 'sort' as AFAS's pagination guide writes it, but SB "
     r"(?P<v>\S+)'s spec declares 'sortField' for (?P<op>\S+); which name AFAS's server honours "
     r"is not documented \(our assumption: the sandbox serves both\), so send sortField",
     "{x}: sorteert met 'sort' zoals AFAS' pagineringsgids het schrijft, maar de spec van SB "
     "{v} declareert 'sortField' voor {op}; welke naam AFAS' server volgt is niet "
     "gedocumenteerd (onze aanname: de sandbox accepteert beide), dus stuur sortField"),
    (r"(?P<x>" + _X + r"): (?P<k>\w+): (?P<op>\S+) does not page",
     "{x}: {k}: {op} pagineert niet"),
    (r"The app sends query parameters SB does not accept\.",
     "De app stuurt queryparameters die SB niet accepteert."),
    (r"The query parameters of all (?P<n>\d+) calls that had any are valid: whole skip/take, "
     r"sortField naming a response field, filters in SB's OData subset\.",
     "De queryparameters van alle {n} calls die ze hadden zijn geldig: gehele skip/take, "
     "sortField noemt een veld van het antwoord, filters in SB's OData-subset."),
    (r"(?P<x>" + _X + r"): (?P<op>\S+) needs one of the bundles (?P<b>.+); the app is granted "
     r"(?P<g>.+)",
     "{x}: {op} vraagt een van de bundels {b}; de app heeft {g}"),
    (r"The app calls operations outside its granted bundles\.",
     "De app roept operaties aan buiten zijn toegekende bundels."),
    (r"declare the app's bundles in \[app\] bundles", "geef de bundels van de app op in "
     "[app] bundles"),
    (r"readiness\.toml grants no particular bundles, so every operation counts as granted\.",
     "readiness.toml kent geen specifieke bundels toe, dus elke operatie telt als toegekend."),
    (r"(?P<p>/\S+): (?P<a>\d+) of (?P<b>\d+) pages without sortField \(e\.g\. (?P<x>" + _X
     + r")\); without a stable order pages can skip or repeat records",
     "{p}: {a} van {b} pagina's zonder sortField (bijv. {x}); zonder stabiele volgorde kunnen "
     "pagina's records overslaan of herhalen"),
    (r"(?P<p>/\S+): read (?P<a>\d+) of (?P<b>\d+) records \((?P<s>[^)]*)\); page on until a "
     r"page is short",
     "{p}: {a} van {b} records gelezen ({s}); pagineer door tot een pagina korter is"),
    (r"(?P<p>/\S+): the pages covered all (?P<n>\d+) positions, but (?P<a>\d+) records never "
     r"arrived and (?P<b>\d+) arrived more than once; without a sort SB does not guarantee the "
     r"order between pages",
     "{p}: de pagina's dekten alle {n} posities, maar {a} records kwamen nooit aan en {b} "
     "kwamen meer dan eens; zonder sortering garandeert SB de volgorde tussen pagina's niet"),
    (r"All (?P<n>\d+) lists longer than one page were read to the end with skip/take and a "
     r"sortField: every record arrived exactly once\.",
     "Alle {n} lijsten langer dan één pagina werden tot het eind gelezen met skip/take en een "
     "sortField: elk record kwam precies één keer aan."),
    (r"No list the app read was longer than one answer\.",
     "Geen lijst die de app las was langer dan één antwoord."),
    (r"The app does not read long lists completely in a stable order\.",
     "De app leest lange lijsten niet volledig in een stabiele volgorde."),
    (r"no multi-page list was read in this scenario",
     "in dit scenario werd geen lijst van meerdere pagina's gelezen"),
    (r"(?P<x>" + _X + r"): no TrackingToken; (?P<op>\S+) tracks changes, so a later sync needs "
     r"only what changed",
     "{x}: geen TrackingToken; {op} houdt wijzigingen bij, dus een latere sync heeft alleen "
     "de wijzigingen nodig"),
    (r"The app re-reads change-tracking lists in full on every sync\.",
     "De app leest lijsten met change tracking bij elke sync helemaal opnieuw."),
    (r"(?P<x>" + _X + r"): the record it created is not in SB",
     "{x}: het record dat het maakte staat niet in SB"),
    (r"(?P<p>/\S+): (?P<a>\d+) records expected, the baseline sync created (?P<b>\d+) "
     r"\(in (?P<e>\w+)\)",
     "{p}: {a} records verwacht, de eerste sync maakte er {b} (in {e})"),
    (r"(?P<p>/\S+): SB holds invoice (?P<inv>\S+) (?P<n>\d+) times \((?P<ids>[^)]*)\)",
     "{p}: SB heeft factuur {inv} {n} keer ({ids})"),
    (r"(?P<p>/\S+): invoice (?P<inv>\S+) was sent (?P<n>\d+) times as a new request "
     r"\((?P<xs>[^)]*)\); SB refused it: (?P<why>.+)",
     "{p}: factuur {inv} werd {n} keer als nieuw verzoek verstuurd ({xs}); SB weigerde het: "
     "{why}"),
    (r"The scenario completed: (?P<n>\d+) x (?P<p>\S+) landed in SB, valid and exactly once, "
     r"also after another sync\.",
     "Het scenario is voltooid: {n} x {p} landde in SB, geldig en precies één keer, ook na "
     "nog een sync."),
    (r"The scenario's writes did not land in SB exactly once\.",
     "De schrijfacties van het scenario landden niet precies één keer in SB."),
    (r"readiness\.toml does not say what the sync should write, so the scenario cannot be "
     r"judged; add \[scenario\] expected_writes = (?P<ex>.+)\.",
     "readiness.toml zegt niet wat de sync moet schrijven, dus het scenario kan niet worden "
     "beoordeeld; voeg [scenario] expected_writes = {ex} toe."),
    (r"(?P<r>GET \S+) -> (?P<st>\d{3}) with content type (?P<ct>\S+), not JSON",
     "{r} -> {st} met content type {ct}, geen JSON"),
    (r"(?P<r>GET /\S+) -> (?P<st>\d{3}):\s*(?P<rest>.*)", "{r} -> {st}: {rest}"),  # SB's text
    (r"(?P<r>(?:GET|POST) /\S+): SB's answer deviates from its published schema (?P<d>.+); the "
     r"app must cope with it",
     "{r}: het antwoord van SB wijkt af van zijn gepubliceerde schema {d}; de app moet ermee "
     "overweg kunnen"),
    (r"(?P<r>(?:GET|POST) /\S+): SB's answer deviates from its published schema(?P<d>.*)",
     "{r}: het antwoord van SB wijkt af van zijn gepubliceerde schema{d}"),
    (r"The app made no SB API call, so there was nothing to run the contract against\.",
     "De app deed geen SB-API-call, dus er was niets om het contract tegen te draaien."),
    (r"The contract run found answers that do not conform\.",
     "De contractrun vond antwoorden die niet voldoen."),
    (r"The contract run sent (?P<n>\d+) generated requests to the (?P<o>\d+) operations the app "
     r"uses; (?P<s>\d+) succeeded, none was refused for missing rights, every answer was JSON\.",
     "De contractrun stuurde {n} gegenereerde verzoeken naar de {o} operaties die de app "
     "gebruikt; {s} slaagden, geen enkele werd geweigerd wegens ontbrekende rechten, elk "
     "antwoord was JSON."),
    (r"(?P<op>\w+): not exercised \(needs the ReadKey of a record's Blob, which a generated "
     r"request cannot have \(a random one is refused with 403\)\)",
     "{op}: niet uitgevoerd (vraagt de ReadKey van de Blob van een record, die een "
     "gegenereerd verzoek niet kan hebben (een willekeurige wordt met 403 geweigerd))"),
    (r"(?P<n>\d+) requests for (?P<m>\d+) (?P<w_t>records read|entries written) \((?P<r>[\d.]+) "
     r"per item, limit (?P<l>\d+)\) over (?P<c>\d+) connection\(s\)\.",
     "{n} verzoeken voor {m} {w} ({r} per item, grens {l}) over {c} verbinding(en)."),
    (r"records read", "gelezen records"),
    (r"entries written", "geschreven boekingen"),
    (r"each of the (?P<n>\d+) requests opened a new connection; reusing connections "
     r"\(HTTP keep-alive\) makes the sync faster",
     "elk van de {n} verzoeken opende een nieuwe verbinding; verbindingen hergebruiken "
     "(HTTP keep-alive) maakt de sync sneller"),
    (r"All (?P<n>\d+) API calls are operations of SB (?P<v>\S+)\.",
     "Alle {n} API-calls zijn operaties van SB {v}."),
    (r"All (?P<n>\d+) API calls carried a Bearer token and the endpoint's Accept-Version\.",
     "Alle {n} API-calls hadden een Bearer-token en de Accept-Version van het endpoint."),
    (r"Request bodies do not validate against AFAS's schema\.",
     "Request-bodies valideren niet tegen het schema van AFAS."),
    (r"(?P<x>" + _X + r"): \(body\): '(?P<f>[^']+)' is a required property",
     "{x}: (body): '{f}' is een verplicht veld"),
    (r"(?P<x>" + _X + r"): (?P<f>[\w/\[\]]+): (?P<v>'[^']*') is not a '(?P<t>\w+)'",
     "{x}: {f}: {v} is geen '{t}'"),
    (r"(?P<x>" + _X + r"): (?P<f>[\w/\[\]()]+): (?P<rest>.+)", "{x}: {f}: {rest}"),  # schema text
    (r"All (?P<n>\d+) request bodies validate against their operation's schema\.",
     "Alle {n} request-bodies valideren tegen het schema van hun operatie."),
    (r"All (?P<n>\d+) calls are operations of the granted bundles \((?P<b>.+)\)\.",
     "Alle {n} calls zijn operaties van de toegekende bundels ({b})."),
    (r"All (?P<n>\d+) reads of change-tracking lists on a later sync carried the TrackingToken "
     r"of the previous one\.",
     "Alle {n} leesacties van lijsten met change tracking in een latere sync hadden het "
     "TrackingToken van de vorige."),
    (r"the baseline sync ended '(?P<st>\w+)': (?P<out>.*)",
     "de eerste sync eindigde '{st}': {out}"),
    (r"(?P<p>/\S+): (?P<a>\d+) records expected, the baseline sync created (?P<b>\d+)",
     "{p}: {a} records verwacht, de eerste sync maakte er {b}"),
    (r"The logo is a (?P<k>\w+) of (?P<w>\d+)x(?P<h>\d+) px\.",
     "Het logo is een {k} van {w}x{h} px."),
    (r"The support URL (?P<u>\S+) answers (?P<st>\d{3}) over https\.",
     "De support-URL {u} antwoordt {st} over https."),
    (r"The summary has (?P<n>\d+) characters \(at most (?P<m>\d+)\)\.",
     "De samenvatting heeft {n} tekens (hoogstens {m})."),
    (r"The description has (?P<n>\d+) characters\.", "De omschrijving heeft {n} tekens."),
    (r"The onboarding URL (?P<u>\S+) is absolute https and accepts afasBaseUrl\.",
     "De onboarding-URL {u} is absoluut https en accepteert afasBaseUrl."),
    (r"The onboarding URL answered (?P<st>\d{3}) in (?P<t>[\d.]+ m?s) \(limit (?P<l>\S+) s\) "
     r"over https\.",
     "De onboarding-URL antwoordde {st} in {t} (grens {l} s) over https."),
    (r"A prospect from (?P<u>\S+) got a (?P<st>\d{3}) page (?P<t>'.*') at (?P<at>\S+)",
     "Een prospect van {u} kreeg een {st}-pagina {t} op {at}"),
    (r"The app refused afasBaseUrl (?P<u>\S+) with (?P<st>\d{3}) and the decoy on that host "
     r"received no request\.",
     "De app weigerde afasBaseUrl {u} met {st} en de lokserver op die host ontving geen "
     "verzoek."),
    (r"(?P<n>\d+) authorize requests? each carried client_id, the exact redirect_uri, "
     r"response_type=code, an S256 challenge and a fresh state of at least 128 bits\.",
     "{n} autorisatieverzoeken hadden elk client_id, de exacte redirect_uri, "
     "response_type=code, een S256-challenge en een nieuwe state van minstens 128 bits."),
    (r"(?P<n>\d+) token request\(s\) were form-encoded POSTs with all six fields and a verifier "
     r"matching the challenge\.",
     "{n} tokenverzoek(en) waren form-encoded POSTs met alle zes velden en een verifier die bij "
     "de challenge past."),
    (r"Callbacks with a wrong and with a missing state were rejected; neither code was "
     r"exchanged\.",
     "Callbacks met een verkeerde en met een ontbrekende state werden geweigerd; geen van beide "
     "codes werd ingewisseld."),
    (r"No secret or token showed up in (?P<b>\d+) browser requests, redirects and pages, nor in "
     r"the URLs of (?P<n>\d+) SB requests\.",
     "Geen secret of token verscheen in {b} browserverzoeken, redirects en pagina's, noch in de "
     "URL's van {n} SB-verzoeken."),
    (r"the sync after the new consent failed: (?P<out>.*)",
     "de sync na de nieuwe toestemming mislukte: {out}"),
    (r"(?P<n>\d+) authorize request\(s\) used exactly the registered redirect_uri (?P<u>\S+) "
     r"\((?P<s>\w+)\)\.",
     "{n} autorisatieverzoek(en) gebruikten exact de geregistreerde redirect_uri {u} ({s})."),
    (r"(?P<n>\d+) authorize request\(s\) used exactly the registered redirect_uri (?P<u>\S+)\.",
     "{n} autorisatieverzoek(en) gebruikten exact de geregistreerde redirect_uri {u}."),
    (r"The app made no write that SB could reject, so its handling of DS3100 could not be seen"
     r"(?P<rest_t>.*)",
     "De app deed geen schrijfactie die SB kon weigeren, dus de afhandeling van DS3100 kon niet "
     "worden gezien{rest}"),
    (r" \(judged: (?P<j_t>.+)\)\.", " (beoordeeld: {j})."),
    (r"The app made no write whose answer could be lost, so its retry could not be seen"
     r"(?P<rest_t>.*)",
     "De app deed geen schrijfactie waarvan het antwoord verloren kon gaan, dus de nieuwe "
     "poging kon niet worden gezien{rest}"),
    (r"The app did not call (?P<op>\S+) \(the read its baseline sync made first\) while SB "
     r"answered (?P<st>\d{3})\.",
     "De app riep {op} (de eerste leesactie van zijn sync) niet aan terwijl SB {st} "
     "antwoordde."),
    (r"sync outcome: (?P<o>\w+): (?P<out>.+)", "uitkomst van de sync: {o}: {out}"),
    (r"writes: (?P<n>\d+)", "schrijfacties: {n}"),
    (r"With SB unreachable the sync failed after (?P<t>[\d.]+) s \(limit (?P<r>[\d.]+) s\) and "
     r"said: (?P<out>.*)",
     "Met SB onbereikbaar faalde de sync na {t} s (grens {r} s) en meldde: {out}"),
    (r"no write was made in this scenario", "in dit scenario werd niets geschreven"),
    (r"The app sent no request bodies, so none can be wrong\.",
     "De app stuurde geen request-bodies, dus geen enkele kan fout zijn."),
    (r"All (?P<n>\d+) lists longer than one page were read to the end with skip/take and a "
     r"sortField\.",
     "Alle {n} lijsten langer dan één pagina werden tot het eind gelezen met skip/take en een "
     "sortField."),
    (r"no change-tracking endpoint was read", "er werd geen endpoint met change tracking gelezen"),
    (r"The app reads no list with change tracking on a later sync\.",
     "De app leest in een latere sync geen lijst met change tracking."),
    (r"(?P<op>\S+): not exercised \(writes are not sent to a live SB\)",
     "{op}: niet uitgevoerd (schrijfacties gaan niet naar een live SB)"),
    (r"The contract run conformed again\.", "De contractrun voldeed opnieuw."),
    (r"The contract run conformed\.", "De contractrun voldeed."),
    (r"(?P<r>(?:GET|POST) /\S+): token \[redacted\] echoed",
     "{r}: token [redacted] teruggegeven"),
    (r"The support URL does not work for customers\.",
     "De support-URL werkt niet voor klanten."),
    (r"(?P<u>\S+) redirects to (?P<v>\S+), which is not https",
     "{u} stuurt door naar {v}, dat geen https is"),
    (r"(?P<u>'?\S+?'?) is not https", "{u} is geen https"),
    (r"The summary is short\.", "De samenvatting is kort."),
    (r"The onboarding URL cannot be published as it is\.",
     "De onboarding-URL kan zo niet worden gepubliceerd."),
    (r"(?P<u>'\S+') is not an absolute URL; AFAS opens it from the App Center",
     "{u} is geen absolute URL; AFAS opent hem vanuit het App Center"),
    (r"the onboarding URL gave no answer within (?P<t>[\d.]+) s \((?P<d>.+)\)",
     "de onboarding-URL gaf geen antwoord binnen {t} s ({d})"),
    (r"The customer went to (?P<u>\S+), consented, landed on a (?P<st>\d{3}) page and the first "
     r"API call succeeded\.",
     "De klant ging naar {u}, gaf toestemming, kwam op een {st}-pagina en de eerste API-call "
     "slaagde."),
    (r"expected the authorize request at (?P<u>\S+)",
     "het autorisatieverzoek werd verwacht op {u}"),
    (r"The app did not accept the activation token: (?P<why>.+)",
     "De app accepteerde het activatietoken niet: {why}"),
    (r"(?P<req>(?:GET|POST) \S+ -> \d{3}): an error page for a prospect",
     "{req}: een foutpagina voor een prospect"),
    (r"(?P<case>afasBaseUrl [\w -]+): (?P<req>(?:GET|POST) \S+ -> \d{3}); expected a 4xx page",
     "{case}: {req}; een 4xx-pagina verwacht"),
    (r"(?P<case>afasBaseUrl [\w -]+): (?P<req>(?:GET|POST) \S+ -> \d{3}): a server error",
     "{case}: {req}: een serverfout"),
    (r"(?P<case>afasBaseUrl [\w -]+): (?P<req>(?:GET|POST) \S+ -> \d{3}) shows a stack trace "
     r"(?P<q>.+)",
     "{case}: {req} toont een stacktrace {q}"),
    (r"(?P<req>(?:GET|POST) \S+ -> \d{3}): a server error", "{req}: een serverfout"),
    (r"the app sent the browser to (?P<u>\S+)(?P<rest>.*)",
     "de app stuurde de browser naar {u}{rest}"),
    (r"only one attempt was seen, so freshness of state was not compared",
     "er werd maar één poging gezien, dus of de state nieuw is werd niet vergeleken"),
    (r"The authorize request is plain PKCE\.", "Het autorisatieverzoek gebruikt plain PKCE."),
    (r"(?P<pre>authorize #\d+: )?code_challenge_method is 'plain'; AFAS requires S256",
     "{pre}code_challenge_method is 'plain'; AFAS vereist S256"),
    (r"The app never sent an authorize request to the sandbox\.",
     "De app stuurde nooit een autorisatieverzoek naar de sandbox."),
    (r"The authorize request does not meet AFAS's OAuth requirements\.",
     "Het autorisatieverzoek voldoet niet aan de OAuth-eisen van AFAS."),
    (r"authorize #(?P<n>\d+): state (?P<v>'[^']*') carries at most (?P<b>\d+) bits; at least "
     r"128 are needed",
     "autorisatie #{n}: state {v} bevat hoogstens {b} bits; minstens 128 zijn nodig"),
    (r"the state is reused across (?P<n>\d+) attempts; it must be fresh per attempt",
     "de state wordt over {n} pogingen hergebruikt; hij moet per poging nieuw zijn"),
    (r"authorize #(?P<n>\d+): no state parameter \(CSRF protection for the callback\)",
     "autorisatie #{n}: geen state-parameter (CSRF-bescherming voor de callback)"),
    (r"authorize #(?P<n>\d+): redirect_uri is (?P<a>'[^']*'), but the registered one is "
     r"(?P<b>'[^']*') \(exact match required\)",
     "autorisatie #{n}: redirect_uri is {a}, maar de geregistreerde is {b} (exacte match "
     "vereist)"),
    (r"authorize #(?P<n>\d+): code_challenge (?P<v>'[^']*') is not a 43-character base64url "
     r"SHA-256 digest",
     "autorisatie #{n}: code_challenge {v} is geen base64url SHA-256-digest van 43 tekens"),
    (r"The app never exchanged its authorization code at (?P<p>\S+)\.",
     "De app wisselde zijn autorisatiecode nooit in bij {p}."),
    (r"The token request does not meet AFAS's OAuth requirements\.",
     "Het tokenverzoek voldoet niet aan de OAuth-eisen van AFAS."),
    (r"token request #(?P<n>\d+): missing (?P<f>.+)", "tokenverzoek #{n}: ontbrekend: {f}"),
    (r"token request #(?P<n>\d+): code_verifier does not match the code_challenge sent to "
     r"(?P<p>\S+)",
     "tokenverzoek #{n}: code_verifier past niet bij de code_challenge die naar {p} is gestuurd"),
    (r"token request #(?P<n>\d+): body is (?P<k>\w+) \((?P<ct>[^)]*)\); AFAS expects (?P<e>\S+)",
     "tokenverzoek #{n}: body is {k} ({ct}); AFAS verwacht {e}"),
    (r"The app does not verify the state on its OAuth callback\.",
     "De app controleert de state op zijn OAuth-callback niet."),
    (r"(?P<case>wrong state|missing state): the walk never got a code to tamper with",
     "{case}: de doorloop kreeg nooit een code om mee te knoeien"),
    (r"(?P<case>wrong state|missing state): the app still exchanged the code \((?P<x>" + _X
     + r")\); its callback answered (?P<st>\d{3})",
     "{case}: de app wisselde de code toch in ({x}); zijn callback antwoordde {st}"),
    (r"(?P<req>(?:GET|POST) \S+ -> \d{3}): (?P<where>location|url|body): "
     r"(?P<what>access_token|refresh_token|code|"
     r"client_secret)",
     "{req}: {where}: {what}"),
    (r"(?P<x>" + _X + r"): a secret in the request URL", "{x}: een secret in de request-URL"),
    (r"the app never asked for an app token", "de app vroeg nooit om een app-token"),
    (r"the new consent flow ended with (?P<st>\d{3}), not a 2xx page",
     "de nieuwe toestemmingsflow eindigde met {st}, geen 2xx-pagina"),
    (r"no API call succeeded after the new consent: (?P<x>.+)",
     "geen API-call slaagde na de nieuwe toestemming: {x}"),
    (r"the app never sent an authorize request, so its redirect_uri was not seen",
     "de app stuurde nooit een autorisatieverzoek, dus zijn redirect_uri werd niet gezien"),
    (r"the registered redirect_uri (?P<u>\S+) is not https; AFAS requires https in production",
     "de geregistreerde redirect_uri {u} is geen https; AFAS vereist https in productie"),
    (r"authorize #(?P<n>\d+): redirect_uri (?P<a>'[^']*') is not exactly the registered "
     r"(?P<b>'[^']*')",
     "autorisatie #{n}: redirect_uri {a} is niet exact de geregistreerde {b}"),
    (r"(?P<n>\d+) write\(s\) lost their answer; the retry carried the same Tracking-Identifier "
     r"and SB answered it from its cache \((?P<x>.+)\), and SB holds each entry exactly once\.",
     "{n} schrijfactie(s) verloren hun antwoord; de nieuwe poging had dezelfde "
     "Tracking-Identifier en SB beantwoordde hem uit zijn cache ({x}), en SB heeft elke "
     "boeking precies één keer."),
    (r"the sync reported the lost answer \(no answer from SB\); the next sync completed the "
     r"entry",
     "de sync meldde het verloren antwoord (geen antwoord van SB); de volgende sync voltooide "
     "de boeking"),
    (r"The support URL (?P<u>\S+) answers (?P<st>\d{3}) over (?P<s>https?)\.",
     "De support-URL {u} antwoordt {st} over {s}."),
    (r"(?P<u>\S+) is http on loopback: accepted in development mode; AFAS publishes only https "
     r"URLs, so submit the https one",
     "{u} is http op loopback: geaccepteerd in ontwikkelmodus; AFAS publiceert alleen "
     "https-URL's, dus lever de https-URL aan"),
    (r"The onboarding URL (?P<u>\S+) is absolute (?P<s>https?) and accepts afasBaseUrl\.",
     "De onboarding-URL {u} is absoluut {s} en accepteert afasBaseUrl."),
    (r"(?P<n>\d+) requests got 403 in (?P<e>\w+) \((?P<a>" + _X + r") \.\.\. (?P<b>" + _X
     + r")\); retry a 403 at most once",
     "{n} verzoeken kregen 403 in {e} ({a} ... {b}); probeer een 403 hoogstens één keer "
     "opnieuw"),
    (r"(?P<case>[\w ,-]+): (?P<req>(?:GET|POST) \S+ -> \d{3}): a server error",
     "{case}: {req}: een serverfout"),
    (r"(?P<n>\d+) missing or malformed afasBaseUrl values each got a page with a message and "
     r"no stack trace\.",
     "{n} ontbrekende of ongeldige afasBaseUrl-waarden kregen elk een pagina met een melding "
     "en zonder stacktrace."),
    (r"A missing or malformed afasBaseUrl is not answered with a clean page\.",
     "Een ontbrekende of ongeldige afasBaseUrl krijgt geen nette pagina."),
    (r"(?P<case>[\w ,-]+): (?P<req>(?:GET|POST) \S+ -> \d{3}) shows a message; a 4xx status "
     r"would also tell "
     r"monitoring the link was wrong",
     "{case}: {req} toont een melding; een 4xx-status zou monitoring ook vertellen dat de "
     "link fout was"),
    (r"(?P<req>(?:GET|POST) \S+ -> \d{3}): the page links or posts to the foreign host (?P<h>\S+)",
     "{req}: de pagina linkt of post naar de vreemde host {h}"),
    (r"(?P<req>(?:GET|POST) \S+ -> \d{3}): the foreign afasBaseUrl was refused with a "
     r"(?P<st>\d{3}) page; a 4xx "
     r"status would say so to monitoring",
     "{req}: de vreemde afasBaseUrl werd geweigerd met een {st}-pagina; een 4xx-status zou "
     "dat aan monitoring laten zien"),
    # ---- error handling (unit-test wordings) -------------------------------------------------
    (r"No API call of the sync was answered 401, so the app's recovery from an expired token "
     r"could not be observed\.",
     "Geen API-call van de sync kreeg 401, dus het herstel van de app na een verlopen token "
     "kon niet worden waargenomen."),
    (r"sync outcome: (?P<o>\w+): \(no output\)", "uitkomst van de sync: {o}: (geen uitvoer)"),
    (r"sync outcome: (?P<o>\w+); API calls: (?P<n>\d+) \(the harness answers 401 to the second "
     r"one, or to the only one\)",
     "uitkomst van de sync: {o}; API-calls: {n} (de harness antwoordt 401 op de tweede, of op "
     "de enige)"),
    (r"the sync failed without a message; say that the customer must connect again",
     "de sync mislukte zonder melding; zeg dat de klant opnieuw moet koppelen"),
    (r"the sync failed, but its message does not clearly say that re-authorization is needed "
     r"\(e\.g\. 'koppel opnieuw' / 'connect again'\): (?P<q>.+)",
     "de sync mislukte, maar de melding zegt niet duidelijk dat opnieuw autoriseren nodig is "
     "(bijv. 'koppel opnieuw' / 'connect again'): {q}"),
    (r"the sync reported success although the app's consent is withdrawn",
     "de sync meldde succes hoewel de toestemming van de app is ingetrokken"),
    (r"The app did not call (?P<op>\S+) \(the read its baseline sync made first\) while it was "
     r"forbidden, so its handling of 403 could not be seen\.",
     "De app riep {op} (de eerste leesactie van zijn sync) niet aan terwijl die verboden was, "
     "dus de afhandeling van 403 kon niet worden gezien."),
    (r"the sync reported success and said nothing about the refused request",
     "de sync meldde succes en zei niets over het geweigerde verzoek"),
    (r"the sync succeeded, but its message does not clearly name the missing rights \(e\.g\. "
     r"'geen rechten' / '403'\): (?P<q>.+)",
     "de sync slaagde, maar de melding noemt de ontbrekende rechten niet duidelijk (bijv. "
     "'geen rechten' / '403'): {q}"),
    (r"SB answered (?P<r>\w+); the app reported each and did not send what SB had made again as "
     r"a new request(?P<rest_t>.*)",
     "SB antwoordde {r}; de app meldde elk en verstuurde wat SB had gemaakt niet opnieuw als "
     "nieuw verzoek{rest}"),
    (r"\.", "."),
    (r"; after (?P<r>\w+) the app re-sent (?P<n>\d+) time\(s\) with the same Tracking-Identifier "
     r"\((?P<x>.+)\), which SB answered from its cache\.",
     "; na {r} verstuurde de app het {n} keer opnieuw met dezelfde Tracking-Identifier ({x}), "
     "wat SB uit zijn cache beantwoordde."),
    (r"after (?P<r>\w+): SB now holds invoice (?P<inv>\S+) (?P<n>\d+) times \((?P<ids>[^)]*)\)",
     "na {r}: SB heeft factuur {inv} nu {n} keer ({ids})"),
    (r"after (?P<r>\w+): invoice (?P<inv>\S+), which SB had made at (?P<x>" + _X + r") "
     r"\((?P<info>[^)]*)\), was sent again with (?P<how_t>no Tracking-Identifier|another "
     r"Tracking-Identifier \([^)]*\)) at (?P<y>" + _X + r"): SB made it a second time "
     r"\((?P<id>[^)]*)\)",
     "na {r}: factuur {inv}, die SB al had gemaakt bij {x} ({info}), werd opnieuw verstuurd "
     "{how} bij {y}: SB maakte het een tweede keer ({id})"),
    (r"no Tracking-Identifier", "zonder Tracking-Identifier"),
    (r"another Tracking-Identifier \((?P<a>\S+) instead of (?P<b>\S+)\)",
     "met een andere Tracking-Identifier ({a} in plaats van {b})"),
    (r"after (?P<n>\d+) answers (?P<st>\d{3}) the app did not retry until (?P<op>\S+) succeeded",
     "na {n} antwoorden {st} probeerde de app het niet opnieuw tot {op} slaagde"),
    (r"the delays did not increase \((?P<a>[\d.]+ s), then (?P<b>[\d.]+ s)\); an exponential "
     r"backoff spreads the load when SB recovers",
     "de wachttijden liepen niet op ({a}, daarna {b}); exponentiële backoff spreidt de "
     "belasting als SB herstelt"),
    (r"After 429 the app waited \(no retry\), at least the Retry-After SB asked for\.",
     "Na 429 wachtte de app (geen nieuwe poging), minstens de Retry-After waar SB om vroeg."),
    (r"after (?P<x>" + _X + r") the app did not try again",
     "na {x} probeerde de app het niet opnieuw"),
    (r"after (?P<x>" + _X + r") the app stopped and reported instead of retrying after "
     r"(?P<t>[\d.]+ s): (?P<q>.+)",
     "na {x} stopte de app en meldde het, in plaats van na {t} opnieuw te proberen: {q}"),
    (r"(?P<x>" + _X + r") carried no Tracking-Identifier, so SB cannot tell a retry from a new "
     r"entry",
     "{x} had geen Tracking-Identifier, dus SB kan een nieuwe poging niet van een nieuwe "
     "boeking onderscheiden"),
    (r"(?P<x>" + _X + r") retried (?P<y>" + _X + r") with no Tracking-Identifier: SB made it a "
     r"second time \((?P<id>[^)]*)\)",
     "{x} herhaalde {y} zonder Tracking-Identifier: SB maakte het een tweede keer ({id})"),
    (r"(?P<n>\d+) write\(s\) lost their answer \(judged: (?P<j_t>.+)\); no retry reached SB as "
     r"a new request, and SB holds each entry exactly once\.",
     "{n} schrijfactie(s) verloren hun antwoord (beoordeeld: {j}); geen nieuwe poging "
     "bereikte SB als nieuw verzoek, en SB heeft elke boeking precies één keer."),
    (r"(?P<op>\S+), declares none", "{op}, declareert er geen"),
    (r"(?P<op>\S+), declares Tracking-Identifier in SB (?P<v>\S+)",
     "{op}, declareert Tracking-Identifier in SB {v}"),
    (r"SB holds the entry of (?P<x>" + _X + r") \(invoice (?P<inv>[^)]*)\) (?P<n>\d+) "
     r"times(?P<ids>.*)",
     "SB heeft de boeking van {x} (factuur {inv}) {n} keer{ids}"),
    (r"(?P<case>[\w ,]+): the sync failed without a message",
     "{case}: de sync mislukte zonder melding"),
    (r"(?P<case>[\w ,]+): the sync died with exit code (?P<c>-?\d+)",
     "{case}: de sync stopte met exitcode {c}"),
    (r"The app does not report an unreachable SB in time\.",
     "De app meldt een onbereikbare SB niet op tijd."),
    (r"an SB request stayed open (?P<t>[\d.]+) s without the app giving up \(at most "
     r"(?P<m>[\d.]+) s expected\); set a client timeout",
     "een SB-verzoek bleef {t} s open zonder dat de app opgaf (hoogstens {m} s verwacht); "
     "stel een client-time-out in"),
    (r"the sync had not reported after (?P<t>[\d.]+) s \(the harness waits (?P<w>[\d.]+) s; "
     r"\[thresholds\] unreachable_timeout (?P<u>[\d.]+) s\); set a client timeout and bound the "
     r"retries",
     "de sync had na {t} s nog niets gemeld (de harness wacht {w} s; [thresholds] "
     "unreachable_timeout {u} s); stel een client-time-out in en begrens de nieuwe pogingen"),
    (r"the sync reported success although SB answered nothing \((?P<n>\d+) requests went "
     r"unanswered\)",
     "de sync meldde succes hoewel SB niets antwoordde ({n} verzoeken bleven onbeantwoord)"),
    # ---- onboarding (run) ------------------------------------------------------------------------
    (r"The app sent the customer to (?P<host>\S+) instead of the afasBaseUrl it was given "
     r"\((?P<url>\S+)\)\.(?P<rest>.*)",
     "De app stuurde de klant naar {host} in plaats van de opgegeven afasBaseUrl ({url}).{rest}"),
    (r"The onboarding URL answered (?P<st>\d{3}) in (?P<t>[\d.]+) s(?P<rest>.*)",
     "De onboarding-URL antwoordde {st} in {t} s{rest}"),
    # ---- error handling --------------------------------------------------------------------
    (r"The app got 401 at (?P<x>" + _X + r"), refreshed its token, retried, and the sync "
     r"succeeded\.",
     "De app kreeg 401 bij {x}, vernieuwde zijn token, probeerde opnieuw en de sync slaagde."),
    (r"The app does not recover from an expired access token on its own\.",
     "De app herstelt niet zelf van een verlopen access token."),
    (r"after (?P<x>" + _X + r") the app did not refresh its access token",
     "na {x} heeft de app zijn access token niet vernieuwd"),
    (r"the sync ended '(?P<st>\w+)': (?P<out>.*)", "de sync eindigde '{st}': {out}"),
    (r"the sync did not succeed after the fault cleared: (?P<out>.*)",
     "de sync slaagde niet nadat de fout verdwenen was: {out}"),
    (r"the sync did not succeed: (?P<out>.*)", "de sync slaagde niet: {out}"),
    (r"After the refresh was rejected \((?P<n>\d+) rejection\(s\)\) the sync stopped and said "
     r"so: (?P<out>.*)",
     "Nadat de refresh was geweigerd ({n} weigering(en)) stopte de sync en meldde dat: {out}"),
    (r"The app does not stop cleanly when its refresh token is rejected\.",
     "De app stopt niet netjes als zijn refresh token wordt geweigerd."),
    (r"(?P<n>\d+) refresh attempts \((?P<r>\d+) rejected, first (?P<x>" + _X + r")\); stop "
     r"after invalid_grant",
     "{n} refresh-pogingen ({r} geweigerd, eerste {x}); stop na invalid_grant"),
    (r"SB answered 403 to (?P<op>\S+); the app tried (?P<n>\d+) time\(s\) and reported: "
     r"(?P<out>.*)",
     "SB antwoordde 403 op {op}; de app probeerde het {n} keer en meldde: {out}"),
    (r"The app does not handle a 403 as AFAS expects\.",
     "De app handelt een 403 niet af zoals AFAS verwacht."),
    (r"(?P<n>\d+) requests got 403 \((?P<a>" + _X + r") \.\.\. (?P<b>" + _X + r")\); retry a "
     r"403 at most once",
     "{n} verzoeken kregen 403 ({a} ... {b}); probeer een 403 hoogstens één keer opnieuw"),
    (r"The app does not handle a 400 DS3100 as AFAS expects\.",
     "De app handelt een 400 DS3100 niet af zoals AFAS verwacht."),
    (r"after (?P<x>" + _X + r") the identical payload was sent again (?P<n>\d+) time\(s\) "
     r"\((?P<y>" + _X + r")\)",
     "na {x} werd dezelfde payload nog {n} keer verstuurd ({y})"),
    (r"the sync output does not show SB's TraceId (?P<id>\w+): (?P<out>.*)",
     "de uitvoer van de sync toont SB's TraceId {id} niet: {out}"),
    (r"SB rejected (?P<x>" + _X + r") with DS3100 \(judged: (?P<j_t>.+)\); the app did not "
     r"resend it and reported it: (?P<out>.*)",
     "SB weigerde {x} met DS3100 (beoordeeld: {j}); de app verstuurde het niet opnieuw en "
     "meldde het: {out}"),
    (r"SB rejected (?P<x>" + _X + r") with DS3100; the app did not resend it and reported it: "
     r"(?P<out>.*)",
     "SB weigerde {x} met DS3100; de app verstuurde het niet opnieuw en meldde het: {out}"),
    (r"SB answered Failed and PartiallySucceeded \(judged: (?P<j_t>.+)\); the app reported each "
     r"and did not send (?P<rest>.*)",
     "SB antwoordde Failed en PartiallySucceeded (beoordeeld: {j}); de app meldde elk en "
     "verstuurde niet opnieuw {rest}"),
    (r"The app reported SB's Failed and PartiallySucceeded results and did not post the "
     r"\(partly\) accepted entry again\.",
     "De app meldde SB's resultaten Failed en PartiallySucceeded en postte de (deels) "
     "geaccepteerde boeking niet opnieuw."),
    (r"The app does not honour SB's write result\.",
     "De app respecteert het schrijfresultaat van SB niet."),
    (r"the app made no write that SB could answer (?P<r>\w+)(?P<rest>.*)",
     "de app deed geen schrijfactie die SB met {r} kon beantwoorden{rest}"),
    (r"(?P<x>" + _X + r") answered result (?P<r>\w+), but the sync reported success: "
     r"(?P<out>.*)",
     "{x} antwoordde result {r}, maar de sync meldde succes: {out}"),
    (r"after Failed: invoice (?P<inv>\S+), which SB had made at (?P<x>" + _X + r") "
     r"\((?P<info>[^)]*)\), was sent again with another Tracking-Identifier (?P<rest>.*)",
     "na Failed: factuur {inv}, die SB al had gemaakt bij {x} ({info}), werd opnieuw verstuurd "
     "met een andere Tracking-Identifier {rest}"),
    (r"SB answered 503 (?P<n>\d+) times; the app retried after (?P<d>.+) and the sync "
     r"succeeded\.",
     "SB antwoordde {n} keer 503; de app probeerde opnieuw na {d} en de sync slaagde."),
    (r"The app does not back off and recover from 5xx answers \(AFAS documents no 5xx "
     r"behaviour for SB: the 503 answers follow our assumption\)\.",
     "De app wacht niet steeds langer en herstelt niet na 5xx-antwoorden (AFAS documenteert "
     "geen 5xx-gedrag voor SB: de 503-antwoorden volgen onze aanname)."),
    (r"the first retry came (?P<t>[\d.]+) s after the 503 \(at least (?P<m>[\d.]+) s "
     r"expected: back off\)",
     "de eerste nieuwe poging kwam {t} s na de 503 (minstens {m} s verwacht: wacht oplopend)"),
    (r"After 429 the app waited (?P<t>[\d.]+) s, at least the Retry-After SB asked for\.",
     "Na 429 wachtte de app {t} s, minstens de Retry-After waar SB om vroeg."),
    (r"The app does not honour Retry-After \(AFAS documents no rate limits for SB: the 429 "
     r"with Retry-After follows our assumption\)\.",
     "De app respecteert Retry-After niet (AFAS documenteert geen limieten voor SB: de 429 met "
     "Retry-After volgt onze aanname)."),
    (r"after (?P<x>" + _X + r") \(Retry-After: (?P<ra>[\d.]+)\) the app tried again "
     r"(?P<t>[\d.]+) s later \((?P<y>" + _X + r")\)",
     "na {x} (Retry-After: {ra}) probeerde de app het {t} s later opnieuw ({y})"),
    (r"(?P<n>\d+) write\(s\) lost their answer \(judged: (?P<j_t>.+)\); the retry(?P<rest>.*)",
     "{n} schrijfactie(s) verloren hun antwoord (beoordeeld: {j}); de nieuwe poging{rest}"),
    (r"(?P<n>\d+) write\(s\) lost their answer; every retry carried the same "
     r"Tracking-Identifier and SB holds each entry exactly once\.",
     "{n} schrijfactie(s) verloren hun antwoord; elke nieuwe poging had dezelfde "
     "Tracking-Identifier en SB heeft elke boeking precies één keer."),
    (r"Retries of a write with a lost answer can make duplicates\.",
     "Nieuwe pogingen van een schrijfactie zonder antwoord kunnen dubbelingen maken."),
    (r"(?P<x>" + _X + r") retried (?P<y>" + _X + r") with another Tracking-Identifier "
     r"(?P<rest>.*)",
     "{x} herhaalde {y} met een andere Tracking-Identifier {rest}"),
    (r"With unusual but spec-valid answers the sync completed or reported cleanly "
     r"\((?P<r>.*)\)\.",
     "Met ongebruikelijke maar spec-geldige antwoorden werd de sync voltooid of netjes "
     "gemeld ({r})."),
    (r"Unusual but spec-valid answers crash the app's sync\.",
     "Ongebruikelijke maar spec-geldige antwoorden laten de sync van de app crashen."),
    (r"(?P<case>[\w ,]+): the sync crashed: (?P<err>.*)", "{case}: de sync crashte: {err}"),
    (r"the sync reported after (?P<t>[\d.]+) s, later than the recommended (?P<r>[\d.]+) s "
     r"\(\[thresholds\] unreachable_timeout\): bounded, but the customer waits long",
     "de sync meldde zich na {t} s, later dan de aanbevolen {r} s ([thresholds] "
     "unreachable_timeout): begrensd, maar de klant wacht lang"),
    (r"With SB unreachable the sync failed after (?P<t>[\d.]+) s \(recommended (?P<r>[\d.]+) "
     r"s\) and said: (?P<out>.*)",
     "Met SB onbereikbaar faalde de sync na {t} s (aanbevolen {r} s) en meldde: {out}"),
]

_PAGES = {"onboarding page": "de onboardingpagina", "callback": "de callback",
          "login page": "de loginpagina"}

_COMPILED: list[tuple[re.Pattern[str], str]] = [
    (re.compile(pattern, re.S), template) for pattern, template in PATTERNS
]


def _fill(match: re.Match[str], template: str, again: Callable[[str], str | None]) -> str:
    values: dict[str, str] = {}
    for name, value in match.groupdict().items():
        value = value or ""
        if name.endswith("_p"):
            values[name[:-2]] = _PAGES.get(value, value)  # which page, in Dutch
        elif name.endswith("_t"):
            # a quoted sentence often lost its full stop ("failed: <sentence>)")
            dotted = None if value.endswith(".") else again(value + ".")
            values[name[:-2]] = again(value) or (dotted[:-1] if dotted else value)
        else:
            values[name] = value
    return template.format(**values)


def translate_or_none(sentence: str) -> str | None:
    """The Dutch for `sentence`, or None when no pattern covers it."""
    text = sentence.strip()
    for pattern, template in _COMPILED:
        match = pattern.fullmatch(text)
        if match is not None:
            return _fill(match, template, translate_or_none)
    return None


def translate(sentence: str, lang: str = "nl") -> str:
    """`sentence` in `lang`: Dutch where a pattern covers it, else the English unchanged."""
    if lang != "nl":
        return sentence
    return translate_or_none(sentence) or sentence
