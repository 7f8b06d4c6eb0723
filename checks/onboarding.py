"""ONB: working onboarding, judged from the walker's hops and the sandbox journal."""

from __future__ import annotations

import html
import math
import re
from collections.abc import Sequence

from checks import wording
from checks.evidence import api_calls, code_exchanges, of_kind, where
from checks.judgement import Judgement, failed, judge, passed
from sbready.evidence import (
    AppTokenFacts,
    Exchange,
    Hop,
    TokenFacts,
    api_facts,
    authorize_facts,
    facts_of,
    token_facts,
)

TOKEN_FIELDS = ("client_id", "client_secret", "code", "code_verifier", "grant_type", "redirect_uri")
_CHALLENGE = re.compile(r"^[A-Za-z0-9_-]{43}$")
_ALPHABETS = (
    (re.compile(r"^[0-9]+$"), 10),
    (re.compile(r"^[0-9a-f]+$"), 16),
    (re.compile(r"^[0-9A-F]+$"), 16),
    (re.compile(r"^[A-Za-z0-9_-]+$"), 64),
    (re.compile(r"^[A-Za-z0-9+/=]+$"), 64),
)


def state_bits(state: str) -> float:
    """Upper bound of the entropy of a state value: length x bits of its smallest alphabet."""
    for pattern, size in _ALPHABETS:
        if pattern.match(state):
            return len(state) * math.log2(size)
    return len(state) * math.log2(max(len(set(state)), 2))


def _one(query: dict[str, list[str]], name: str) -> str | None:
    values = query.get(name) or []
    return values[0] if values else None


def known_customer_connected(
    afas_base_url: str,
    *,
    authorize_url: str | None,
    blocked_host: str | None,
    walk_error: str | None,
    final_status: int | None,
    final_url: str | None,
    exchanges: Sequence[Exchange],
    first_sync: Sequence[Exchange] | None = None,
) -> Judgement:
    """ONB-02: the flow reaches <afasBaseUrl>/app/auth, ends on 2xx, and an API call works.

    Many apps only store the tokens in the callback and read data later: when the walk made
    no API call, the first call is looked for in `first_sync` (the harness's first sync).
    """
    expected = afas_base_url.rstrip("/") + "/app/auth"
    if blocked_host:
        return failed("ONB-02", f"The app sent the customer to {blocked_host} instead of the "
                      f"afasBaseUrl it was given ({afas_base_url}).",
                      [f"expected the authorize request at {expected}"])
    if authorize_url is None or not authorize_url.startswith(expected):
        return failed("ONB-02", f"The onboarding flow never reached {expected}.",
                      [f"walk ended at {final_url} with {final_status}"
                       + (f" ({walk_error})" if walk_error else "")])
    findings = []
    if final_status is None or not 200 <= final_status < 300:
        findings.append(f"the flow ended at {final_url} with {final_status}, not a 2xx "
                        "confirmation page" + (f" ({walk_error})" if walk_error else ""))
    tokens = [e for e in of_kind(exchanges, "token", "getaccesstoken") if 200 <= e.status < 300]
    seen_in = ""
    if not tokens:
        findings.append("no successful token request was made after consent")
    else:
        first_call, seen_in = _first_call(tokens[0], exchanges, first_sync)
        findings += first_call
    return judge("ONB-02", findings,
                 f"The customer went to {expected}, consented, landed on a {final_status} page "
                 f"and the first API call succeeded {seen_in}.",
                 "The known customer's onboarding did not complete.",
                 authorize_url=authorize_url, final_url=final_url,
                 first_call_seen=seen_in or None)


def token_issued(exchanges: Sequence[Exchange]) -> bool:
    """True when SB issued the app a token (code exchange, refresh or app-token exchange)."""
    return any(200 <= e.status < 300 for e in of_kind(exchanges, "token", "getaccesstoken"))


def first_call_succeeded(exchanges: Sequence[Exchange]) -> bool:
    """True when an API call succeeded after a successful token request in `exchanges`."""
    tokens = [e for e in of_kind(exchanges, "token", "getaccesstoken") if 200 <= e.status < 300]
    return bool(tokens) and not _no_call_succeeded_after(tokens[0], exchanges)


