"""Forged requests: every state-changing request without the session's token is refused."""

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.types import Message, Receive, Scope, Send

from admin_app.csrf import CSRFMiddleware
from admin_app.models import Event, Staff, User
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
    "logout": lambda c, ids: c.post("/admin/logout"),
    "password-change": lambda c, ids: c.post(
        "/admin/account/password",
        data={"current_password": factories.STAFF_PASSWORD, "new_password": "x" * 20},
    ),
}


def _snapshot(db: Session) -> tuple[list[str], int, int]:
    db.expire_all()
    emails = sorted(db.scalars(select(User.email)))
    events = db.scalar(select(func.count(Event.id))) or 0
    versions = db.scalar(select(func.sum(Staff.session_version))) or 0
    return emails, events, versions


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
