"""The Host header check: only the configured names, on the configured port (400 otherwise).

Absolute URLs (redirects, links in pages) are built from the Host header, so a Host the panel is
not served at would put a foreign name or port into them. Starlette's TrustedHostMiddleware
ignores the port; this check compares both.
"""

from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

_REFUSED = PlainTextResponse("Invalid host header", status_code=400)


def accepted_hosts(allowed_hosts: list[str], *, port: int) -> frozenset[str]:
    """Host header values to answer: `name:port` entries as given; a bare `name` without a port
    (behind a proxy, on the scheme's default port) or with the served `port`."""
    accepted: set[str] = set()
    for entry in allowed_hosts:
        entry = entry.strip().lower()
        if _has_port(entry):
            accepted.add(entry)
        elif entry:
            accepted.update({entry, f"{entry}:{port}"})
    return frozenset(accepted)


def _has_port(host: str) -> bool:
    # "[::1]:8000" and "name:8000" carry a port; "[::1]" does not.
    name, colon, port = host.rpartition(":")
    return bool(colon) and port.isdigit() and not name.endswith(":") and "]" not in port


class HostCheckMiddleware:
    def __init__(self, app: ASGIApp, *, allowed_hosts: list[str], port: int) -> None:
        self.app = app
        self.accepted = accepted_hosts(allowed_hosts, port=port)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        host = next((value for name, value in scope["headers"] if name == b"host"), b"")
        if host.decode("latin-1").lower() not in self.accepted:
            await _REFUSED(scope, receive, send)
            return
        await self.app(scope, receive, send)
