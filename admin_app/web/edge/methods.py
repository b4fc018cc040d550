"""HTTP methods at the edge: HEAD is answered as GET (never a write), unknown verbs get 405.

Starlette lets HEAD into every GET route, and SQLAdmin's handlers choose read or write with
`request.method == "GET"`: a HEAD with a form body used to run the write branch. Here HEAD becomes
a bodyless GET before anything else sees it, and only its headers go back.
"""

from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Every method a route of the panel answers; anything else (PUT, PATCH, OPTIONS, TRACE, ...) is
# refused before it reaches a route, the CSRF check or the session.
ALLOWED_METHODS = ("GET", "HEAD", "POST", "DELETE")

_NOT_ALLOWED = PlainTextResponse(
    "Method not allowed", status_code=405, headers={"Allow": ", ".join(ALLOWED_METHODS)}
)


class HttpMethodsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        if method not in ALLOWED_METHODS:
            await _NOT_ALLOWED(scope, receive, send)
            return
        if method != "HEAD":
            await self.app(scope, receive, send)
            return
        await self.app({**scope, "method": "GET"}, _without_body(receive), _headers_only(send))


def _without_body(receive: Receive) -> Receive:
    # Whatever body a HEAD carried is never read: a GET has none. Later calls wait for the
    # disconnect, as a streaming response's listener expects.
    started = False

    async def receive_nothing() -> Message:
        nonlocal started
        if not started:
            started = True
            return {"type": "http.request", "body": b"", "more_body": False}
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return message

    return receive_nothing


def _headers_only(send: Send) -> Send:
    finished = False

    async def send_headers(message: Message) -> None:
        nonlocal finished
        if message["type"] != "http.response.body":
            await send(message)
        elif not finished:
            finished = True
            await send({"type": "http.response.body", "body": b"", "more_body": False})

    return send_headers
