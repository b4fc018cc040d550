"""Forged requests: every state-changing request without the session's token, or sent from another
site's page, is refused."""

from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.types import Message, Receive, Scope, Send

from admin_app.config import Settings
from admin_app.main import create_app
from admin_app.models import Event, SavedView, Staff, User
from admin_app.web.edge.csrf import CSRFMiddleware, normalize_origin
from tests import factories

Forgery = Callable[[TestClient, dict[str, int]], Response]

FORGERIES: dict[str, Forgery] = {
    "create": lambda c, ids: c.post("/admin/user/create", data={"email": "forged@example.org"}),
    "edit": lambda c, ids: c.post(
        f"/admin/user/edit/{ids['user']}", data={"email": "forged@example.org"}
    ),
    "delete": lambda c, ids: c.delete("/admin/event/delete", params={"pks": str(ids["event"])}),
    "bulk-delete": lambda c, ids: c.delete(
        "/admin/event/delete", params={"pks": f"{ids['event']},{ids['other_event']}"}
    ),
    "list-cell": lambda c, ids: c.post(
        f"/admin/user/cell/{ids['user']}",
        data={"field": "email", "value": "forged@example.org", "version": "1"},
    ),
    "batch-edit": lambda c, ids: c.post(
        "/admin/event/bulk/batch-edit", data={"pks": str(ids["event"]), "new_status": "private"}
    ),
    "save-view": lambda c, ids: c.post(
        "/admin/event/saved-views", data={"name": "forged", "state": "search=x", "shared": "yes"}
    ),
    "column-choice": lambda c, ids: c.post(
        "/admin/event/columns", data={"order": "title", "show": "title"}
    ),
    "display": lambda c, ids: c.post("/admin/account/display", data={"theme": "dark"}),
    "logout": lambda c, ids: c.post("/admin/logout"),
    "password-change": lambda c, ids: c.post(
        "/admin/account/password",
        data={"current_password": factories.STAFF_PASSWORD, "new_password": "x" * 20},
    ),
}


def _snapshot(db: Session) -> tuple[list[str], int, int, int, list[str]]:
    db.expire_all()
    emails = sorted(db.scalars(select(User.email)))
    events = db.scalar(select(func.count(Event.id))) or 0
    versions = db.scalar(select(func.sum(Staff.session_version))) or 0
    views = db.scalar(select(func.count(SavedView.id))) or 0
    preferences = [str(stored) for stored in db.scalars(select(Staff.preferences))]
    return emails, events, versions, views, preferences


@pytest.fixture
def targets(db: Session) -> dict[str, int]:
    event = factories.make_event(db)
    other = factories.make_event(db)
    return {"user": event.organizer_id, "event": event.id, "other_event": other.id}


@pytest.mark.parametrize("token", [None, "", "wrong-token"], ids=["missing", "empty", "wrong"])
@pytest.mark.parametrize("kind", list(FORGERIES))
def test_forged_request_is_refused_and_changes_nothing(
    client: TestClient, db: Session, targets: dict[str, int], kind: str, token: str | None
) -> None:
    before = _snapshot(db)
    del client.headers["X-CSRF-Token"]
    if token is not None:
        client.headers["X-CSRF-Token"] = token
    response = FORGERIES[kind](client, targets)
    assert response.status_code == 403
    assert "did not come from this site" in response.text
    assert _snapshot(db) == before
    assert client.get("/admin/user/list", follow_redirects=False).status_code == 200


def test_the_token_in_the_form_body_is_accepted(client: TestClient, db: Session) -> None:
    token = client.headers.pop("X-CSRF-Token")
    response = client.post(
        "/admin/user/create",
        data={"email": "real@example.org", "csrf_token": token, "save": "Save"},
    )
    assert response.status_code == 200
    assert "real@example.org" in _snapshot(db)[0]


def test_a_token_from_another_session_is_refused(
    client: TestClient, anonymous_factory: Callable[[], TestClient], db: Session
) -> None:
    attacker = anonymous_factory()
    client.headers["X-CSRF-Token"] = factories.csrf_token(attacker)
    response = client.post("/admin/user/create", data={"email": "x@example.org", "save": "Save"})
    assert response.status_code == 403
    assert _snapshot(db)[0] == []


def test_login_itself_needs_the_token(anonymous: TestClient, admin_staff: Staff) -> None:
    data = {"username": admin_staff.email, "password": factories.STAFF_PASSWORD}
    assert anonymous.post("/admin/login", data=data).status_code == 403
    assert anonymous.get("/admin/", follow_redirects=False).status_code == 302


def test_forms_carry_the_token(client: TestClient) -> None:
    token = client.headers["X-CSRF-Token"]
    for page in ("/admin/", "/admin/user/create", "/admin/account/password"):
        assert f'content="{token}"' in client.get(page).text
    assert f'name="csrf_token" value="{token}"' in client.get("/admin/account/password").text


