"""At most a few requests of a worker are worked out at once; the others wait their turn.

Measured on the SQLite 1M events list with one worker (bench.throughput): 16 connections served
10-25% fewer requests per second than 1 to 4 did. Each request hops between the event loop and
the thread pool several times, and 16 of them at once had 16 threads taking turns at the GIL
(and at the database's connections) where a few would each have finished sooner. With at most
`limit` at once, the rest wait in arrival order and the 16-connection run served 1.13x more.

A request holds its place until its response starts: a page is whole by then; an export has run
its query (export.open_rows), and streaming it, however slowly the client reads, holds no place.
"""

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class RequestsAtOnceMiddleware:
    def __init__(self, app: ASGIApp, *, limit: int) -> None:
        self.app = app
        self.limit = limit
        # Made on first use, inside the event loop that serves the requests.
        self._places: anyio.Semaphore | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.limit <= 0:
            await self.app(scope, receive, send)
            return
        if self._places is None:
            self._places = anyio.Semaphore(self.limit)
        places = self._places
        await places.acquire()
        held = True

        async def send_and_let_the_next_in(message: Message) -> None:
            nonlocal held
            if held and message["type"] == "http.response.start":
                held = False
                places.release()
            await send(message)

        try:
            await self.app(scope, receive, send_and_let_the_next_in)
        finally:
            if held:
                places.release()