def _first_call(
    token: Exchange, exchanges: Sequence[Exchange], first_sync: Sequence[Exchange] | None
) -> tuple[list[str], str]:
    """(findings, where the first successful API call was seen: onboarding or first sync)."""
    during = _no_call_succeeded_after(token, exchanges)
    if not during:
        return [], "during the onboarding"
    if first_sync is None:
        return during, ""
    calls = api_calls(first_sync)
    if any(200 <= e.status < 300 for e in calls):
        return [], "in the first sync (the app made no API call while onboarding)"
    return ["no API call succeeded, neither while onboarding nor in the first sync: "
            + (", ".join(where(e) for e in calls[:5]) or "none was made")], ""


def _no_call_succeeded_after(token: Exchange, exchanges: Sequence[Exchange]) -> list[str]:
    """A finding when no API call after the token request succeeded (ONB-02's first call)."""
    calls = [e for e in api_calls(exchanges) if e.seq > token.seq]
    if any(200 <= e.status < 300 for e in calls):
        return []
    return ["no API call succeeded after the token was issued: "
            + (", ".join(where(e) for e in calls[:5]) or "none was made")]


def app_token_customer_connected(
    afas_base_url: str, *, handed_over: bool, detail: str, exchanges: Sequence[Exchange],
    first_sync: Sequence[Exchange] | None = None,
) -> Judgement:
    """ONB-02 for app-token apps: the token hand-off works and the first API call succeeds
    (during the hand-off, or else in the first sync: many apps only store the token)."""
    if not handed_over:
        return failed("ONB-02", f"The app did not accept the activation token: {detail}")
    expected = afas_base_url.rstrip("/") + "/authentication/getaccesstoken"
    exchanged = [e for e in of_kind(exchanges, "getaccesstoken") if 200 <= e.status < 300]
    findings: list[str] = []
    seen_in = ""
    if exchanged:
        findings, seen_in = _first_call(exchanged[0], exchanges, first_sync)
    else:
        # an app that only stores the token exchanges it at its first sync
        in_sync = [e for e in of_kind(first_sync or (), "getaccesstoken")
                   if 200 <= e.status < 300]
        if not in_sync:
            findings.append(f"the app never exchanged its token at {expected}"
                            + (", neither at the hand-off nor in the first sync"
                               if first_sync is not None else ""))
        else:
            calls = [e for e in api_calls(first_sync or ()) if e.seq > in_sync[0].seq]
            if any(200 <= e.status < 300 for e in calls):
                seen_in = "in the first sync (the app only stored the token at the hand-off)"
            else:
                findings.append("no API call succeeded in the first sync after the token "
                                "exchange: " + (", ".join(where(e) for e in calls[:5])
                                                or "none was made"))
    return judge("ONB-02", findings,
                 f"The app took the activation token, exchanged it at {expected}, and its "
                 f"first API call succeeded {seen_in}.",
                 "The known customer's app-token onboarding did not complete.",
                 first_call_seen=seen_in or None)


