"""At most `limit` requests are worked out at once; a place is given up when the response
starts (a slow download holds none) or when the request fails."""

from typing import Any

import anyio
import pytest
from starlette.types import Message, Receive, Scope, Send

from admin_app.web.serving.at_once import RequestsAtOnceMiddleware

pytestmark = pytest.mark.anyio


class Handler:
    """An app whose requests start when told and stream a body until told to finish."""

    def __init__(self) -> None:
        self.started: list[str] = []
        self.respond = {name: anyio.Event() for name in ("a", "b", "c")}
        self.finish = {name: anyio.Event() for name in ("a", "b", "c")}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        name = scope["path"].strip("/")
        self.started.append(name)
        await self.respond[name].wait()
        if name == "c":
            raise RuntimeError("failed before its response")
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await self.finish[name].wait()
        await send({"type": "http.response.body", "body": b"done"})


async def _request(app: Any, name: str, failures: list[str]) -> None:
    async def receive() -> Message:
        return {"type": "http.request", "body": b""}

    async def send(_message: Message) -> None:
        return None

    try:
        await app({"type": "http", "path": f"/{name}"}, receive, send)
    except RuntimeError:
        failures.append(name)


async def _settle() -> None:
    for _ in range(20):
        await anyio.sleep(0)


async def test_the_next_request_waits_for_the_first_ones_response_to_start() -> None:
    handler = Handler()
    app = RequestsAtOnceMiddleware(handler, limit=1)
    failures: list[str] = []
    async with anyio.create_task_group() as tasks:
        for name in ("a", "b"):
            tasks.start_soon(_request, app, name, failures)
            await _settle()
        assert handler.started == ["a"]  # b waits its turn
        handler.respond["a"].set()
        await _settle()
        # a's response has started and its body is still streaming: b is worked out meanwhile.
        assert handler.started == ["a", "b"]
        handler.respond["b"].set()
        handler.finish["a"].set()
        handler.finish["b"].set()


async def test_a_request_that_fails_gives_up_its_place() -> None:
    handler = Handler()
    app = RequestsAtOnceMiddleware(handler, limit=1)
    failures: list[str] = []
    async with anyio.create_task_group() as tasks:
        tasks.start_soon(_request, app, "c", failures)
        await _settle()
        tasks.start_soon(_request, app, "a", failures)
        await _settle()
        assert handler.started == ["c"]
        handler.respond["c"].set()
        await _settle()
        assert failures == ["c"] and handler.started == ["c", "a"]
        handler.respond["a"].set()
        handler.finish["a"].set()


async def test_no_limit_lets_every_request_in() -> None:
    handler = Handler()
    app = RequestsAtOnceMiddleware(handler, limit=0)
    failures: list[str] = []
    async with anyio.create_task_group() as tasks:
        for name in ("a", "b"):
            tasks.start_soon(_request, app, name, failures)
        await _settle()
        assert sorted(handler.started) == ["a", "b"]
        for name in ("a", "b"):
            handler.respond[name].set()
            handler.finish[name].set()
