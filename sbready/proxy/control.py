"""The proxy's control API under /_sbready/, the subset of the sandbox's that fits a real SB.

Every call needs `X-Sbready-Key: <control key>`; control calls are not journaled.

    POST   /_sbready/reset            -> {"reset": true}   (journal and faults, not SB's data)
    GET    /_sbready/journal?since=N  -> [exchange, ...]   (redacted)
    POST   /_sbready/faults           {kind, ...FaultRule fields} -> {"id"}
    DELETE /_sbready/faults           -> {"cleared": true}
    GET    /_sbready/status           -> {"upstream", "allow_writes"}
"""

from __future__ import annotations

import hmac
import json
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sbready.sandbox.control import KEY_HEADER, PREFIX
from sbready.sandbox.faults import FaultRule

if TYPE_CHECKING:
    from sbready.proxy.app import RecordingProxy

_ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def control_routes(proxy: RecordingProxy) -> list[Route]:
    """The Starlette routes of the proxy's control API."""

    def authorised(request: Request) -> bool:
        given = request.headers.get(KEY_HEADER, "")
        return hmac.compare_digest(given.encode(), proxy.control_key.encode())

    def refused() -> Response:
        return JSONResponse({"error": f"the {KEY_HEADER} header is missing or wrong"}, 401)

    async def reset(request: Request) -> Response:
        if not authorised(request):
            return refused()
        proxy.reset()
        return JSONResponse({"reset": True})

    async def journal(request: Request) -> Response:
        if not authorised(request):
            return refused()
        since = request.query_params.get("since", "0")
        if not since.isdigit():
            return JSONResponse({"error": "since must be a whole number (a journal sequence "
                                 "number)"}, 400)
        return Response(proxy.journal.export_json(int(since)), media_type="application/json")

    async def faults(request: Request) -> Response:
        if not authorised(request):
            return refused()
        if request.method == "DELETE":
            proxy.clear_faults()
            return JSONResponse({"cleared": True})
        try:
            payload = json.loads(await request.body() or b"null")
            if not isinstance(payload, dict):
                raise ValueError("the body must be a JSON object")
            rule = FaultRule.from_json(payload)
        except ValueError as error:
            return JSONResponse({"error": str(error)}, 400)
        return JSONResponse({"id": proxy.add_fault(rule)})

    async def status(request: Request) -> Response:
        if not authorised(request):
            return refused()
        return JSONResponse({"upstream": proxy.upstream, "allow_writes": proxy.allow_writes})

    async def unknown(request: Request) -> Response:
        if not authorised(request):
            return refused()
        return JSONResponse({"error": f"no control call {request.method} {request.url.path}"},
                            404)

    return [
        Route(PREFIX + "/reset", reset, methods=["POST"]),
        Route(PREFIX + "/journal", journal, methods=["GET"]),
        Route(PREFIX + "/faults", faults, methods=["POST", "DELETE"]),
        Route(PREFIX + "/status", status, methods=["GET"]),
        Route(PREFIX + "/{rest:path}", unknown, methods=_ALL_METHODS),
    ]