def authorize_request_well_formed(
    attempts: Sequence[Exchange], *, client_id: str, redirect_uri: str
) -> Judgement:
    """ONB-06: every authorize request is complete, PKCE S256, with a strong fresh state."""
    if not attempts:
        return failed("ONB-06", "The app never sent an authorize request to the sandbox.")
    findings: list[str] = []
    warnings: list[str] = []
    for attempt in attempts:
        query, at = attempt.query, f"authorize #{attempt.seq}"
        if _one(query, "client_id") != client_id:
            findings.append(f"{at}: client_id is {_one(query, 'client_id')!r}, "
                            f"registered {client_id!r}")
        if _one(query, "redirect_uri") != redirect_uri:
            findings.append(f"{at}: redirect_uri is {_one(query, 'redirect_uri')!r}, but the "
                            f"registered one is {redirect_uri!r} (exact match required)")
        if _one(query, "response_type") != "code":
            findings.append(f"{at}: response_type is {_one(query, 'response_type')!r}, not 'code'")
        method = _one(query, "code_challenge_method")
        if method != "S256":
            findings.append(f"{at}: code_challenge_method is {method!r}; AFAS requires S256")
        challenge = _one(query, "code_challenge") or ""
        if not _CHALLENGE.match(challenge):
            findings.append(f"{at}: code_challenge {challenge[:50]!r} is not a 43-character "
                            "base64url SHA-256 digest")
        state = _one(query, "state")
        if not state:
            findings.append(f"{at}: no state parameter (CSRF protection for the callback)")
        elif state_bits(state) < 128:
            findings.append(f"{at}: state {state!r} carries at most {state_bits(state):.0f} bits;"
                            " at least 128 are needed")
    states = [_one(a.query, "state") for a in attempts if _one(a.query, "state")]
    if len(states) >= 2 and len(set(states)) < len(states):
        findings.append(f"the state is reused across {len(states)} attempts; it must be fresh "
                        "per attempt")
    challenges = [_one(a.query, "code_challenge") for a in attempts]
    if len(challenges) >= 2 and len(set(challenges)) < len(challenges):
        warnings.append("the code_challenge is reused across attempts; use a fresh verifier")
    if len(attempts) < 2:
        warnings.append("only one attempt was seen, so freshness of state was not compared")
    if findings:
        return failed("ONB-06", "The authorize request does not meet AFAS's OAuth requirements.",
                      findings, warnings=warnings)
    return passed("ONB-06", f"{len(attempts)} authorize requests each carried client_id, the "
                  "exact redirect_uri, response_type=code, an S256 challenge and a fresh state "
                  "of at least 128 bits.", warnings=warnings)


def token_request_well_formed(token_requests: Sequence[Exchange]) -> Judgement:
    """ONB-07: the code exchange is a form POST with all six fields and a matching verifier."""
    exchanges = [e for e in token_requests if token_facts(e).grant_type != "refresh_token"]
    if not exchanges:
        return failed("ONB-07", "The app never exchanged its authorization code at /app/token.")
    findings = []
    for e in exchanges:
        at = f"token request #{e.seq}"
        if e.method != "POST":
            findings.append(f"{at}: method {e.method}, expected POST")
        encoding = token_facts(e).body_encoding
        if encoding != "form":
            findings.append(f"{at}: body is {encoding} ({e.request_content_type}); AFAS expects "
                            "application/x-www-form-urlencoded")
        present = set(token_facts(e).fields_present or ())
        missing = [f for f in TOKEN_FIELDS if f not in present]
        if missing:
            findings.append(f"{at}: missing {', '.join(missing)}")
        length = token_facts(e).verifier_length
        if "code_verifier" in present and not (isinstance(length, int) and 43 <= length <= 128):
            findings.append(f"{at}: code_verifier has {length} characters; 43 to 128 required")
        if "code_verifier" in present and token_facts(e).verifier_matches_challenge is False:
            findings.append(f"{at}: code_verifier does not match the code_challenge sent to "
                            "/app/auth")
    return judge("ONB-07", findings,
                 f"{len(exchanges)} token request(s) were form-encoded POSTs with all six fields "
                 "and a verifier matching the challenge.",
                 "The token request does not meet AFAS's OAuth requirements.")


def callback_state_verified(
    tampered: Sequence[tuple[str, str | None, int | None]], exchanges: Sequence[Exchange]
) -> Judgement:
    """ONB-08: after a callback with a wrong or missing state, the code is never exchanged.

    `tampered` holds (how the state was tampered, the issued code's fingerprint, the status
    the app answered the tampered callback with).
    """
    if not tampered:
        return failed("ONB-08", "No tampered callback could be delivered to the app.")
    findings = []
    for how, code_fp, app_status in tampered:
        if code_fp is None:
            findings.append(f"{how} state: the walk never got a code to tamper with")
            continue
        used = code_exchanges(exchanges, code_fp)
        if used:
            findings.append(f"{how} state: the app still exchanged the code "
                            f"({', '.join(where(e) for e in used)}); its callback answered "
                            f"{app_status}")
        elif app_status is not None and app_status >= 500:
            findings.append(f"{how} state: the app rejected it but with a {app_status}; "
                            "answer a 4xx page with a message")
    return judge("ONB-08", findings,
                 "Callbacks with a wrong and with a missing state were rejected; neither code "
                 "was exchanged.",
                 "The app does not verify the state on its OAuth callback.")


