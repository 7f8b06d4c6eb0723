"""The recording proxy: forwards SB traffic to a real AFAS SB and journals it like the sandbox.

The authorize request (GET /<env>/app/auth) is journaled and answered with a redirect to the
same URL on the upstream: the person logs in and consents on AFAS's own host, and AFAS sends
the browser back to the app, which exchanges the code through the proxy.

Every exchange goes through the sandbox's capture layer (same `Exchange` records, redaction at
capture); facts come from the traffic (traffic.py). Writes to `/<env>/api/...` are refused
with 403 and never forwarded unless writes are allowed: SB processes every request it gets.
Faults (the sandbox's FaultRule kinds) are answered by the proxy without forwarding, except
"delay" (forwarded late) and "response_lost" and a made write_result (forwarded, which for a
write needs writes allowed). The control API under /_sbready/ drives it like the sandbox's.
"""

from __future__ import annotations

import asyncio
import ipaddress
import secrets
from typing import Any
from urllib.parse import urlsplit

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route as StarletteRoute

from sbready.errors import UsageError
from sbready.proxy.control import control_routes
from sbready.proxy.traffic import WRITE_METHODS, TrafficFacts, route_of
from sbready.sandbox.afas_errors import ds3100_body, status_body, write_result
from sbready.sandbox.faults import FaultBook, FaultRule
from sbready.sandbox.http_capture import CaptureLayer, ExchangeDraft, draft_of
from sbready.sandbox.journal import Journal
from sbready.sandbox.redact import SandboxRedactor
from sbready.spec.index import OperationIndex

ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"]
# RFC 9110 7.6.1 hop-by-hop headers, plus what httpx recomputes for the other side
_HOP_HEADERS = frozenset({"connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
                          "te", "trailer", "transfer-encoding", "upgrade", "host",
                          "content-length", "content-encoding"})
_LOOPBACK_NAMES = frozenset({"localhost"})
_FAULTABLE = frozenset({"api", "token", "getaccesstoken", "getscopes"})
READ_ONLY_MESSAGE = (
    "sb-readiness proxy is read-only: {method} {path} was not sent to AFAS SB, which would "
    "process it. Start the proxy with --allow-writes (or set allow_writes = true in [live] of "
    "readiness.toml) to let writes through to your development environment."
)


def is_loopback_host(host: str | None) -> bool:
    """True for 127.0.0.0/8, ::1 and localhost."""
    if not host:
        return False
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_upstream(upstream: str) -> str:
    """The upstream's origin (scheme://host[:port]); UsageError for anything but https or
    plain http on loopback (development: e.g. `sb-readiness sandbox` as the upstream)."""
    parts = urlsplit(upstream.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"--upstream {upstream!r} is not a URL; pass your AFAS development "
                         "environment's base URL, e.g. --upstream https://12345.afasfocus.nl")
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise UsageError(f"--upstream {upstream} is plain http; AFAS SB is reached over https "
                         "(plain http is accepted only on loopback, for development)")
    if parts.path.strip("/") or parts.query:
        raise UsageError(f"--upstream {upstream} has a path; pass only scheme and host, e.g. "
                         f"{parts.scheme}://{parts.netloc} (the environment is the first path "
                         "segment of each request)")
    return f"{parts.scheme}://{parts.netloc}"


