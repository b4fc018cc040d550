"""Query strings no page of the panel makes are refused at the door with a 400.

A list page uses about a dozen parameters; thousands of them only make every link on the page
(which keeps the list's parameters) and the response grow.
"""

from urllib.parse import parse_qsl

from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

MAX_QUERY_PARAMETERS = 100

_TOO_MANY = PlainTextResponse(
    f"Too many query parameters (at most {MAX_QUERY_PARAMETERS}).", status_code=400
)


class QueryLimitsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        query = scope.get("query_string", b"") if scope["type"] == "http" else b""
        # Counting separators first keeps a huge query string from being parsed at all.
        if query.count(b"&") >= MAX_QUERY_PARAMETERS and (
            len(parse_qsl(query.decode("latin-1"), keep_blank_values=True)) > MAX_QUERY_PARAMETERS
        ):
            await _TOO_MANY(scope, receive, send)
            return
        await self.app(scope, receive, send)