# ---- ONB-01, 03, 04, 05, 09: what the browser sees -------------------------------------------

# Stack traces of the usual server stacks (Python, Java, .NET, Node, PHP, Ruby).
TRACEBACK_MARKERS = (
    re.compile(r"Traceback \(most recent call last\)"),
    re.compile(r'File "[^"]+", line \d+'),
    re.compile(r"\bat [\w$.<>]+\([\w$]+\.java:\d+\)"),
    re.compile(r"Exception in thread \""),
    re.compile(r"\bat [\w.`<>\[\],]+\(.*\) in .+:line \d+"),
    re.compile(r"--- End of (inner exception )?stack trace"),
    re.compile(r"\bat \S+ \(\S+\.[cm]?js:\d+:\d+\)"),
    re.compile(r"Fatal error: .{0,300}? in \S+\.php"),
    re.compile(r"Stack trace:\s*#0 "),
    re.compile(r"\.rb:\d+:in `"),
)
_TAG = re.compile(r"<(script|style|head)\b.*?</\1>|<[^>]+>", re.DOTALL | re.IGNORECASE)
MIN_MESSAGE_CHARS = 10  # a page with fewer visible characters says nothing to the user


def visible_text(body: str) -> str:
    """The text a user reads on a page (tags, scripts and styles removed, spaces collapsed)."""
    return " ".join(html.unescape(_TAG.sub(" ", body)).split())


def traceback_in(body: str) -> str | None:
    """The first stack-trace marker found in a page, if any."""
    for marker in TRACEBACK_MARKERS:
        found = marker.search(body)
        if found:
            return found.group(0).strip()[:80]
    return None


def _hop(hop: Hop) -> str:
    return f"{hop.method} {hop.url} -> {hop.status or 'no answer'}"


def _server_errors(hops: Sequence[Hop]) -> list[str]:
    return [f"{_hop(h)}: a server error" for h in hops if h.status >= 500]


def onboarding_url_answers(
    onboarding_url: str, *, mode: str, first: Hop | None, timeout_s: float,
    walk_error: str | None,
) -> Judgement:
    """ONB-01: the onboarding URL answers 2xx/3xx in time for a valid afasBaseUrl; https in
    production mode."""
    findings = []
    if mode == "production" and not onboarding_url.lower().startswith("https://"):
        findings.append(f"the onboarding URL {onboarding_url} is not https; AFAS requires https "
                        "in production (mode = \"production\")")
    if first is None or first.status == 0:
        findings.append(f"the onboarding URL gave no answer within {timeout_s:g} s"
                        + (f" ({walk_error})" if walk_error else ""))
    else:
        seconds = first.duration_ms / 1000
        if not 200 <= first.status < 400:
            findings.append(f"{_hop(first)}: expected 2xx or 3xx")
        if seconds > timeout_s:
            findings.append(f"{_hop(first)} took {seconds:.1f} s; the limit is {timeout_s:g} s")
    if findings:
        return failed("ONB-01", "The onboarding URL does not answer as AFAS requires.", findings,
                      onboarding_url=onboarding_url, mode=mode)
    assert first is not None
    return passed("ONB-01", f"The onboarding URL answered {first.status} in "
                  f"{first.duration_ms:.0f} ms (limit {timeout_s:g} s)"
                  + (" over https." if onboarding_url.lower().startswith("https://") else "."),
                  onboarding_url=onboarding_url, duration_ms=first.duration_ms)


def prospect_sees_landing(
    afas_base_url: str, hops: Sequence[Hop], *, walk_error: str | None
) -> Judgement:
    """ONB-03: a visitor from an environment the app does not know gets a 2xx landing page."""
    final = hops[-1] if hops else None
    findings = [f"{_hop(h)}: an error page for a prospect" for h in hops if h.status >= 400]
    if final is None or final.status == 0:
        findings.append("the onboarding URL gave no answer"
                        + (f" ({walk_error})" if walk_error else ""))
    elif not 200 <= final.status < 300:
        if final.status < 400:
            findings.append(f"{_hop(final)}: the flow ended on a redirect, not a page")
    elif len(visible_text(final.body)) < MIN_MESSAGE_CHARS:
        findings.append(f"{_hop(final)}: the page is empty")
    if findings:
        return failed("ONB-03", f"A prospect from {afas_base_url} (no account yet) did not get "
                      "a landing or sign-up page.", findings)
    assert final is not None
    return passed("ONB-03", f"A prospect from {afas_base_url} got a {final.status} page "
                  f"{final.title!r} at {final.url}.", final_url=final.url)


