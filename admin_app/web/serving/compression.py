"""gzip for what carries no secret: static files and exports, when the client asks.

Pages are not compressed: they hold the CSRF token and echo what a visitor typed (a search),
which is what BREACH needs to read the token out of compressed sizes. Exports and static files
hold neither, and are where the bytes are (a 100,000-row CSV, Tabler's stylesheet).
"""

import re

from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

COMPRESSED_PATHS = re.compile(r"^/admin/(statics/|[^/]+/export/)")
# Smaller bodies gain less than the work costs.
MINIMUM_SIZE = 1_024


class SecretFreeGZipMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.gzip = GZipMiddleware(app, minimum_size=MINIMUM_SIZE)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and COMPRESSED_PATHS.match(scope["path"]):
            await self.gzip(scope, receive, send)
            return
        await self.app(scope, receive, send)
