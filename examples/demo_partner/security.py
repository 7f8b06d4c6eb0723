"""The security headers of every page: HSTS on https, no framing, no referrer off the site.

One ASGI middleware, so no page can forget them; the ONB-14 flaws each leave one out.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from examples.demo_partner.settings import Settings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

HSTS = "max-age=31536000; includeSubDomains"
# no-referrer: the callback's ?code=... never travels in a Referer header
REFERRER_POLICY = "no-referrer"


def security_headers(settings: Settings, *, https: bool) -> list[tuple[bytes, bytes]]:
    """The headers every answer carries (HSTS only over https: browsers ignore it on http)."""
    headers: list[tuple[bytes, bytes]] = []
    if https and not settings.flaw("no_hsts"):
        headers.append((b"strict-transport-security", HSTS.encode()))
    if not settings.flaw("frameable_login"):
        headers += [(b"x-frame-options", b"DENY"),
                    (b"content-security-policy", b"frame-ancestors 'none'")]
    if not settings.flaw("no_referrer_policy"):
        headers.append((b"referrer-policy", REFERRER_POLICY.encode()))
    return headers


class SecurityHeaders:
    """ASGI middleware adding `security_headers` to every HTTP answer."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; add the headers to the answer's start."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = security_headers(self.settings, https=scope.get("scheme") == "https")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)