def bad_base_url_rejected(cases: Sequence[tuple[str, Sequence[Hop], str | None]]) -> Judgement:
    """ONB-04: missing or malformed afasBaseUrl -> a 4xx page with a message, no stack trace.

    `cases` holds (what was sent, the hops of that walk, the walk's error).
    """
    if not cases:
        return failed("ONB-04", "No missing or malformed afasBaseUrl was tried.")
    findings = []
    warnings = []
    for what, hops, error in cases:
        final = hops[-1] if hops else None
        findings += [f"{what}: {f}" for f in _server_errors(hops)]
        for hop in hops:
            marker = traceback_in(hop.body)
            if marker:
                findings.append(f"{what}: {_hop(hop)} shows a stack trace ({marker!r})")
        if final is None or final.status == 0:
            findings.append(f"{what}: no answer" + (f" ({error})" if error else ""))
        elif final.status >= 500:
            continue  # _server_errors named it
        elif len(visible_text(final.body)) < MIN_MESSAGE_CHARS:
            findings.append(f"{what}: {_hop(final)} has no message for the user")
        elif not 400 <= final.status < 500:
            # the outcome that matters is a message and no crash; the status is advice
            warnings.append(f"{what}: {_hop(final)} shows a message; a 4xx status would also "
                            "tell monitoring the link was wrong")
    return judge("ONB-04", findings,
                 f"{len(cases)} missing or malformed afasBaseUrl values each got a page with a "
                 "message and no stack trace.",
                 "A missing or malformed afasBaseUrl is not answered with a clean page.",
                 warnings=warnings, tried=[what for what, _, _ in cases])


def foreign_host_refused(
    decoy_url: str,
    hops: Sequence[Hop],
    *,
    blocked_url: str | None,
    decoy_requests: Sequence[str],
    walk_error: str | None,
) -> Judgement:
    """ONB-05: an afasBaseUrl on a foreign host is refused and the decoy there hears nothing.

    `blocked_url` is where the app tried to send the browser off the allowed hosts (the walker
    did not follow); `decoy_requests` describes what the decoy received from anyone.
    """
    findings = []
    if decoy_requests:
        findings.append(f"the decoy at {decoy_url} received {len(decoy_requests)} request(s): "
                        + "; ".join(decoy_requests[:5]))
    if blocked_url:
        findings.append(f"the app sent the browser to {blocked_url} (the walker did not follow)")
    findings += _server_errors(hops)
    final = hops[-1] if hops else None
    if final is None or final.status == 0:
        findings.append("the onboarding URL gave no answer" + (f" ({walk_error})" if walk_error
                                                               else ""))
    warnings = []
    if final is not None and final.status and not blocked_url and final.status < 400:
        # judged by outcome: nothing reached the decoy and nothing sends the customer there
        decoy_host = decoy_url.split("://", 1)[-1].split("/", 1)[0]
        if _offers_host(final.body, decoy_host):
            findings.append(f"{_hop(final)}: the page links or posts to the foreign host "
                            f"{decoy_host}")
        else:
            warnings.append(f"{_hop(final)}: the foreign afasBaseUrl was refused with a "
                            f"{final.status} page; a 4xx status would say so to monitoring")
    if findings:
        return failed("ONB-05", f"The app accepted the foreign afasBaseUrl {decoy_url}/demo; AFAS "
                      "expects it to refuse hosts outside *.afasfocus.nl.", findings)
    assert final is not None
    return passed("ONB-05", f"The app refused afasBaseUrl {decoy_url}/demo with {final.status} "
                  "and the decoy on that host received no request.", warnings=warnings,
                  final_url=final.url)


def _offers_host(body: str, host: str) -> bool:
    """True when a page sends the customer on to `host`: a link, form, frame or refresh."""
    pattern = re.compile(r"""(?:href|action|src|content)\s*=\s*["']?[^"'>]*//"""
                         + re.escape(host), re.IGNORECASE)
    return bool(pattern.search(body or ""))


