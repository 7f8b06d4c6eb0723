"""A small AFAS SB API client: bearer tokens kept fresh, Accept-Version, paging, writes."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import httpx

from examples.demo_partner import styles
from examples.demo_partner.errors import (
    DemoPartnerError,
    ReauthorizationNeeded,
    SbForbidden,
    SbRejected,
)
from examples.demo_partner.oauth import TokenClient
from examples.demo_partner.retry import (
    DEFAULT_POLICY,
    RetryPolicy,
    send_with_retries,
)
from examples.demo_partner.settings import Settings
from examples.demo_partner.store import Connection, Store

PAGE_SIZE = 100
MAX_PAGES = 1000  # a guard against a server that never ends a list
EXPIRY_MARGIN = 30.0  # refresh this many seconds before the token's stated expiry
REFRESH_LOOP_LIMIT = 25  # the refresh_loop flaw still ends, so a self-test cannot hang


@dataclass(frozen=True)
class ListRead:
    """The items of a (paged) list read and the TrackingToken SB gave, if any."""

    items: list[dict[str, Any]]
    tracking_token: str | None


def unwrap_list(body: Any, what: str) -> tuple[list[dict[str, Any]], str | None]:
    """Items and TrackingToken of a list answer: a bare array or {TrackingToken, Result}."""
    if isinstance(body, list):
        rows, token = body, None
    elif isinstance(body, dict) and isinstance(body.get("Result"), list):
        rows, token = body["Result"], body.get("TrackingToken")
    else:
        raise DemoPartnerError(
            f"SB answered {what} with neither a list nor {{TrackingToken, Result}}; "
            "the sync stopped before writing anything."
        )
    items = [row for row in rows if isinstance(row, dict)]
    return items, token if isinstance(token, str) and token else None


class SbClient:
    """API calls for one connection, over one keep-alive httpx.Client."""

    def __init__(
        self,
        http: httpx.Client,
        connection: Connection,
        store: Store,
        settings: Settings,
        *,
        policy: RetryPolicy = DEFAULT_POLICY,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.http = http
        self.connection = connection
        self.store = store
        self.settings = settings
        self.policy = policy
        self.sleep = sleep
        self.tokens = TokenClient(http, settings, policy=policy, sleep=sleep)
        self._behaviour = self.tokens.behaviour
        # the fresh_token style renews once per client (= per sync), whatever it has stored
        self._fresh = not styles.is_on("fresh_token")

    # -- credentials ---------------------------------------------------------------------
    def _access_token(self) -> str:
        connection = self.connection
        expired = connection.expires_at is not None and (
            connection.expires_at - EXPIRY_MARGIN < time.time()
        )
        if not connection.access_token or expired or not self._fresh:
            self.renew_access_token()
        assert self.connection.access_token is not None
        return self.connection.access_token

    def renew_access_token(self) -> None:
        """Get a new access token (refresh_token grant or app-token exchange) and store it."""
        connection = self.connection
        if connection.kind == "apptoken":
            if not connection.app_token:
                raise ReauthorizationNeeded(
                    f"re-authorization needed for {connection.base_url}: no app token stored; "
                    "run `connect` with the token from the AFAS App Center."
                )
            try:
                renewed = self.tokens.exchange_app_token(connection.base_url,
                                                         connection.app_token)
            except ReauthorizationNeeded:
                if styles.is_on("forget_rejected"):
                    # a rejected token is dropped: only a newly handed-over token reconnects
                    self.store.save_connection(replace(connection, app_token=None,
                                                       access_token=None))
                raise
        elif self.settings.flaw("refresh_loop"):
            renewed = self._refresh_until_it_works()
        else:
            renewed = self.tokens.refresh(connection)
        self.connection = renewed
        self.store.save_connection(renewed)
        self._fresh = True

    def _refresh_until_it_works(self) -> Connection:
        problem: ReauthorizationNeeded | None = None
        for _ in range(REFRESH_LOOP_LIMIT):
            try:
                return self.tokens.refresh(self.connection)
            except ReauthorizationNeeded as error:
                problem = error
        assert problem is not None
        raise problem

    # -- requests --------------------------------------------------------------------------
    def _headers(self, operation: str, extra: Mapping[str, str] | None) -> dict[str, str]:
        headers = {"Accept": "application/json", "Authorization": f"Bearer {self._access_token()}"}
        version = self.settings.accept_version[operation]
        if operation == "post_salesjournalentry" and self.settings.flaw("wrong_accept_version"):
            version = "1"
        if not self.settings.flaw("no_accept_version"):
            headers["Accept-Version"] = version
        headers.update(extra or {})
        return headers

    def call(
        self,
        method: str,
        api_path: str,
        operation: str,
        *,
        params: Mapping[str, str | int] | None = None,
        json_body: Any = None,
        headers: Callable[[int], Mapping[str, str]] | None = None,
    ) -> httpx.Response:
        """One logical API request: retries, one token renewal on 401, 403 reported.

        `headers(attempt)` adds per-attempt headers (the Tracking-Identifier of a write).
        """
        url = f"{self.connection.base_url}{api_path}"
        what = f"{method} {api_path}"
        renewed = False
        forbidden = 0

        def build(attempt: int) -> httpx.Request:
            extra = headers(attempt) if headers else None
            return self.http.build_request(
                method, url, params=params, json=json_body,
                headers=self._headers(operation, extra),
            )

        while True:
            response = send_with_retries(
                self.http, build, what=what, policy=self.policy, behaviour=self._behaviour,
                sleep=self.sleep,
            )
            if response.status_code == 401:
                if self.settings.flaw("no_refresh_on_401"):
                    raise DemoPartnerError(f"SB answered 401 to {what}; the sync stopped.")
                if renewed:
                    raise ReauthorizationNeeded(
                        f"re-authorization needed: SB answers 401 to {what} even with a "
                        "freshly renewed token; connect the environment again."
                    )
                self.renew_access_token()
                renewed = True
                continue
            if response.status_code == 403:
                forbidden += 1
                if self.settings.flaw("hammer_403") and forbidden < 10:
                    continue
                raise SbForbidden(
                    f"SB refused {what} with 403 (TraceId {_trace_id(response)}): the app lacks "
                    "the rights for it; ask the administrator to grant the app's bundles in the "
                    "AFAS App Center."
                )
            return response

    def read_list(
        self,
        api_path: str,
        operation: str,
        *,
        filter_expression: str | None = None,
        tracking_token: str | None = None,
    ) -> ListRead:
        """Read a whole list with skip/take and a stable sort (Id ascending)."""
        items: list[dict[str, Any]] = []
        token: str | None = None
        for page in range(MAX_PAGES):
            params: dict[str, str | int] = {"skip": page * PAGE_SIZE, "take": PAGE_SIZE}
            if not self.settings.flaw("no_sort"):
                params["sortField"] = "Id ascending"
            if filter_expression:
                params["filter"] = filter_expression
            if tracking_token:
                params["TrackingToken"] = tracking_token
            response = self.call("GET", api_path, operation, params=params)
            _raise_for_client_error(response, f"GET {api_path}")
            rows, page_token = unwrap_list(_json(response, f"GET {api_path}"), f"GET {api_path}")
            items.extend(rows)
            token = token or page_token  # the first page's token: changes while paging recur
            if len(rows) < PAGE_SIZE or self.settings.flaw("first_page_only"):
                break
        return ListRead(items=items, tracking_token=token)

    def write(
        self, api_path: str, operation: str, body: dict[str, Any], tracking_identifier: str
    ) -> dict[str, Any]:
        """POST one write with its Tracking-Identifier; the answer body ({result, ...}).

        A 400 raises SbRejected and is not resent (the same payload would fail again).
        """
        resends = 2 if self.settings.flaw("resend_on_400") else 0

        def tracking_header(attempt: int) -> Mapping[str, str]:
            if self.settings.flaw("new_tracking_id_on_retry") and attempt > 1:
                return {"Tracking-Identifier": str(uuid.uuid4())}
            return {"Tracking-Identifier": tracking_identifier}

        while True:
            response = self.call(
                "POST", api_path, operation, json_body=body, headers=tracking_header
            )
            if response.status_code == 400 and resends > 0:
                resends -= 1
                continue
            _raise_for_client_error(response, f"POST {api_path}")
            answer = _json(response, f"POST {api_path}")
            if not isinstance(answer, dict):
                raise DemoPartnerError(f"SB answered POST {api_path} without a result object.")
            return answer


def _json(response: httpx.Response, what: str) -> Any:
    try:
        return response.json()
    except ValueError:
        raise DemoPartnerError(
            f"SB answered {what} with HTTP {response.status_code} but no JSON body."
        ) from None


def _trace_id(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return "none"
    if isinstance(body, dict):
        return str(body.get("TraceId") or body.get("traceId") or "none")
    return "none"


def _raise_for_client_error(response: httpx.Response, what: str) -> None:
    if response.status_code < 400:
        return
    try:
        body = response.json()
    except ValueError:
        body = None
    info = body if isinstance(body, dict) else {}
    code = str(info.get("ExceptionCode") or "")
    trace = str(info.get("TraceId") or "none")
    message = str(info.get("Message") or response.reason_phrase)
    if response.status_code == 400:
        raise SbRejected(
            f"SB rejected {what} with 400 {code or 'Bad Request'}: {message} (TraceId {trace})",
            exception_code=code,
            trace_id=trace,
        )
    raise DemoPartnerError(
        f"SB answered {what} with HTTP {response.status_code}: {message} (TraceId {trace})"
    )
