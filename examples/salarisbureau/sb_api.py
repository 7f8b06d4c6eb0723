"""Talking to AFAS SB as an Admin Center app-token app.

The office's app token is exchanged at <root>/admin/authentication/getaccesstoken for the
getscopes token, and again at <root>/<environment>/authentication/getaccesstoken for each
client environment; each access token is used only where it was issued (AFAS's
authentication guide). Every request has a client timeout; timeouts, dropped connections and
5xx are retried a bounded number of times with growing pauses, 429 waits for Retry-After,
and a 401 on an API call re-exchanges the token of that environment and retries once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import httpx

from examples.salarisbureau.afas_address import ADMIN_CENTER, AfasAddress
from examples.salarisbureau.settings import RetryPolicy

log = logging.getLogger("salarisbureau.sb")

ProblemKind = Literal["token_refused", "forbidden", "rejected", "unavailable", "unexpected"]
EXPIRY_MARGIN_S = 30.0  # exchange again a little before SB says the token ends
ACCEPT_VERSION = {  # the endpoint versions of SB 6.0.0 this app was built against
    "/api/administrations": "1",
    "/api/ledgeraccounts": "1",
    "/api/payrolljournalentry": "1",
}
PAGE_SIZE = 100


class SbProblem(Exception):
    """SB could not do what the sync needed; `message` is a sentence for the office."""

    def __init__(self, kind: ProblemKind, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


@dataclass(frozen=True)
class Scope:
    """A client environment the office can reach (one getscopes item)."""

    path: str
    name: str


@dataclass(frozen=True)
class WriteAnswer:
    """SB's answer to a write: result, the records made, the errors, the trace id."""

    result: str
    entry_id: str | None
    errors: list[str]
    trace_id: str | None


@dataclass
class _AccessToken:
    value: str
    expires_at: float


def reactivate_hint() -> str:
    """What the office must do when SB no longer accepts the app token."""
    return ("ask the administrator of the office to activate the app again in the AFAS SB "
            "App Center (Admin Center) and paste the new app token on the connect page")


def _expires_in(raw: Any) -> float:
    """expires_in as seconds: AFAS's guide shows a string ("600"), the spec an integer."""
    try:
        return float(str(raw).strip())
    except ValueError:
        return 600.0  # the app-token lifetime AFAS documents


def _error_text(response: httpx.Response) -> tuple[str, str | None]:
    """(SB's message, its TraceId) from an error body, whatever its shape."""
    try:
        body = response.json()
    except ValueError:
        return response.text.strip()[:200] or response.reason_phrase, None
    if not isinstance(body, dict):
        return str(body)[:200], None
    message = body.get("Message") or body.get("message") or body.get("error_description")
    trace = body.get("TraceId") or body.get("traceId")
    code = body.get("ExceptionCode")
    text = str(message or response.reason_phrase)
    return (f"{code}: {text}" if code else text), (str(trace) if trace else None)