def denied_consent_handled(
    hops: Sequence[Hop], *, consent_submitted: bool, walk_error: str | None
) -> Judgement:
    """ONB-09: a callback with error=access_denied ends on a 2xx/4xx page with a message."""
    if not consent_submitted:
        return failed("ONB-09", "The walk never reached the consent page, so consent could not "
                      "be declined.", [walk_error or "the flow stopped before /app/auth"])
    final = hops[-1] if hops else None
    findings = _server_errors(hops)
    if final is None or final.status == 0:
        findings.append("the app's callback gave no answer" + (f" ({walk_error})" if walk_error
                                                                 else ""))
    elif final.status < 500:
        if 300 <= final.status < 400:
            findings.append(f"{_hop(final)}: the flow ended on a redirect, not a page")
        elif len(visible_text(final.body)) < MIN_MESSAGE_CHARS:
            findings.append(f"{_hop(final)}: no message tells the user what happened")
        marker = traceback_in(final.body)
        if marker:
            findings.append(f"{_hop(final)} shows a stack trace ({marker!r})")
    if findings:
        return failed("ONB-09", "Declined consent (error=access_denied) is not handled cleanly.",
                      findings)
    assert final is not None
    return passed("ONB-09", f"After declined consent the app showed a {final.status} page: "
                  f"{visible_text(final.body)[:160]!r}", final_url=final.url)


# ---- ONB-10: secrets the browser sees ---------------------------------------------------------

_SECRET_QUERY_KEYS = frozenset({"client_secret", "access_token", "refresh_token", "apptoken",
                                "app_token", "code_verifier", "password", "id_token", "token"})


def secrets_not_exposed(
    hops: Sequence[Hop], exchanges: Sequence[Exchange], *, leaks: Sequence[str] = ()
) -> Judgement:
    """ONB-10: no client secret or token in a URL, redirect or page the browser sees, nor in
    a URL the app sends to SB.

    `leaks` are exposures the suite found with the sandbox's own knowledge of issued tokens.
    """
    findings = [f"{_hop(h)}: {what}" for h in hops for what in h.exposed]
    findings += list(leaks)
    for e in exchanges:
        if facts_of(e).secret_in_url:
            findings.append(f"{where(e)}: a secret in the request URL")
        keys = sorted({k.lower() for k in e.query} & _SECRET_QUERY_KEYS)
        if keys and not facts_of(e).secret_in_url:
            findings.append(f"{where(e)}: {', '.join(keys)} in the request URL")
    return judge("ONB-10", findings,
                 f"No secret or token showed up in {len(hops)} browser requests, redirects and "
                 f"pages, nor in the URLs of {len(exchanges)} SB requests.",
                 "A secret or token is exposed where browsers, proxies and logs see it.")


# ---- ONB-11: app tokens and admin-level tokens ------------------------------------------------

GETACCESSTOKEN = "/authentication/getaccesstoken"


def _app_token_shape(attempts: Sequence[Exchange]) -> list[str]:
    """Findings for app-token exchanges that are not a JSON {"apptoken"} POST."""
    findings = []
    for e in attempts:
        if e.method != "POST" or not e.path.endswith(GETACCESSTOKEN):
            findings.append(f"{where(e)}: expected POST <afasBaseUrl>{GETACCESSTOKEN}")
        kind = (e.request_content_type or "").split(";")[0].strip().lower()
        body = e.request_body
        if kind != "application/json" or not isinstance(body, dict) or "apptoken" not in body:
            shape = sorted(body) if isinstance(body, dict) else type(body).__name__
            findings.append(f"{where(e)}: body is {kind or 'untyped'} {shape}; AFAS expects "
                            'JSON {"apptoken": "..."}')
    return findings


