"""Data builders for tests: each makes one valid row; a test overrides what it cares about."""

import itertools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy.orm import Session

from admin_app import audit
from admin_app.models import Event, SocialStatus, Staff, StaffRole, User
from admin_app.staff.accounts import create_staff

STAFF_PASSWORD = "a long enough test password"
_sequence = itertools.count(1)


def make_staff(
    session: Session, *, email: str | None = None, role: StaffRole = StaffRole.ADMIN
) -> Staff:
    address = email or f"staff{next(_sequence)}@example.org"
    return create_staff(session, email=address, password=STAFF_PASSWORD, role=role)


@contextmanager
def acting_as(actor: audit.Actor) -> Iterator[None]:
    """Writes made outside a request, recorded as this actor's (a change set needs one)."""
    audit.set_actor(actor)
    try:
        yield
    finally:
        audit.set_actor(None)


def csrf_token(client: TestClient, page: str = "/admin/login") -> str:
    """The CSRF token of the client's session, read from a page as the browser would."""
    match = re.search(r'<meta name="csrf-token" content="([^"]+)"', client.get(page).text)
    assert match, f"no CSRF token on {page}"
    return match.group(1)


def post_login(client: TestClient, email: str, password: str = STAFF_PASSWORD) -> Response:
    data = {"username": email, "password": password, "csrf_token": csrf_token(client)}
    return client.post("/admin/login", data=data, follow_redirects=False)


def login(client: TestClient, email: str, password: str = STAFF_PASSWORD) -> None:
    response = post_login(client, email, password)
    assert response.status_code == 302, response.text


def make_user(session: Session, *, email: str | None = None) -> User:
    user = User(email=email or f"user{next(_sequence)}@example.org")
    session.add(user)
    session.commit()
    return user


def make_event(
    session: Session,
    *,
    organizer: User | None = None,
    title: str | None = None,
    date_of: date = date(2026, 6, 1),
    social_status: SocialStatus = SocialStatus.PUBLIC,
) -> Event:
    event = Event(
        title=title or f"Event {next(_sequence)}",
        date_of=date_of,
        social_status=social_status,
        organizer_id=(organizer or make_user(session)).id,
    )
    session.add(event)
    session.commit()
    return event
