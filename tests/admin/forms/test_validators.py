"""Event dates stay between 1900 and 9999 on every write path, and the database says so too
(security round 3, finding 1: a batch shift stored year 0 and made the event unreadable)."""

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from admin_app.models import ChangeSet, Event
from tests import factories
from tests.admin.forms.test_inline_events import _form as inline_form
from tests.history.conftest import text_of

RANGE = "between 1900-01-01 and 9999-12-31"


def _date_of(db: Session, event_id: int) -> date:
    db.expire_all()
    found = db.get(Event, event_id)
    assert found is not None
    return found.date_of


def test_the_form_refuses_a_date_before_1900_on_the_field(client: TestClient, db: Session) -> None:
    user = factories.make_user(db)
    response = client.post(
        "/admin/event/create",
        data={
            "title": "Ancient",
            "date_of": "0001-01-02",
            "social_status": "public",
            "organizer": str(user.id),
        },
    )
    assert response.status_code == 400
    assert f"Choose a date {RANGE}." in text_of(response.text)
    assert db.scalar(select(Event.id).where(Event.title == "Ancient")) is None


def test_a_cell_refuses_a_date_out_of_range(client: TestClient, db: Session) -> None:
    event = factories.make_event(db)
    response = client.post(
        f"/admin/event/cell/{event.id}",
        data={"field": "date_of", "value": "1899-12-31", "version": str(event.version)},
    )
    assert response.status_code == 400
    assert response.json()["error"] == f"Choose a date {RANGE}."
    assert _date_of(db, event.id) == event.date_of


def test_an_inline_row_refuses_a_date_out_of_range(client: TestClient, db: Session) -> None:
    user = factories.make_user(db)
    event = factories.make_event(db, organizer=user)
    _, fields = inline_form(client, user.id)
    fields[f"events-{event.id}-date_of"] = "0001-01-02"
    response = client.post(f"/admin/user/edit/{user.id}", data=fields, follow_redirects=False)
    assert response.status_code == 400
    assert f"Choose a date {RANGE}." in text_of(response.text)
    assert _date_of(db, event.id) == event.date_of


def test_batch_set_date_out_of_range_is_refused(client: TestClient, db: Session) -> None:
    event = factories.make_event(db)
    response = client.post(
        "/admin/event/bulk/batch-edit",
        data={"pks": str(event.id), "date_change": "set", "new_date": "0005-05-05"},
    )
    assert response.status_code == 400
    assert f"Date: Choose a date {RANGE}." in text_of(response.text)
    assert _date_of(db, event.id) == event.date_of


@pytest.mark.parametrize(
    ("start", "days"),
    [
        pytest.param(date(1900, 1, 2), -5, id="before-1900"),
        pytest.param(date(9999, 12, 30), 5, id="past-9999"),
    ],
)
def test_batch_shift_that_would_leave_the_range_changes_nothing(
    client: TestClient, db: Session, start: date, days: int
) -> None:
    edge = factories.make_event(db, date_of=start)
    ordinary = factories.make_event(db, date_of=date(2026, 6, 1))
    sets_before = db.scalar(select(ChangeSet.id).order_by(ChangeSet.id.desc()).limit(1))
    response = client.post(
        "/admin/event/bulk/batch-edit",
        data={
            "pks": f"{edge.id},{ordinary.id}",
            "date_change": "shift",
            "shift_days": str(days),
        },
    )
    assert response.status_code == 400
    page = text_of(response.text)
    assert "Nothing was changed" in page and start.isoformat() in page
    assert _date_of(db, edge.id) == start and _date_of(db, ordinary.id) == date(2026, 6, 1)
    db.expire_all()
    assert db.scalar(select(ChangeSet.id).order_by(ChangeSet.id.desc()).limit(1)) == sets_before


def test_batch_shift_inside_the_range_still_moves_every_date(
    client: TestClient, db: Session
) -> None:
    edge = factories.make_event(db, date_of=date(1900, 1, 10))
    response = client.post(
        "/admin/event/bulk/batch-edit",
        data={"pks": str(edge.id), "date_change": "shift", "shift_days": "-9"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert _date_of(db, edge.id) == date(1900, 1, 1)


def test_the_database_refuses_a_date_out_of_range_written_around_the_panel(
    db: Session,
) -> None:
    event = factories.make_event(db)
    with pytest.raises(IntegrityError):
        db.execute(update(Event).where(Event.id == event.id).values(date_of=date(1, 1, 2)))
        db.commit()
    db.rollback()
    if db.get_bind().dialect.name == "sqlite":
        # SQLite's own date arithmetic, as the batch shift used it: year 0 is refused too.
        with pytest.raises(IntegrityError):
            db.execute(
                text("UPDATE events SET date_of = date('0001-01-02', '-5 days') WHERE id = :id"),
                {"id": event.id},
            )
            db.commit()
        db.rollback()
    assert _date_of(db, event.id) == event.date_of
