"""Security headers on every response: no framing, no sniffing, scripts only from this site, and
nothing but static files kept in a cache."""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        # Tabler and select2 set inline style attributes; styles cannot run code.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


# Pages, exports and JSON carry private data: no shared proxy or back button may replay them
# (after a logout, say). Static files are the same for everyone and may be kept for a day; asked
# for by their content hash (`?v=`, fingerprints.py), for a year without asking again.
NO_STORE = (b"cache-control", b"no-store")
STATIC_CACHE = (b"cache-control", b"public, max-age=86400")
FINGERPRINTED_CACHE = (b"cache-control", b"public, max-age=31536000, immutable")
STATIC_PATHS = ("/admin/statics/", "/favicon.ico")
# The file, or "the file you have is still current".
CACHEABLE_STATUSES = frozenset({200, 304})


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app = app
        self.headers = SECURITY_HEADERS + (
            # One year; only sent in production, where the site is HTTPS only.
            [(b"strict-transport-security", b"max-age=31536000; includeSubDomains")] if hsts else []
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        caching = _caching(scope)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                # Only a static file itself is kept: a 404 under /admin/statics/ is a page (a
                # logged-in one carries the CSRF token), and an error is never cached.
                kept = caching if message["status"] in CACHEABLE_STATUSES else NO_STORE
                headers = [*self.headers, kept]
                names = {name for name, _ in message.get("headers", [])}
                extra = [(name, value) for name, value in headers if name not in names]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _caching(scope: Scope) -> tuple[bytes, bytes]:
    if not scope["path"].startswith(STATIC_PATHS):
        return NO_STORE
    fingerprinted = b"v=" in scope.get("query_string", b"")
    return FINGERPRINTED_CACHE if fingerprinted else STATIC_CACHE