def app_token_exchanged(exchanges: Sequence[Exchange], *, environment: str) -> Judgement:
    """ONB-11 (app-token apps): the app token is exchanged with a JSON {"apptoken"} POST at
    <afasBaseUrl>/authentication/getaccesstoken."""
    expected = f"/{environment}{GETACCESSTOKEN}"
    attempts = of_kind(exchanges, "getaccesstoken")
    astray = [e for e in exchanges if e.kind in ("token", "unknown")
              and ("token" in e.path.lower() or "auth" in e.path.lower())]
    findings = [f"{where(e)}: not {expected}" for e in astray]
    if not attempts:
        findings.append(f"the app never posted its app token to {expected}")
    findings += [f"{where(e)}: expected POST {expected}" for e in attempts
                 if e.method == "POST" and e.path != expected]
    findings += _app_token_shape(attempts)
    if attempts and not any(200 <= e.status < 300 for e in attempts):
        findings.append("no app-token exchange succeeded")
    return judge("ONB-11", findings,
                 f"{len(attempts)} app-token exchange(s) were JSON POSTs of {{\"apptoken\"}} to "
                 f"{expected}.",
                 "The app token is not exchanged the way AFAS specifies.")


def _bearer_fp(exchange: Exchange) -> str | None:
    """The fingerprint of the bearer token an API call carried (journal fact, else header)."""
    fact = api_facts(exchange).access_fp
    if isinstance(fact, str) and fact:
        return fact
    scheme, _, credential = exchange.request_headers.get("authorization", "").partition(" ")
    return credential.strip() or None if scheme.lower() == "bearer" else None


def admin_tokens_per_environment(
    exchanges: Sequence[Exchange], *, app_token: bool = False
) -> Judgement:
    """ONB-11 (admin-level apps): getscopes first, then a token per environment (from
    /<scope>/app/token, or for an Admin Center app token from
    /<scope>/authentication/getaccesstoken); no access token is used in an environment it was
    not issued for."""
    scopes = [e for e in of_kind(exchanges, "getscopes") if 200 <= e.status < 300]
    findings = []
    if not scopes:
        findings.append("the app never read its environments with /authentication/getscopes")
    endpoint = GETACCESSTOKEN if app_token else "/app/token"
    if app_token:
        findings += _app_token_shape(of_kind(exchanges, "getaccesstoken"))
    issued_for: dict[str, str] = {}
    token_environments: set[str] = set()
    for e in of_kind(exchanges, "token", "getaccesstoken"):
        issued = facts_of(e)
        fp = issued.issued_access_fp if isinstance(issued, TokenFacts | AppTokenFacts) else None
        if fp and 200 <= e.status < 300:
            # /app/token (no environment segment) is the Admin Center's token endpoint; an
            # app-token exchange at /admin may ask for another environment with `scope`
            target = str((issued.issued_for if isinstance(issued, AppTokenFacts) else None)
                         or e.environment or "admin")
            issued_for[str(fp)] = target
            if target != "admin":
                token_environments.add(target)
    used: set[str] = set()
    reused: set[tuple[str, str]] = set()
    for call in api_calls(exchanges):
        origin = issued_for.get(_bearer_fp(call) or "")
        if origin is not None and origin != call.environment:
            key = (origin, call.environment or "")
            if key not in reused:  # one finding per (token origin, environment) pair
                reused.add(key)
                findings.append(f"{where(call)}: reuses the token issued for {origin} in "
                                f"{call.environment}; get a token per environment from "
                                f"/{call.environment}{endpoint}")
        if call.environment:
            used.add(call.environment)
    for environment in sorted(used - token_environments):
        findings.append(f"the app called the API in {environment} but never got a token at "
                        f"/{environment}{endpoint}")
    if scopes and used:
        first_scope = scopes[0].seq
        early = [c for c in api_calls(exchanges) if c.seq < first_scope]
        if early:
            findings.append(f"{where(early[0])}: an API call before getscopes")
    return judge("ONB-11", findings,
                 f"The admin-level app read its scopes and used a token per environment "
                 f"({', '.join(sorted(used)) or 'none called'}).",
                 "The admin-level app does not get a token per environment.")


# ---- ONB-12: consent withdrawn and given again ------------------------------------------------

MAX_REFRESHES_AFTER_WITHDRAWAL = 3  # more token refreshes against a dead grant is a loop


