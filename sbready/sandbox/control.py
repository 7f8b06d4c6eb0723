"""The sandbox's HTTP control API under /_sbready/ (no SB path uses that prefix).

Every call needs the header `X-Sbready-Key: <control key>`; control calls are not journaled.

    POST   /_sbready/reset               -> {"reset": true}
    POST   /_sbready/clients             {client_id, client_secret, redirect_uris, bundles?,
                                          level?, name?} -> {"registered": client_id}
    POST   /_sbready/activate            {environment, bundles?, token?, name?} -> {"app_token"}
    POST   /_sbready/expire              {environment?, client_id?} -> {"expired": n}
    POST   /_sbready/consent/withdraw    {client_id, environment}
    POST   /_sbready/consent/restore     {client_id, environment}
    GET    /_sbready/journal?since=N     -> [exchange, ...] (redacted)
    POST   /_sbready/faults              {kind, ...FaultRule fields} -> {"id"}
    DELETE /_sbready/faults              -> {"cleared": true}
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sbready.sandbox.auth import RegisteredClient
from sbready.sandbox.faults import FaultRule

if TYPE_CHECKING:
    from sbready.sandbox.app import Sandbox

KEY_HEADER = "x-sbready-key"
PREFIX = "/_sbready"
Handler = Callable[[Request], Awaitable[Response]]


class ControlError(Exception):
    """A control call the sandbox cannot do; answered 400 with the message."""


def control_routes(sandbox: Sandbox) -> list[Route]:
    """The Starlette routes of the control API for `sandbox`."""
    api = _ControlApi(sandbox)
    table: list[tuple[str, str, Callable[[Request, Any], Any]]] = [
        ("POST", "/reset", api.reset),
        ("POST", "/clients", api.register),
        ("POST", "/activate", api.activate),
        ("POST", "/expire", api.expire),
        ("POST", "/consent/withdraw", api.withdraw),
        ("POST", "/consent/restore", api.restore),
        ("GET", "/journal", api.journal),
        ("POST", "/faults", api.add_fault),
        ("DELETE", "/faults", api.clear_faults),
    ]
    routes: list[Route] = []
    by_path: dict[str, dict[str, Callable[[Request, Any], Any]]] = {}
    for method, path, action in table:
        by_path.setdefault(path, {})[method] = action
    for path, actions in by_path.items():
        routes.append(Route(PREFIX + path, api.endpoint(actions), methods=list(actions)))
    routes.append(Route(PREFIX + "/{rest:path}", api.unknown, methods=_ALL_METHODS))
    return routes


_ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


class _ControlApi:
    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    def endpoint(self, actions: dict[str, Callable[[Request, Any], Any]]) -> Handler:
        """A handler that checks the key, parses JSON, and runs the action for the method."""

        async def handle(request: Request) -> Response:
            if not self._authorised(request):
                return JSONResponse({"error": f"the {KEY_HEADER} header is missing or wrong"}, 401)
            action = actions[request.method.upper()]
            try:
                payload = await _payload(request)
                result = action(request, payload)
                return result if isinstance(result, Response) else JSONResponse(result)
            except (ControlError, ValueError, TypeError, KeyError) as error:
                return JSONResponse({"error": str(error)}, 400)

        return handle

    async def unknown(self, request: Request) -> Response:
        if not self._authorised(request):
            return JSONResponse({"error": f"the {KEY_HEADER} header is missing or wrong"}, 401)
        return JSONResponse({"error": f"no control call {request.method} {request.url.path}"}, 404)

    def _authorised(self, request: Request) -> bool:
        given = request.headers.get(KEY_HEADER, "")
        return hmac.compare_digest(given.encode(), self.sandbox.control_key.encode())

    def reset(self, request: Request, payload: Any) -> Any:
        self.sandbox.reset()
        return {"reset": True}

    def register(self, request: Request, payload: Any) -> Any:
        data = _object(payload)
        single = [data["redirect_uri"]] if "redirect_uri" in data else []
        uris = data.get("redirect_uris") or single
        bundles = data.get("bundles")
        level = data.get("level", "customer")
        if level not in ("customer", "admin"):
            raise ControlError('level must be "customer" or "admin"')
        client = RegisteredClient(
            client_id=_text(data, "client_id"),
            client_secret=_text(data, "client_secret"),
            redirect_uris=tuple(str(uri) for uri in uris),
            bundles=tuple(str(b) for b in bundles) if bundles is not None else None,
            level=level,
            name=str(data.get("name") or data["client_id"]),
        )
        self.sandbox.register_client(client)
        return {"registered": client.client_id}

    def activate(self, request: Request, payload: Any) -> Any:
        data = _object(payload)
        bundles = data.get("bundles")
        token = self.sandbox.activate(
            _text(data, "environment"),
            bundles=[str(b) for b in bundles] if bundles is not None else None,
            token=data.get("token"),
            name=str(data.get("name") or "app"),
        )
        return {"app_token": token, "environment": data["environment"]}

    def expire(self, request: Request, payload: Any) -> Any:
        data = _object(payload) if payload is not None else {}
        count = self.sandbox.expire_tokens(
            environment=data.get("environment"), client_id=data.get("client_id")
        )
        return {"expired": count}

    def withdraw(self, request: Request, payload: Any) -> Any:
        data = _object(payload)
        self.sandbox.withdraw_consent(_text(data, "client_id"), _text(data, "environment"))
        return {"withdrawn": True}

    def restore(self, request: Request, payload: Any) -> Any:
        data = _object(payload)
        self.sandbox.restore_consent(_text(data, "client_id"), _text(data, "environment"))
        return {"restored": True}

    def journal(self, request: Request, payload: Any) -> Any:
        since_text = request.query_params.get("since", "0")
        if not since_text.isdigit():
            raise ControlError("since must be a whole number (a journal sequence number)")
        exported = self.sandbox.journal.export_json(int(since_text))
        return Response(exported, media_type="application/json")

    def add_fault(self, request: Request, payload: Any) -> Any:
        rule = FaultRule.from_json(_object(payload))
        return {"id": self.sandbox.add_fault(rule)}

    def clear_faults(self, request: Request, payload: Any) -> Any:
        self.sandbox.clear_faults()
        return {"cleared": True}


async def _payload(request: Request) -> Any:
    body = await request.body()
    if not body.strip():
        return None
    try:
        return json.loads(body)
    except ValueError as error:
        raise ControlError(f"the body is not JSON: {error}") from error


def _object(payload: Any) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise ControlError("the body must be a JSON object")
    return payload


def _text(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value:
        raise ControlError(f'"{name}" is required and must be a non-empty string')
    return value
