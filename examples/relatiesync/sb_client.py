"""Talking to AFAS SB: the app-token exchange, bearer calls, and the retry policy.

Policy (one place, so every request follows it):
- client timeout 5 s per attempt; one logical request gets at most 3 attempts;
- 5xx and dropped connections: retried after 0.5 s, then 1.5 s;
- 429: retried after Retry-After (at least the backoff); more than 30 s asked: stop;
- no answer within the timeout twice: SB counts as unreachable and the sync stops;
- 401: the app token is exchanged again and the request retried once;
- 400, 403, 404 and other 4xx are answers, never retried.
Writes carry a Tracking-Identifier chosen by the caller, identical on every attempt, so SB
processes a retried write once.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

import httpx

from examples.relatiesync.flaws import flaw

TIMEOUT_S = 5.0
MAX_ATTEMPTS = 3
BACKOFF_S = (0.5, 1.5)
MAX_TIMEOUTS = 2
MAX_RETRY_AFTER_S = 30.0
EXCHANGE_LOOP_LIMIT = 25  # the exchange_until_accepted flaw still ends
TOKEN_MARGIN_S = 30.0  # renew a little before SB's expiry, not after a 401 every time
USER_AGENT = "RelatieSync/1.0 (+https://relatiesync.example/support)"


class SbError(Exception):
    """SB could not be used for this sync; the message is for the administrator."""


class SbUnreachable(SbError):
    """SB did not answer (timeouts, refused connections) or kept failing with 5xx/429."""


class ReconnectNeeded(SbError):
    """SB refuses the app token: the administrator must activate the app again."""


class Forbidden(SbError):
    """SB answered 403: the app's bundles do not grant this operation."""


@dataclass(frozen=True)
class SbAnswer:
    """An answer SB gave (any status except 401/5xx/429, which the client handles)."""

    status: int
    body: Any  # parsed JSON, or None
    text: str

    @property
    def trace_id(self) -> str | None:
        """SB's TraceId (error bodies) or traceId (write results), if the body has one."""
        if isinstance(self.body, dict):
            value = self.body.get("TraceId") or self.body.get("traceId")
            return str(value) if value else None
        return None


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _retry_after(response: httpx.Response) -> float:
    try:
        return max(0.0, float(response.headers.get("retry-after", "0")))
    except ValueError:
        return 0.0  # an HTTP date: fall back to our own backoff


def sb_message(answer_body: Any, fallback: str) -> str:
    """SB's own message from an error body ({"Message": ...}), else `fallback`."""
    if isinstance(answer_body, dict):
        for key in ("Message", "message", "error_description", "error"):
            if isinstance(answer_body.get(key), str) and answer_body[key]:
                return str(answer_body[key])
    return fallback