def test_an_oversized_body_is_refused_without_reaching_the_app(
    client: TestClient, db: Session
) -> None:
    response = client.post(
        "/admin/user/create", data={"email": "a@example.org", "pad": "x" * 3_000_000}
    )
    assert response.status_code == 413
    assert _snapshot(db)[0] == []


@pytest.mark.anyio
async def test_a_non_ascii_token_is_a_403_not_a_crash() -> None:
    reached = False

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        nonlocal reached
        reached = True

    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/admin/user/create",
        "headers": [(b"x-csrf-token", "é".encode())],
        "session": {"csrf": "expected-token"},
    }
    await CSRFMiddleware(app)(scope, receive, send)
    assert not reached
    assert sent[0]["status"] == 403


CROSS_SITE_HEADERS = {
    "foreign origin": {"Origin": "http://evil.example"},
    "null origin": {"Origin": "null"},
    "other scheme": {"Origin": "https://testserver"},
    "other port": {"Origin": "http://testserver:9999"},
    "look-alike": {"Origin": "http://testserver.evil.example"},
    "foreign referer": {"Referer": "http://evil.example/admin/event/list"},
    "fetch metadata": {"Sec-Fetch-Site": "cross-site", "Origin": "http://testserver"},
    "foreign origin, own referer": {
        "Origin": "http://evil.example",
        "Referer": "http://testserver/admin/",
    },
}
SAME_SITE_HEADERS = {
    "own origin": {"Origin": "http://testserver"},
    "own origin, default port": {"Origin": "http://testserver:80"},
    "own referer": {"Referer": "http://testserver/admin/user/list?search=x"},
    "same-origin fetch": {"Sec-Fetch-Site": "same-origin"},
    "neither header": {},
}


@pytest.mark.parametrize("headers", list(CROSS_SITE_HEADERS.values()), ids=list(CROSS_SITE_HEADERS))
@pytest.mark.parametrize("kind", list(FORGERIES))
def test_a_cross_site_request_is_refused_even_with_the_token(
    client: TestClient, db: Session, targets: dict[str, int], kind: str, headers: dict[str, str]
) -> None:
    before = _snapshot(db)
    client.headers.update(headers)
    response = FORGERIES[kind](client, targets)
    assert response.status_code == 403
    assert "another site" in response.text
    assert _snapshot(db) == before
    for name in headers:
        del client.headers[name]
    assert client.get("/admin/user/list", follow_redirects=False).status_code == 200


@pytest.mark.parametrize("headers", list(SAME_SITE_HEADERS.values()), ids=list(SAME_SITE_HEADERS))
def test_a_same_site_request_with_the_token_is_accepted(
    client: TestClient, db: Session, headers: dict[str, str]
) -> None:
    client.headers.update(headers)
    response = client.post("/admin/user/create", data={"email": "ok@example.org", "save": "Save"})
    assert response.status_code in (200, 302)
    assert _snapshot(db)[0] == ["ok@example.org"]


def test_a_cross_site_login_is_refused(anonymous: TestClient, admin_staff: Staff) -> None:
    data = {
        "username": admin_staff.email,
        "password": factories.STAFF_PASSWORD,
        "csrf_token": factories.csrf_token(anonymous),
    }
    response = anonymous.post("/admin/login", data=data, headers={"Origin": "http://evil.example"})
    assert response.status_code == 403
    assert anonymous.get("/admin/", follow_redirects=False).status_code == 302


def test_a_trusted_origin_may_send_changes(
    app: FastAPI, settings: Settings, db: Session, admin_staff: Staff
) -> None:
    proxied = create_app(
        settings.model_copy(update={"trusted_origins": ["https://admin.example.org"]})
    )
    with TestClient(proxied, base_url="http://testserver") as browser:
        factories.login(browser, admin_staff.email)
        browser.headers["X-CSRF-Token"] = factories.csrf_token(browser, "/admin/")
        trusted = {"Origin": "https://admin.example.org"}
        data = {"email": "trusted@example.org", "save": "Save"}
        assert browser.post("/admin/user/create", data=data, headers=trusted).status_code == 200
        other = {"Origin": "https://other.example.org"}
        data = {"email": "other@example.org", "save": "Save"}
        assert browser.post("/admin/user/create", data=data, headers=other).status_code == 403
    proxied.state.engine.dispose()
    assert _snapshot(db)[0] == ["trusted@example.org"]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://Example.org:80/path", "http://example.org"),
        ("https://example.org:443", "https://example.org"),
        ("https://example.org:8443", "https://example.org:8443"),
        ("http://[::1]:8000", "http://[::1]:8000"),
        ("null", None),
        ("file:///etc/passwd", None),
        ("http://example.org:99999", None),
        ("javascript:alert(1)", None),
    ],
)
def test_origins_are_compared_in_one_normal_form(url: str, expected: str | None) -> None:
    assert normalize_origin(url) == expected
