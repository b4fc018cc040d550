"""The dashboard's figures are kept by the database: after every kind of change the tallies
equal a fresh count of the rows, on both databases."""

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from admin_app import tallies
from admin_app.models import ChangeSet, Event, EventTally, SocialStatus, User
from tests import factories
from tests.history.conftest import bulk, undo


def _counted(db: Session) -> tuple[dict[tuple[str, str], int], int]:
    """The figures counted from the rows themselves."""
    db.expire_all()
    per: dict[tuple[str, str], int] = {}
    for day, status in db.execute(select(Event.date_of, Event.social_status)):
        key = (f"{day:%Y-%m}", status.value)
        per[key] = per.get(key, 0) + 1
    return per, db.scalar(select(func.count(User.id))) or 0


def _tallied(db: Session) -> tuple[dict[tuple[str, str], int], int]:
    conn = db.connection()
    rows = conn.execute(
        select(EventTally.month, EventTally.social_status, func.sum(EventTally.delta)).group_by(
            EventTally.month, EventTally.social_status
        )
    )
    per = {(month, status): int(total) for month, status, total in rows if total}
    users = tallies.user_count(conn)
    db.commit()
    return per, users


def _assert_in_step(db: Session) -> None:
    assert _tallied(db) == _counted(db)


def test_tallies_follow_forms_bulk_work_restores_and_plain_sql(
    client: TestClient, db: Session
) -> None:
    ann = factories.make_user(db, email="ann@example.org")
    events = [
        factories.make_event(db, organizer=ann, date_of=date(2027, month, 3), social_status=status)
        for month, status in [
            (1, SocialStatus.PUBLIC),
            (1, SocialStatus.PRIVATE),
            (2, SocialStatus.PUBLIC),
        ]
    ]
    _assert_in_step(db)
    # A form edit that moves an event to another month and status.
    first = events[0]
    response = client.post(
        f"/admin/event/edit/{first.id}",
        data={
            "title": first.title,
            "date_of": "2027-05-09",
            "social_status": "private",
            "organizer": str(ann.id),
            "version": "1",
            "save": "Save",
        },
    )
    assert response.status_code == 200, response.text
    _assert_in_step(db)
    # A batch edit moving every date by 40 days, and a status change.
    bulk(client, "event", "batch-edit", scope="filter", date_change="shift", shift_days="40")
    bulk(client, "event", "set-status", pks=str(events[1].id), status="public")
    _assert_in_step(db)
    # A bulk delete, then its undo (a restore), then a cascade delete of the user and events.
    bulk(client, "event", "delete", pks=f"{events[1].id},{events[2].id}")
    _assert_in_step(db)
    deleted = db.scalars(select(ChangeSet).where(ChangeSet.kind == "bulk_delete")).one()
    assert undo(client, deleted.id)[0] == 200
    _assert_in_step(db)
    bulk(client, "user", "delete", pks=str(ann.id), cascade="yes")
    _assert_in_step(db)
    # Plain SQL outside the panel: an import, an update, a delete.
    bob = factories.make_user(db, email="bob@example.org")
    rows = [
        {"title": f"Imported {n}", "date_of": date(2026, 1 + n % 12, 1), "organizer_id": bob.id}
        for n in range(50)
    ]
    db.execute(insert(Event), rows)
    db.execute(update(Event).where(Event.id % 3 == 0).values(social_status=SocialStatus.PRIVATE))
    db.execute(delete(Event).where(Event.id % 5 == 0))
    db.commit()
    _assert_in_step(db)


def test_the_dashboard_is_exact_at_once(client: TestClient, db: Session) -> None:
    today = date.today()
    factories.make_event(db, date_of=today, social_status=SocialStatus.PRIVATE)
    assert 'id="count-events">1<' in client.get("/admin/").text
    factories.make_event(db, date_of=today, social_status=SocialStatus.PRIVATE)
    # The next view shows it: no cache in between, whatever wrote the row.
    assert 'id="count-events">2<' in client.get("/admin/").text


def test_postgresql_deltas_are_folded_without_changing_the_figures(
    client: TestClient, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    organizer = factories.make_user(db)
    for n in range(30):
        factories.make_event(db, organizer=organizer, date_of=date(2027, 1 + n % 3, 1))
    before = _tallied(db)
    monkeypatch.setattr(tallies, "COMPACT_AFTER", 5)
    assert client.get("/admin/").status_code == 200
    assert _tallied(db) == before == _counted(db)
    # One row per (month, status): folded on PostgreSQL, kept so all along on SQLite.
    assert db.scalar(select(func.count(EventTally.id))) == 3