def consent_withdrawal_recovered(
    *,
    blocked_outcome: str,
    blocked_output: str,
    blocked_exchanges: Sequence[Exchange],
    walk_final_status: int | None,
    walk_error: str | None,
    walk_exchanges: Sequence[Exchange],
    after_outcome: str,
    after_output: str,
    after_exchanges: Sequence[Exchange],
) -> Judgement:
    """ONB-12: after consent is withdrawn and restored, the sync reports that re-authorization
    is needed (no loop), a new consent flow exchanges a new code, and the next sync works."""
    findings, warnings = [], []
    refreshes = [e for e in of_kind(blocked_exchanges, "token", "getaccesstoken")
                 if token_facts(e).grant_type != "authorization_code"]
    if blocked_outcome == "synced":
        findings.append("the sync after the withdrawal reported success although SB refused "
                        "the app's tokens")
    elif blocked_outcome == "timeout":
        findings.append("the sync after the withdrawal did not finish (stuck retrying?)")
    elif not wording.mentions("reauthorize", blocked_output) and (
            wording.status_signal(blocked_output) != "reauthorize"):
        # Dutch or English; a wording the harness cannot classify is quoted, not failed
        warnings.append("the failed sync's output does not say that re-authorization is needed "
                        "(e.g. 'koppel opnieuw' / 'connect again'): "
                        + wording.quoted(blocked_output))
    if len(refreshes) > MAX_REFRESHES_AFTER_WITHDRAWAL:
        findings.append(f"{len(refreshes)} token refreshes after the withdrawal (a loop): "
                        + ", ".join(where(e) for e in refreshes[:4]))
    codes = [e for e in of_kind(walk_exchanges, "token")
             if token_facts(e).grant_type == "authorization_code"]
    if not any(200 <= e.status < 300 for e in codes):
        findings.append("the new consent flow did not end in a successful code exchange: "
                        + (", ".join(where(e) for e in codes) or "no code was exchanged"))
    if walk_final_status is None or not 200 <= walk_final_status < 300:
        findings.append(f"the new consent flow ended with {walk_final_status}"
                        + (f" ({walk_error})" if walk_error else "") + ", not a 2xx page")
    calls = api_calls(after_exchanges)
    if after_outcome != "synced":
        findings.append(f"the sync after the new consent {after_outcome}: "
                        f"{after_output.strip()[-200:]!r}")
    if not any(200 <= e.status < 300 for e in calls):
        findings.append("no API call succeeded after the new consent: "
                        + (", ".join(where(e) for e in calls[:4]) or "none was made"))
    if findings:
        return failed("ONB-12", "After consent was withdrawn and given again, the app did not "
                      "recover with a new consent flow.", findings, warnings=warnings)
    return passed("ONB-12", "After the withdrawal the sync stopped and asked for "
                  "re-authorization; a new consent flow exchanged a new code and the next sync "
                  f"succeeded ({len(calls)} API calls).", warnings=warnings)


# ---- ONB-13: the redirect_uri -----------------------------------------------------------------


def redirect_uri_exact(
    redirect_uri: str, *, mode: str, attempts: Sequence[Exchange]
) -> Judgement:
    """ONB-13: the redirect_uri is https in production mode and every authorize request uses
    exactly the registered one."""
    findings = []
    if mode == "production" and not redirect_uri.lower().startswith("https://"):
        findings.append(f"the registered redirect_uri {redirect_uri} is not https; AFAS requires "
                        "https in production")
    if "*" in redirect_uri:
        findings.append(f"the redirect_uri {redirect_uri} has a wildcard; register it exactly")
    if not attempts:
        findings.append("the app never sent an authorize request, so its redirect_uri was not "
                        "seen")
    for attempt in attempts:
        sent = _one(attempt.query, "redirect_uri")
        if sent != redirect_uri:
            findings.append(f"authorize #{attempt.seq}: redirect_uri {sent!r} is not exactly "
                            f"the registered {redirect_uri!r}")
        elif authorize_facts(attempt).redirect_uri_registered is False:
            findings.append(f"authorize #{attempt.seq}: SB did not accept {sent!r} as registered")
    return judge("ONB-13", findings,
                 f"{len(attempts)} authorize request(s) used exactly the registered redirect_uri "
                 f"{redirect_uri}" + (" (https)." if redirect_uri.startswith("https") else "."),
                 "The redirect_uri is not https or not exactly the registered one.",
                 redirect_uri=redirect_uri, mode=mode)
