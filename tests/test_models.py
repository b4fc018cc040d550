"""The schema's own guarantees, on each database: the app relies on them, not just on forms."""

from datetime import UTC, date

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session

from admin_app.models import Event, SocialStatus, User
from tests import factories


def test_emails_are_unique(db: Session) -> None:
    factories.make_user(db, email="same@example.org")
    with pytest.raises(IntegrityError):
        factories.make_user(db, email="same@example.org")


def test_foreign_keys_are_enforced(db: Session) -> None:
    db.add(Event(title="Orphan", date_of=date(2026, 1, 1), organizer_id=424242))
    with pytest.raises(IntegrityError):
        db.commit()


def test_an_organizer_with_events_cannot_be_deleted(db: Session) -> None:
    event = factories.make_event(db)
    with pytest.raises(IntegrityError):
        db.execute(text("DELETE FROM users WHERE id = :id"), {"id": event.organizer_id})
        db.commit()


def test_social_status_accepts_only_its_values(db: Session) -> None:
    organizer = factories.make_user(db)
    with pytest.raises((IntegrityError, StatementError)):
        db.execute(
            text(
                "INSERT INTO events (title, date_of, social_status, organizer_id,"
                " created_at, updated_at) VALUES ('x', '2026-01-01', 'secret', :org,"
                " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            ),
            {"org": organizer.id},
        )
        db.commit()


def test_event_defaults_and_relationship(db: Session) -> None:
    event = factories.make_event(db)
    db.expire_all()
    loaded = db.get(Event, event.id)
    assert loaded is not None
    assert loaded.social_status is SocialStatus.PUBLIC
    assert loaded.created_at.tzinfo is not None
    assert loaded.created_at.utcoffset() == UTC.utcoffset(None)
    assert str(loaded.organizer) == loaded.organizer.email
    assert str(loaded) == loaded.title


def test_blank_titles_are_refused_by_the_database(db: Session) -> None:
    organizer = factories.make_user(db)
    db.add(Event(title="  ", date_of=date(2026, 1, 1), organizer_id=organizer.id))
    with pytest.raises(IntegrityError):
        db.commit()


def test_naive_datetimes_are_refused(db: Session) -> None:
    from datetime import datetime

    db.add(User(email="naive@example.org", created_at=datetime(2026, 1, 1)))
    with pytest.raises(StatementError):
        db.commit()
