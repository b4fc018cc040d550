"""Per-request SQL statement counts inside a server process, read by the harness at /__stats.

A SQLAlchemy `before_cursor_execute` listener on the Engine class counts every statement of
every engine in the process (the arms need not expose theirs). An ASGI wrapper takes the
difference around each request, after the whole body was sent (streamed exports included).
"""

from typing import Any

from sqlalchemy import Engine, event
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

STATS_PATH = "/__stats"


class StatementCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *_args: Any, **_kwargs: Any) -> None:
        self.count += 1


STATEMENTS = StatementCounter()


def install_statement_counter() -> None:
    if not event.contains(Engine, "before_cursor_execute", STATEMENTS):
        event.listen(Engine, "before_cursor_execute", STATEMENTS)


class StatsMiddleware:
    """Counts statements per request; GET /__stats answers with the last request's numbers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.requests = 0
        self.last_statements = 0
        self.last_path = ""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"] == STATS_PATH:
            body = {
                "requests": self.requests,
                "last_statements": self.last_statements,
                "last_path": self.last_path,
            }
            await JSONResponse(body)(scope, receive, send)
            return
        before = STATEMENTS.count
        try:
            await self.app(scope, receive, send)
        finally:
            self.last_statements = STATEMENTS.count - before
            self.last_path = str(scope["path"])
            self.requests += 1