class SbSession:
    """One sync's connection to SB for one office: tokens per environment, retries, reads."""

    def __init__(self, address: AfasAddress, app_token: str, policy: RetryPolicy, *,
                 transport: httpx.BaseTransport | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.address = address
        self._app_token = app_token
        self.policy = policy
        self._sleep = sleep
        self._tokens: dict[str, _AccessToken] = {}
        self.http = httpx.Client(timeout=policy.client_timeout_s, transport=transport,
                                 headers={"Accept": "application/json"})

    def close(self) -> None:
        """Close the connection pool."""
        self.http.close()

    def __enter__(self) -> SbSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- sending, with the retry policy ---------------------------------------------------

    def _send(self, what: str, method: str, url: str, **request: Any) -> httpx.Response:
        """Send one logical request: bounded retries for no answer and 5xx (growing pauses),
        and for 429 the wait SB asks for, within the same bounds."""
        started = time.monotonic()
        failures = busy = 0
        while True:
            try:
                response = self.http.request(method, url, **request)
            except httpx.TimeoutException:
                problem = f"AFAS SB did not answer {what} within {self.policy.client_timeout_s:g} s"
                response = None
            except httpx.TransportError as error:
                problem = f"AFAS SB could not be reached for {what} ({type(error).__name__})"
                response = None
            if response is not None and response.status_code == 429:
                busy += 1
                wait = self._retry_after(response)
                if wait is None or busy >= self.policy.attempts:
                    why = ("asks to wait longer than this sync may" if wait is None
                           else f"stayed busy after {busy} attempts")
                    raise SbProblem("unavailable", f"AFAS SB is busy (429) for {what} and "
                                    f"{why}; the sync failed, it will be tried again later")
                log.info("429 for %s: waiting %.1f s as Retry-After asks", what, wait)
                self._sleep(wait)
                continue
            if response is not None and response.status_code < 500:
                return response
            if response is not None:
                problem = f"AFAS SB answered {response.status_code} to {what}"
            failures += 1
            spent = time.monotonic() - started
            if failures >= self.policy.attempts or spent >= self.policy.budget_s:
                raise SbProblem("unavailable", f"{problem} (tried {failures} times); the sync "
                                "failed, it will be tried again later")
            pauses = self.policy.backoff_s or (0.0,)
            pause = pauses[min(failures - 1, len(pauses) - 1)]
            log.info("%s; trying again in %.1f s", problem, pause)
            self._sleep(pause)

    def _retry_after(self, response: httpx.Response) -> float | None:
        raw = response.headers.get("Retry-After", "1").strip()
        try:
            wait = max(0.0, float(raw))
        except ValueError:
            return None  # an HTTP date: SB documents none; treat as "too long"
        return wait if wait <= self.policy.max_retry_after_s else None

    # ---- tokens ---------------------------------------------------------------------------

    def _exchange(self, environment: str) -> _AccessToken:
        """Exchange the app token at <root>/<environment>/authentication/getaccesstoken."""
        url = f"{self.address.root}/{environment}/authentication/getaccesstoken"
        response = self._send(f"the token request for {environment}", "POST", url,
                              json={"apptoken": self._app_token})
        if response.status_code in (400, 401, 403):
            text, _ = _error_text(response)
            raise SbProblem("token_refused", f"AFAS SB refused the app token for {environment} "
                            f"(HTTP {response.status_code}: {text}); {reactivate_hint()}")
        if response.status_code != 200:
            raise SbProblem("unexpected", f"the token request for {environment} answered "
                            f"HTTP {response.status_code}")
        try:
            body = response.json()
        except ValueError:
            body = None
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise SbProblem("unexpected", f"the token answer for {environment} had no "
                            "access_token")
        lifetime = _expires_in(body.get("expires_in") if isinstance(body, dict) else None)
        return _AccessToken(token, time.monotonic() + lifetime - EXPIRY_MARGIN_S)

    def token(self, environment: str, *, fresh: bool = False) -> str:
        """The access token for `environment` (exchanged when missing, expired or `fresh`)."""
        held = self._tokens.get(environment)
        if fresh or held is None or time.monotonic() >= held.expires_at:
            held = self._exchange(environment)
            self._tokens[environment] = held
        return held.value

    def client_environments(self) -> list[Scope]:
        """The office's client environments (getscopes), without the Admin Center itself."""
        url = f"{self.address.root}/authentication/getscopes"
        for attempt in (1, 2):
            bearer = self.token(ADMIN_CENTER, fresh=attempt == 2)
            response = self._send("the list of client environments", "GET", url,
                                  headers={"Authorization": f"Bearer {bearer}"})
            if response.status_code != 401:
                break
        if response.status_code == 401:
            raise SbProblem("token_refused", "AFAS SB does not accept the Admin Center token "
                            f"for getscopes (HTTP 401); {reactivate_hint()}")
        if response.status_code != 200:
            text, _ = _error_text(response)
            raise SbProblem("unexpected", "the list of client environments failed (HTTP "
                            f"{response.status_code}: {text})")
        try:
            items = response.json()
        except ValueError:
            items = None
        scopes = []
        for item in items if isinstance(items, list) else []:
            path = item.get("Path") if isinstance(item, dict) else None
            # the Admin Center lists itself ("Beheer", Path "admin"): no client environment
            if not isinstance(path, str) or not path.strip() or path.strip() == ADMIN_CENTER:
                continue
            name = item.get("Name")
            scopes.append(Scope(path.strip(), name if isinstance(name, str) and name else path))
        return scopes

    # ---- the API --------------------------------------------------------------------------

    def api(self, environment: str, method: str, path: str, *,
            params: dict[str, Any] | None = None, body: Any = None,
            tracking_identifier: str | None = None) -> httpx.Response:
        """One API call in `environment` with its own token; a 401 gets one fresh token."""
        url = f"{self.address.root}/{environment}{path}"
        what = f"{method} {path} in {environment}"
        for attempt in (1, 2):
            bearer = self.token(environment, fresh=attempt == 2)
            headers = {"Authorization": f"Bearer {bearer}",
                       "Accept-Version": ACCEPT_VERSION[path]}
            if tracking_identifier:
                headers["Tracking-Identifier"] = tracking_identifier
            response = self._send(what, method, url, params=params, json=body,
                                  headers=headers)
            if response.status_code != 401:
                break
            log.info("401 for %s: exchanging the app token again", what)
        if response.status_code == 401:
            raise SbProblem("token_refused", f"AFAS SB refused a fresh token for {what} "
                            f"(HTTP 401); {reactivate_hint()}")
        if response.status_code == 403:
            raise SbProblem("forbidden", f"AFAS SB gives this app no rights for {what} (HTTP "
                            "403); ask the administrator to grant the app the Loonjournaalpost "
                            "bundle in the App Center")
        return response

    def read_all(self, environment: str, path: str, *, sort_field: str,
                 filter_expression: str | None = None) -> list[dict[str, Any]]:
        """Every record of a list, page by page with a stable sort, de-duplicated by Id."""
        records: dict[str, dict[str, Any]] = {}
        skip = 0
        while True:
            params: dict[str, Any] = {"skip": skip, "take": PAGE_SIZE, "sortField": sort_field}
            if filter_expression:
                params["filter"] = filter_expression
            response = self.api(environment, "GET", path, params=params)
            if response.status_code != 200:
                text, trace = _error_text(response)
                raise SbProblem("unexpected", f"reading {path} in {environment} failed (HTTP "
                                f"{response.status_code}: {text}"
                                + (f", TraceId {trace})" if trace else ")"))
            try:
                body = response.json()
            except ValueError:
                body = None
            page = body.get("Result") if isinstance(body, dict) else body
            page = page if isinstance(page, list) else []
            for record in page:
                ident = record.get("Id") if isinstance(record, dict) else None
                if isinstance(ident, str) and ident:
                    records.setdefault(ident, record)
            if len(page) < PAGE_SIZE:
                return list(records.values())
            skip += PAGE_SIZE

    def post_payroll_entry(self, environment: str, entry: dict[str, Any],
                           tracking_identifier: str) -> WriteAnswer:
        """POST one payroll journal entry; SB's verdict as a WriteAnswer.

        A 400 (e.g. DS3100) is raised as "rejected": the same body would be refused again.
        """
        response = self.api(environment, "POST", "/api/payrolljournalentry", body=entry,
                            tracking_identifier=tracking_identifier)
        if response.status_code == 400:
            text, trace = _error_text(response)
            raise SbProblem("rejected", f"AFAS SB rejected the payroll journal entry "
                            f"{entry.get('Description')!r} in {environment}: {text}"
                            + (f" (TraceId {trace})" if trace else ""))
        if response.status_code != 200:
            text, _ = _error_text(response)
            raise SbProblem("unexpected", f"posting the payroll journal entry in {environment} "
                            f"answered HTTP {response.status_code}: {text}")
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return WriteAnswer("", None, ["SB answered without a write result"], None)
        instances = body.get("instances")
        entry_id = None
        if isinstance(instances, list):
            entry_id = next((i.get("Id") for i in instances
                             if isinstance(i, dict) and isinstance(i.get("Id"), str)), None)
        data = body.get("data")
        if entry_id is None and isinstance(data, dict):
            entry_id = next((v for k, v in data.items()
                             if k.endswith("Id") and isinstance(v, str)), None)
        raw_errors = body.get("errors")
        errors = [e if isinstance(e, str) else "; ".join(f"{k}: {v}" for k, v in e.items())
                  if isinstance(e, dict) else str(e)
                  for e in (raw_errors if isinstance(raw_errors, list) else [])]
        result = body.get("result")
        trace = body.get("traceId") or body.get("TraceId")
        return WriteAnswer(result if isinstance(result, str) else "", entry_id, errors,
                           str(trace) if trace else None)
