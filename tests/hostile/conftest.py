"""Fixtures of the hostile-input suite: the seeded world, and browsers for the login tests."""

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from admin_app.models import Event, User
from tests import factories
from tests.conftest import ClientFactory
from tests.hostile.support import (
    SEED_EVENTS,
    SEED_USERS,
    World,
)


@pytest.fixture
def world(client: TestClient, db: Session, app: FastAPI) -> World:
    users = [User(email=email) for email in SEED_USERS]
    db.add_all(users)
    db.flush()
    events = [
        Event(title=title, date_of=day, social_status=status, organizer_id=users[owner].id)
        for title, day, status, owner in SEED_EVENTS
    ]
    db.add_all(events)
    db.commit()
    engine: Engine = app.state.engine
    return World(
        client=client,
        engine=engine,
        db=db,
        dialect=engine.dialect.name,
        users=[user.id for user in users],
        events=[event.id for event in events],
    )


@pytest.fixture
def browsers(anonymous_factory: ClientFactory) -> tuple[TestClient, str]:
    """A browser that is not logged in, and the CSRF token of another browser's session."""
    return anonymous_factory(), factories.csrf_token(anonymous_factory())
