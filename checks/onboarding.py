"""ONB: working onboarding, judged from the walker's hops and the sandbox journal."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from checks.evidence import api_calls, code_exchanges, of_kind, where
from checks.judgement import Judgement, failed, judge, passed
from sbready.sandbox.journal import Exchange

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
) -> Judgement:
    """ONB-02: the flow reaches <afasBaseUrl>/app/auth, ends on 2xx, and an API call works."""
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
    if not tokens:
        findings.append("no successful token request was made after consent")
    calls = [e for e in api_calls(exchanges) if tokens and e.seq > tokens[0].seq]
    if tokens and not any(200 <= e.status < 300 for e in calls):
        findings.append("no API call succeeded after the token was issued: "
                        + (", ".join(where(e) for e in calls[:5]) or "none was made"))
    return judge("ONB-02", findings,
                 f"The customer went to {expected}, consented, landed on a {final_status} page "
                 "and the first API call succeeded.",
                 "The known customer's onboarding did not complete.",
                 authorize_url=authorize_url, final_url=final_url)


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
    exchanges = [e for e in token_requests if e.facts.get("grant_type") != "refresh_token"]
    if not exchanges:
        return failed("ONB-07", "The app never exchanged its authorization code at /app/token.")
    findings = []
    for e in exchanges:
        at = f"token request #{e.seq}"
        if e.method != "POST":
            findings.append(f"{at}: method {e.method}, expected POST")
        encoding = e.facts.get("body_encoding")
        if encoding != "form":
            findings.append(f"{at}: body is {encoding} ({e.request_content_type}); AFAS expects "
                            "application/x-www-form-urlencoded")
        present = set(e.facts.get("fields_present") or ())
        missing = [f for f in TOKEN_FIELDS if f not in present]
        if missing:
            findings.append(f"{at}: missing {', '.join(missing)}")
        length = e.facts.get("verifier_length")
        if "code_verifier" in present and not (isinstance(length, int) and 43 <= length <= 128):
            findings.append(f"{at}: code_verifier has {length} characters; 43 to 128 required")
        if "code_verifier" in present and e.facts.get("verifier_matches_challenge") is False:
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
