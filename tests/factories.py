"""Data builders for tests: each makes one valid row; a test overrides what it cares about."""

import itertools
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from admin_app.models import Event, SocialStatus, Staff, StaffRole, User
from admin_app.staff import create_staff

STAFF_PASSWORD = "a long enough test password"
_sequence = itertools.count(1)


def make_staff(
    session: Session, *, email: str | None = None, role: StaffRole = StaffRole.ADMIN
) -> Staff:
    address = email or f"staff{next(_sequence)}@example.org"
    return create_staff(session, email=address, password=STAFF_PASSWORD, role=role)


def login(client: TestClient, email: str, password: str = STAFF_PASSWORD) -> None:
    response = client.post(
        "/admin/login", data={"username": email, "password": password}, follow_redirects=False
    )
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