class SbClient:
    """One connected SB customer environment: exchanges the app token, sends API calls."""

    def __init__(
        self,
        base_url: str,
        app_token: str,
        *,
        http: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._app_token = app_token
        timeout = None if flaw("no_client_timeout") else TIMEOUT_S
        self._http = http or httpx.Client(timeout=timeout, headers={"User-Agent": USER_AGENT})
        self._sleep = sleep
        self._clock = clock
        self._access_token: str | None = None
        self._expires_at = 0.0
        self.exchanges = 0  # app-token exchanges made (for the status page and tests)

    def close(self) -> None:
        """Close the keep-alive connections."""
        self._http.close()

    # ---- the access token ----------------------------------------------------------------
    def access_token(self) -> str:
        """A valid access token: the cached one, or a fresh exchange of the app token."""
        if self._access_token is None or self._clock() >= self._expires_at:
            self._exchange()
        assert self._access_token is not None
        return self._access_token

    def forget_access_token(self) -> None:
        """Drop the cached access token (SB said 401: it expired or was revoked)."""
        self._access_token = None

    def _exchange(self) -> None:
        url = f"{self.base_url}/authentication/getaccesstoken"
        self.exchanges += 1
        response = self._send(self._token_request(url), what="the app-token exchange")
        for _ in range(EXCHANGE_LOOP_LIMIT if flaw("exchange_until_accepted") else 0):
            if response.status_code not in (400, 401, 403):
                break
            response = self._send(self._token_request(url), what="the app-token exchange")
        body = _json(response)
        if response.status_code in (400, 401, 403):
            raise ReconnectNeeded(
                "AFAS SB no longer accepts the app token ("
                + sb_message(body, f"HTTP {response.status_code}")
                + "): reactivate RelatieSync in the AFAS App Center and paste the new token on "
                "the connect page to reconnect (re-authorization needed)")
        token = body.get("access_token") if isinstance(body, dict) else None
        if response.status_code != 200 or not isinstance(token, str) or not token:
            raise SbError(f"the app-token exchange answered HTTP {response.status_code} without "
                          "an access token; try again later or contact RelatieSync support")
        try:
            lifetime = float(body.get("expires_in") or 600)  # AFAS sends "600" or 600
        except (TypeError, ValueError):
            lifetime = 600.0
        self._access_token = token
        self._expires_at = self._clock() + max(0.0, lifetime - TOKEN_MARGIN_S)

    def _token_request(self, url: str) -> Callable[[], httpx.Response]:
        """The getaccesstoken POST: JSON {"apptoken": ...} as AFAS's authentication guide says."""
        payload = {"apptoken": self._app_token}
        query = payload if flaw("app_token_in_query") else None
        if flaw("form_encoded_token_exchange"):
            return lambda: self._http.post(url, data=payload, params=query)
        return lambda: self._http.post(url, json=payload, params=query)

    # ---- API calls -------------------------------------------------------------------------
    def call(
        self,
        method: str,
        api_path: str,
        *,
        version: str,
        params: Mapping[str, str] | None = None,
        body: Any = None,
        tracking_identifier: str | None = None,
    ) -> SbAnswer:
        """One logical API request (retries included); 401 renews the token once."""
        url = f"{self.base_url}{api_path}"
        what = f"{method} {api_path}"
        for renewed in (False, True):
            headers = {"Authorization": f"Bearer {self.access_token()}",
                       "Accept-Version": version, "Accept": "application/json"}
            if tracking_identifier:
                headers["Tracking-Identifier"] = tracking_identifier
            request = self._http.build_request(method, url, params=params, json=body,
                                               headers=headers)
            send = partial(self._http.send, request)
            if tracking_identifier and flaw("new_identifier_per_attempt"):
                send = partial(self._send_with_new_identifier, request, [])
            response = self._send(send, what=what)
            if response.status_code == 401 and not renewed and not flaw("no_renewal_on_401"):
                self.forget_access_token()  # expired or revoked: exchange again, then retry
                continue
            if response.status_code == 401:
                raise ReconnectNeeded(f"{what}: AFAS SB answered 401 with a fresh access token; "
                                      "reactivate RelatieSync in the AFAS App Center and "
                                      "reconnect (re-authorization needed)")
            answer = SbAnswer(response.status_code, _json(response), response.text[:2000])
            for _ in range(10 if flaw("retry_forbidden") else 0):
                if answer.status != 403:
                    break
                response = self._send(partial(self._http.send, request), what=what)
                answer = SbAnswer(response.status_code, _json(response), response.text[:2000])
            if response.status_code == 403:
                raise Forbidden(f"{what}: AFAS SB answered 403 Forbidden ("
                                + sb_message(answer.body, "no rights")
                                + "); the app lacks rights for this operation: check the "
                                "bundles granted to RelatieSync in the App Center")
            return answer
        raise AssertionError("unreachable")  # the loop returns or raises

    def _send_with_new_identifier(self, request: httpx.Request,
                                  attempts: list[int]) -> httpx.Response:
        if attempts:  # a retry: the flaw labels it as a new write
            request.headers["Tracking-Identifier"] = str(uuid.uuid4())
        attempts.append(1)
        return self._http.send(request)

    def _send(self, send: Callable[[], httpx.Response], *, what: str) -> httpx.Response:
        """Send with the retry policy; returns the first answer that is not 5xx/429."""
        timeouts = 0
        problem = ""
        for attempt in range(1, MAX_ATTEMPTS + 1):
            wait = BACKOFF_S[min(attempt - 1, len(BACKOFF_S) - 1)]
            try:
                response = send()
            except httpx.TimeoutException:
                timeouts += 1
                problem = f"no answer within {TIMEOUT_S:g} s"
                if timeouts >= MAX_TIMEOUTS:
                    break
            except httpx.TransportError as error:
                problem = f"connection failed ({type(error).__name__})"
            else:
                if response.status_code == 429:
                    asked = _retry_after(response)
                    problem = f"HTTP 429 Too Many Requests (Retry-After {asked:g} s)"
                    if asked > MAX_RETRY_AFTER_S:
                        break
                    wait = wait if flaw("ignore_retry_after") else max(wait, asked)
                elif response.status_code >= 500:
                    problem = f"HTTP {response.status_code}"
                else:
                    return response
            if attempt < MAX_ATTEMPTS and not flaw("no_backoff"):
                self._sleep(wait)
        raise SbUnreachable(f"{what}: AFAS SB is unavailable ({problem}, after {attempt} "
                            "attempt(s)); the sync stopped and will continue next time")
