"""`sb-readiness proxy`: serve the recording proxy in front of an AFAS development environment."""

from __future__ import annotations

import uvicorn

from sbready.proxy.app import RecordingProxy
from sbready.sandbox.server import bind, uvicorn_config
from sbready.spec.resolve import load_index


def proxy_command(
    upstream: str, *, port: int, allow_writes: bool, spec: str | None, sb_version: str | None,
) -> int:
    """Build the proxy, print how to point an app at it, and serve it until interrupted.

    Loopback only: the proxy carries the app's live tokens to AFAS, so nothing else may reach it.
    """
    host = "127.0.0.1"
    index = load_index(spec, sb_version) if (spec or sb_version) else None
    proxy = RecordingProxy(upstream, index=index, allow_writes=allow_writes)
    sock = bind(host, port)
    base_url = f"http://{host}:{sock.getsockname()[1]}"
    writes = ("writes ALLOWED: POST/PUT/PATCH/DELETE reach your environment and are processed"
              if allow_writes else "read-only: writes to /<environment>/api/... are refused "
              "with 403 and never sent (--allow-writes lets them through)")
    lines = [
        f"sb-readiness proxy on {base_url} -> {proxy.upstream}",
        f"  {writes}",
        f"  point your app at it: afasBaseUrl={base_url}/<environment> (allowlist "
        f"{base_url.split('://', 1)[1]} for testing)",
        f"  journal: curl -H 'X-Sbready-Key: {proxy.control_key}' {base_url}/_sbready/journal",
        "  operations matched against " + (f"SB {index.sb_version}" if index else
                                           "no spec (pass --sb-version to name them)"),
    ]
    print("\n".join(lines), flush=True)
    server = uvicorn.Server(uvicorn_config(proxy.app, log_level="warning"))
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
    return 0