class RecordingProxy:
    """A reverse proxy to one upstream SB with the sandbox's journal, faults and control API."""

    def __init__(
        self,
        upstream: str,
        *,
        index: OperationIndex | None = None,
        allow_writes: bool = False,
        browser_to_upstream: bool = True,
        control_key: str | None = None,
        timeout: float = 60.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.upstream = check_upstream(upstream)
        self.index = index
        self.allow_writes = allow_writes
        # AFAS's login and consent screen work on AFAS's own host (its cookies, its 2FA):
        # the browser is sent there; only our own sandbox's consent page is proxied (tests)
        self.browser_to_upstream = browser_to_upstream
        self.control_key = control_key or secrets.token_urlsafe(24)
        self.journal = Journal()
        self.redactor = SandboxRedactor()
        self.faults = FaultBook()
        self.traffic = TrafficFacts(self.redactor, index)
        self._timeout = timeout
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        routes = control_routes(self)
        routes.append(StarletteRoute("/{rest:path}", self.forward, methods=ALL_METHODS))
        starlette = Starlette(routes=routes)
        starlette.router.redirect_slashes = False
        self.app = CaptureLayer(starlette, self.journal, self.redactor)

    # --- the control API, as the sandbox's (harness and HTTP) ------------------------------------
    def add_fault(self, rule: FaultRule) -> str:
        """Inject `rule` into matching requests; returns the rule id."""
        return self.faults.add(rule)

    def clear_faults(self) -> None:
        """Remove every fault rule."""
        self.faults.clear()

    def reset(self) -> None:
        """Forget the journal and the faults (the upstream's data is not the proxy's to reset)."""
        self.journal.clear()
        self.faults.clear()

    # --- forwarding ------------------------------------------------------------------------------
    def _http(self) -> httpx.AsyncClient:
        # one client per event loop: the proxy runs in uvicorn's loop (or ASGITransport's)
        if self._client is None:
            self._client = httpx.AsyncClient(
                base_url=self.upstream, timeout=self._timeout, follow_redirects=False,
                verify=True, transport=self._transport,
            )
        return self._client

    async def forward(self, request: Request) -> Response:
        """One request: journal facts, read-only guard, faults, then the upstream's answer."""
        draft = draft_of(request)
        method = request.method.upper()
        route = route_of(method, request.url.path)
        headers = {k.lower(): v for k, v in request.headers.items()}
        body = await request.body()
        self.traffic.request(draft, route, method, request.url.query, headers, body)
        draft.facts["upstream"] = self.upstream
        if route.kind == "authorize" and method == "GET" and self.browser_to_upstream:
            draft.facts.update(forwarded=False, sent_to_upstream=True)
            target = f"{self.upstream}{request.url.path}"
            target += f"?{request.url.query}" if request.url.query else ""
            return RedirectResponse(target, 302)
        write = route.kind == "api" and method in WRITE_METHODS
        # as in the sandbox: faults reach the API and, by path, the token endpoints; never
        # the consent screen or anything else the upstream serves
        taken = None if route.kind not in _FAULTABLE else self.faults.take(
            environment=route.environment or "admin", method=method, path=route.inner_path,
            operation_id=draft.operation_id, is_api=route.kind == "api",
        )
        answer_as: str | None = None  # a write_result fault on a write SB processes
        if taken is not None:
            rule_id, rule = taken
            draft.fault = f"{rule.describe()} ({rule_id})"
            injected = self._injected(rule, draft, write)
            if injected is not None:
                draft.facts["forwarded"] = False
                return injected
            if rule.kind == "delay":
                await asyncio.sleep(rule.delay)
            elif rule.kind == "response_lost":
                draft.drop = True
            elif rule.kind == "write_result":
                answer_as = rule.result or "Failed"
        if write and not self.allow_writes:
            draft.facts.update(forwarded=False, refused="read-only")
            if draft.drop or answer_as:  # both need SB to process the write: it did not
                draft.drop = False
                draft.fault = f"{draft.fault}; not applied: writes are not allowed"
            message = READ_ONLY_MESSAGE.format(method=method, path=request.url.path)
            return JSONResponse(status_body(403, message), 403,
                                headers={"X-Sbready-Explanation": "read-only proxy"})
        response = await self._upstream(request, draft, method, headers, body)
        if answer_as is not None:
            return self._as_write_result(response, answer_as, draft)
        return response

    def _injected(self, rule: FaultRule, draft: ExchangeDraft, write: bool) -> Response | None:
        """The proxy's own answer for a fault that is not forwarded, or None to forward."""
        if rule.kind in ("delay", "response_lost"):
            return None
        if rule.kind == "timeout":
            draft.drop, draft.hold = True, rule.hold
            return Response(status_code=204)
        if rule.kind == "ds3100":
            detail = "Could not convert the request body (fault injected by sb-readiness)."
            return JSONResponse(ds3100_body(detail), 400)
        if rule.kind == "body":
            return JSONResponse(rule.body, rule.status or 200)
        if rule.kind == "write_result":
            result = rule.result or "Failed"
            if write and (result == "PartiallySucceeded" or rule.made):
                return None  # SB must make the entry: forwarded, then answered as `result`
            errors = [f"The request was not processed: {result} (fault injected by "
                      "sb-readiness)."]
            draft.facts.update(result=result, errors=errors)
            return JSONResponse(write_result(result, errors=errors), 200)
        status = rule.answer_status
        retry_after = rule.retry_after
        if retry_after is None and status == 429:
            retry_after = 1  # SB always tells a throttled client how long to wait
        headers = {"Retry-After": f"{retry_after:g}"} if retry_after is not None else {}
        return JSONResponse(status_body(status, observed=True), status, headers=headers)

    def _as_write_result(self, response: Response, result: str, draft: ExchangeDraft) -> Response:
        """The upstream's answer to a write it processed, reported as `result`."""
        if response.status_code != 200:
            draft.fault = f"{draft.fault}; not applied: SB answered {response.status_code}"
            return response
        errors: list[Any] = [f"Een deel van de boeking is niet verwerkt (fault injected by "
                             f"sb-readiness; SB answered {draft.facts.get('result')})"]
        draft.facts.update(result=result, errors=errors, upstream_result=draft.facts.get("result"))
        return JSONResponse(write_result(result, errors=errors), 200)

    async def _upstream(self, request: Request, draft: ExchangeDraft, method: str,
                        headers: dict[str, str], body: bytes) -> Response:
        outgoing = {k: v for k, v in headers.items() if k not in _HOP_HEADERS}
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        try:
            upstream = await self._http().request(method, path, headers=outgoing, content=body)
        except httpx.HTTPError as error:
            draft.facts.update(forwarded=True, upstream_error=f"{type(error).__name__}")
            message = (f"sb-readiness proxy could not reach {self.upstream}: "
                       f"{type(error).__name__}; check the upstream URL and your network.")
            return JSONResponse(status_body(502, message), 502)
        draft.facts["forwarded"] = True
        answer_headers = {k.lower(): v for k, v in upstream.headers.items()
                          if k.lower() not in _HOP_HEADERS}
        location = answer_headers.get("location")
        if location and location.startswith(self.upstream):
            # the upstream's own redirects stay on the proxy, so they are journaled too
            answer_headers["location"] = f"{_origin(request)}{location[len(self.upstream):]}"
        content = upstream.content
        self.traffic.answer(draft, upstream.status_code, answer_headers, content, headers)
        response = Response(content, upstream.status_code)
        response.raw_headers = [(k.encode("latin-1"), v.encode("latin-1"))
                                for k, v in upstream.headers.multi_items()
                                if k.lower() not in _HOP_HEADERS and k.lower() != "location"]
        if location:
            response.raw_headers.append((b"location", answer_headers["location"].encode("latin-1")))
        response.raw_headers.append((b"content-length", str(len(content)).encode("ascii")))
        return response

    async def aclose(self) -> None:
        """Close the upstream connections."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None


def _origin(request: Request) -> str:
    return f"{request.url.scheme}://{request.url.netloc}"
