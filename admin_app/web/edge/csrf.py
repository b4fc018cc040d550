"""CSRF protection for the admin: a per-session token required on every state-changing request,
and no state-changing request from another site's page, even with a token."""

import secrets
from collections.abc import Iterable
from urllib.parse import parse_qs, urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from admin_app.web.edge.redirects import ADMIN_PREFIX

SESSION_KEY = "csrf"
FORM_FIELD = "csrf_token"
HEADER = "x-csrf-token"
# HEAD never arrives here (methods.py answers it as a GET); OPTIONS is refused there too.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
DEFAULT_PORTS = {"http": "80", "https": "443"}
# Largest request body accepted (2 MiB is far beyond any admin form).
MAX_BODY_BYTES = 2 * 1024 * 1024
# File uploads (an import's file) stream past instead: only their first part, the token (first
# in the form), is read here; the route checks the size against IMPORT_MAX_BYTES.
UPLOAD_PATHS = (f"{ADMIN_PREFIX}/imports/new/",)
LEADING_BYTES = 64 * 1024

_TOO_LARGE = HTMLResponse(
    "<!doctype html><title>Request too large</title><h1>Request too large (413)</h1>"
    "<p>Admin forms are never this large.</p>",
    status_code=413,
)
_REFUSAL = HTMLResponse(
    "<!doctype html><title>Request refused</title><h1>Request refused (403)</h1>"
    "<p>This form expired or did not come from this site. Go back, reload the page and try "
    "again.</p>",
    status_code=403,
)
_CROSS_SITE = HTMLResponse(
    "<!doctype html><title>Request refused</title><h1>Request refused (403)</h1>"
    "<p>This request came from a page of another site, so nothing was changed. Open the panel "
    "itself and try again there.</p>",
    status_code=403,
)


def csrf_token(request: Request) -> str:
    """The token to embed in forms and send in the X-CSRF-Token header (Jinja global)."""
    return str(request.session.get(SESSION_KEY, ""))


class CSRFMiddleware:
    """Synchronizer token pattern: the token lives in the signed session and must come back."""

    def __init__(self, app: ASGIApp, trusted_origins: Iterable[str] = ()) -> None:
        self.app = app
        self.trusted_origins = frozenset(filter(None, map(normalize_origin, trusted_origins)))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        session = scope["session"]
        expected = session.get(SESSION_KEY)
        if not expected:
            expected = session[SESSION_KEY] = secrets.token_urlsafe(32)
        if scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        if not self._same_origin(scope):
            await _CROSS_SITE(scope, receive, send)
            return
        if scope["path"].startswith(UPLOAD_PATHS) and _is_multipart(scope):
            await self._upload(scope, receive, send, expected)
            return
        body = await _read_body(receive)
        if body is None:
            await _TOO_LARGE(scope, receive, send)
            return
        sent = _header(scope, HEADER) or await _form_token(scope, body)
        if not sent or not secrets.compare_digest(sent.encode(), expected.encode()):
            await _REFUSAL(scope, receive, send)
            return
        await self.app(scope, _replay(body), send)

    async def _upload(self, scope: Scope, receive: Receive, send: Send, expected: str) -> None:
        head, more = await _leading_body(receive)
        sent = _header(scope, HEADER) or _leading_token(scope, head)
        if not sent or not secrets.compare_digest(sent.encode(), expected.encode()):
            await _REFUSAL(scope, receive, send)
            return
        await self.app(scope, _replay_then_stream(head, more, receive), send)

    def _same_origin(self, scope: Scope) -> bool:
        """Whether the browser says the request comes from this site (Django 4's check, beside
        the token): Sec-Fetch-Site, then Origin, or without it Referer. A client that sends
        neither (a script with the token) is let through to the token check."""
        if _header(scope, "sec-fetch-site") == "cross-site":
            return False
        sent = _header(scope, "origin") or _header(scope, "referer")
        if not sent:
            return True
        own = normalize_origin(f"{scope.get('scheme', 'http')}://{_header(scope, 'host')}")
        origin = normalize_origin(sent)
        return origin is not None and (origin == own or origin in self.trusted_origins)


def normalize_origin(url: str) -> str | None:
    """`scheme://host[:port]` in lower case without the scheme's default port; None for "null"
    (a sandboxed or privacy-sensitive context) and anything that is not an http(s) URL."""
    try:
        parts = urlsplit(url.strip().lower())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    shown_port = "" if port is None or str(port) == DEFAULT_PORTS[parts.scheme] else f":{port}"
    return f"{parts.scheme}://{host}{shown_port}"


def _header(scope: Scope, wanted: str) -> str:
    for name, value in scope["headers"]:
        if name == wanted.encode():
            return str(value.decode("latin-1"))
    return ""


async def _read_body(receive: Receive) -> bytes | None:
    """The whole request body, or None when it is larger than any admin form."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _form_token(scope: Scope, body: bytes) -> str:
    content_type = dict(scope["headers"]).get(b"content-type", b"").decode("latin-1")
    if content_type.startswith("application/x-www-form-urlencoded"):
        values = parse_qs(body.decode("utf-8", "replace")).get(FORM_FIELD, [""])
        return values[0]
    if content_type.startswith("multipart/form-data"):
        form = await Request(scope, _replay(body)).form()
        value = form.get(FORM_FIELD)
        await form.close()
        return value if isinstance(value, str) else ""
    return ""


def _is_multipart(scope: Scope) -> bool:
    return _header(scope, "content-type").startswith("multipart/form-data")


async def _leading_body(receive: Receive) -> tuple[bytes, bool]:
    """The body's first LEADING_BYTES (or all of a shorter one), and whether more follows."""
    chunks: list[bytes] = []
    size, more = 0, True
    while more and size < LEADING_BYTES:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), False
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        more = bool(message.get("more_body", False))
    return b"".join(chunks), more


def _leading_token(scope: Scope, head: bytes) -> str:
    """The token when it is the body's first part (the upload form puts it first)."""
    content_type = _header(scope, "content-type")
    marker = "boundary="
    if marker not in content_type:
        return ""
    boundary = content_type.split(marker, 1)[1].split(";", 1)[0].strip().strip('"').encode()
    opening = b"--" + boundary + b"\r\n"
    if not boundary or not head.startswith(opening):
        return ""
    headers, _, rest = head[len(opening) :].partition(b"\r\n\r\n")
    if f'name="{FORM_FIELD}"'.encode() not in headers or b"filename=" in headers:
        return ""
    value, found, _ = rest.partition(b"\r\n--" + boundary)
    return value.decode("ascii", "replace") if found and len(value) < 256 else ""


def _replay_then_stream(head: bytes, more: bool, receive: Receive) -> Receive:
    replayed = False

    async def receive_rest() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": head, "more_body": more}
        if not more:
            return {"type": "http.disconnect"}
        return await receive()

    return receive_rest


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive
