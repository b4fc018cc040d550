"""Who may undo what (history/refusals.py): editors their own and small change sets, admins
anyone's large ones; a second undo is refused."""

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from admin_app.models import Event, SocialStatus, StaffRole
from tests import factories
from tests.conftest import RoleClient
from tests.history.conftest import bulk, count, latest_change_set, text_of, undo


def _statuses(db: Session) -> dict[int, SocialStatus]:
    db.expire_all()
    return {event.id: event.social_status for event in db.scalars(select(Event))}


def test_editors_undo_small_change_sets_admins_anyones_large_ones(
    client: TestClient, client_as: RoleClient, db: Session
) -> None:
    user = factories.make_user(db)
    db.execute(
        insert(Event),
        [
            {
                "title": f"E{n}",
                "date_of": date(2026, 1, 1),
                "social_status": "public",
                "organizer_id": user.id,
                "version": 1,
            }
            for n in range(1_001)
        ],
    )
    db.commit()
    bulk(client, "event", "set-status", scope="filter", status="private")  # by the admin
    large = latest_change_set(db)
    editor = client_as(StaffRole.EDITOR)
    page = editor.get(f"/admin/change-set/undo/{large.id}")
    assert "only they or an admin may undo it" in text_of(page.text)
    status, _ = undo(editor, large.id)
    assert status == 409 and list(_statuses(db).values()).count(SocialStatus.PUBLIC) == 0
    viewer = client_as(StaffRole.VIEWER)
    assert viewer.post(f"/admin/change-set/undo/{large.id}").status_code == 403
    assert viewer.get("/admin/change-set/list").status_code == 403
    assert undo(client, large.id)[0] == 200  # an admin may
    assert set(_statuses(db).values()) == {SocialStatus.PUBLIC}


def test_a_second_undo_is_refused_and_the_undo_can_be_undone(
    client: TestClient, db: Session
) -> None:
    factories.make_event(db)
    bulk(client, "event", "delete", scope="filter")
    deleted = latest_change_set(db)
    assert undo(client, deleted.id)[0] == 200
    status, text = undo(client, deleted.id)
    assert status == 409 and f"Change set #{deleted.id} was already undone" in text_of(text)
    assert count(db, Event) == 1
    assert undo(client, latest_change_set(db).id)[0] == 200  # undo the undo: deleted again
    assert count(db, Event) == 0
