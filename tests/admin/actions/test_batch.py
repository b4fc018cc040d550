"""Batch edit and "all matching, except": one confirmation, one transaction, one change set."""

from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from admin_app.models import AuditEntry, ChangeSet, Event, SocialStatus, User
from tests import factories
from tests.history.conftest import text_of, undo


def _events(db: Session) -> dict[int, Event]:
    db.expire_all()
    return {event.id: event for event in db.scalars(select(Event))}


def _post(client: TestClient, **data: str):  # type: ignore[no-untyped-def]
    return client.post("/admin/event/bulk/batch-edit", data=data, follow_redirects=False)


def test_the_confirmation_page_counts_the_filter_minus_the_unticked_and_shows_a_sample(
    client: TestClient, db: Session
) -> None:
    private = [factories.make_event(db, social_status=SocialStatus.PRIVATE) for _ in range(5)]
    factories.make_event(db, social_status=SocialStatus.PUBLIC)
    left_out = f"{private[0].id},{private[1].id}"
    response = client.get(
        "/admin/event/bulk/batch-edit",
        params={"scope": "filter", "except": left_out, "social_status": "private"},
    )
    page = text_of(response.text)
    assert response.status_code == 200
    assert "Batch edit 3 events" in page
    assert "except the 2 rows you unticked" in page
    assert private[2].title in page and private[0].title not in page  # the sample
    assert f'name="except" value="{left_out}"' in response.text


def test_batch_edit_of_a_filter_minus_two_rows_sets_every_chosen_field_in_one_change_set(
    client: TestClient, db: Session
) -> None:
    ann = factories.make_user(db, email="ann@example.org")
    rows = [
        factories.make_event(db, social_status=SocialStatus.PUBLIC, date_of=date(2027, 1, day))
        for day in range(1, 6)
    ]
    other = factories.make_event(db, social_status=SocialStatus.PRIVATE)
    kept = {rows[0].id, rows[3].id}
    dates_before = {row.id: row.date_of for row in rows}
    response = _post(
        client,
        scope="filter",
        social_status="public",
        **{"except": ",".join(map(str, kept))},
        new_status="private",
        date_change="shift",
        shift_days="-3",
        new_organizer="ANN@example.org",
        reason="moved to Ann's series",
    )
    assert response.status_code == 303, response.text
    shown = text_of(client.get(response.headers["location"]).text)
    assert "Changed 3 events" in shown, shown[:3000]
    after = _events(db)
    for row in rows:
        changed = after[row.id]
        if row.id in kept:
            assert (changed.social_status, changed.version) == (SocialStatus.PUBLIC, 1)
        else:
            assert changed.social_status is SocialStatus.PRIVATE
            assert changed.date_of == dates_before[row.id] - timedelta(days=3)
            assert (changed.organizer_id, changed.version) == (ann.id, 2)
    assert after[other.id].version == 1
    change_set = db.scalars(select(ChangeSet)).one()
    assert (change_set.kind, change_set.row_count, change_set.reason) == (
        "batch_edit",
        3,
        "moved to Ann's series",
    )
    entry = db.scalars(select(AuditEntry)).one()
    assert entry.changes is not None
    assert entry.changes["except"] == sorted(kept) and entry.changes["date_shift_days"] == -3


def test_a_batch_edit_is_undone_row_by_row(client: TestClient, db: Session) -> None:
    first = factories.make_event(db, date_of=date(2027, 5, 1))
    second = factories.make_event(db, date_of=date(2027, 6, 1), social_status=SocialStatus.PRIVATE)
    pks = f"{first.id},{second.id}"
    assert _post(client, pks=pks, date_change="set", new_date="2030-01-01").status_code == 303
    assert {e.date_of for e in _events(db).values()} == {date(2030, 1, 1)}
    change_set = db.scalars(select(ChangeSet)).one()
    status, _ = undo(client, change_set.id)
    assert status == 200
    after = _events(db)
    assert after[first.id].date_of == date(2027, 5, 1)
    assert after[second.id].date_of == date(2027, 6, 1)
    assert after[second.id].social_status is SocialStatus.PRIVATE


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        pytest.param({}, "Choose at least one change", id="nothing-chosen"),
        pytest.param({"new_status": "secret"}, "choose public or private", id="bad-status"),
        pytest.param({"date_change": "set", "new_date": "2027-02-30"}, "YYYY-MM-DD", id="bad-date"),
        pytest.param({"date_change": "shift", "shift_days": "a week"}, "whole number", id="words"),
        pytest.param({"date_change": "shift", "shift_days": "0"}, "between 1 and", id="zero"),
        pytest.param({"date_change": "shift", "shift_days": "99999"}, "between 1 and", id="far"),
        pytest.param({"new_organizer": "ghost@example.org"}, "no user", id="unknown-organizer"),
        pytest.param({"new_organizer": "nobody"}, "Type a user's email", id="not-an-email"),
    ],
)
def test_bad_batch_input_is_shown_on_the_page_and_changes_nothing(
    client: TestClient, db: Session, fields: dict[str, str], message: str
) -> None:
    event = factories.make_event(db, title="Untouched")
    response = _post(client, pks=str(event.id), reason="typed reason", **fields)
    assert response.status_code == 400
    page = text_of(response.text)
    assert "Nothing was changed." in page and message in page
    assert 'value="typed reason"' in response.text  # what was typed is kept
    assert _events(db)[event.id].version == 1
    assert not db.scalars(select(ChangeSet)).all()


def _many_events(db: Session, count: int) -> None:
    organizer = factories.make_user(db)
    statuses = [SocialStatus.PRIVATE, SocialStatus.PUBLIC]
    rows = [
        {
            "title": f"Row {n}",
            "date_of": date(2027, 1, 1),
            "social_status": statuses[n % 2],
            "organizer_id": organizer.id,
        }
        for n in range(count)
    ]
    db.execute(insert(Event), rows)
    db.commit()


def test_deleting_all_private_events_except_three_on_100000_rows(
    client: TestClient, db: Session
) -> None:
    _many_events(db, 100_000)
    spared = list(db.scalars(select(Event.id).where(Event.social_status == "private").limit(3)))
    response = client.post(
        "/admin/event/bulk/delete",
        data={
            "scope": "filter",
            "social_status": "private",
            "except": ",".join(map(str, spared)),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    db.expire_all()
    left = db.scalars(select(Event.id).where(Event.social_status == "private")).all()
    assert sorted(left) == sorted(spared)
    assert db.scalar(select(func.count()).select_from(Event)) == 50_003
    assert db.scalar(select(func.count()).select_from(User)) == 1
