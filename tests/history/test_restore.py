"""Restoring deleted rows (history/restore.py): as they were, whole or not at all, within the undo
rule."""

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from admin_app.history.refusals import LARGE_CHANGE_SET
from admin_app.models import Event, SocialStatus, StaffRole, User
from tests import factories
from tests.conftest import RoleClient
from tests.history.conftest import bulk, count, deleted_images, latest_change_set, text_of, undo


def _restore(client: TestClient, **data: str | list[str]) -> tuple[int, str]:
    response = client.post(
        "/admin/recently-deleted", data={"action": "restore", **data}, follow_redirects=True
    )
    return response.status_code, text_of(response.text)


def _many_events(db: Session, how_many: int) -> None:
    user = factories.make_user(db)
    db.execute(
        insert(Event),
        [
            {
                "title": f"E{n}",
                "date_of": date(2026, 1, 1),
                "social_status": "private",
                "organizer_id": user.id,
                "version": 1,
            }
            for n in range(how_many)
        ],
    )
    db.commit()


def test_restore_selected_brings_rows_back_with_ids_dates_and_organizer(
    client: TestClient, db: Session
) -> None:
    user = factories.make_user(db)
    event = factories.make_event(db, organizer=user, social_status=SocialStatus.PRIVATE)
    created, title, version = event.created_at, event.title, event.version
    event_id, user_id = event.id, user.id
    bulk(client, "user", "delete", pks=str(user_id), cascade="yes")
    assert count(db, User) == 0
    event_image = next(i for i in deleted_images(db) if i.target == "event")
    # Only the event is ticked: its organizer was deleted too and comes back with it.
    status, page = _restore(client, image=str(event_image.id), reason="deleted by mistake")
    assert status == 200 and "Restored 1 user and 1 event," in page
    db.expire_all()
    back = db.get(Event, event_id)
    assert back is not None and back.organizer_id == user_id
    assert back.title == title and back.social_status == SocialStatus.PRIVATE
    assert back.created_at == created and back.version == version + 1
    assert latest_change_set(db).kind == "restore"
    assert "Nothing deleted matches" in text_of(client.get("/admin/recently-deleted").text)


def test_restore_a_whole_change_set(client: TestClient, db: Session) -> None:
    ids = [factories.make_event(db, social_status=SocialStatus.PRIVATE).id for _ in range(5)]
    bulk(client, "event", "delete", scope="filter", social_status="private")
    change_set = latest_change_set(db)
    status, page = _restore(client, change_set=str(change_set.id))
    assert status == 200 and "Restored 5 events," in page and "0 users" not in page
    db.expire_all()
    assert sorted(db.scalars(select(Event.id))) == sorted(ids)


def test_restoring_a_user_whose_email_is_taken_is_refused_whole(
    client: TestClient, db: Session
) -> None:
    first = factories.make_user(db, email="taken@example.org")
    second = factories.make_user(db, email="free@example.org")
    bulk(client, "user", "delete", pks=f"{first.id},{second.id}")
    newcomer = factories.make_user(db, email="taken@example.org")
    status, page = _restore(client, change_set=str(latest_change_set(db).id))
    assert status == 409
    assert f"taken@example.org (now user #{newcomer.id})" in page
    assert count(db, User) == 1  # nothing half-restored: free@ is still deleted too


def test_restore_refuses_an_event_whose_organizer_was_purged(
    client: TestClient, db: Session
) -> None:
    user = factories.make_user(db)
    factories.make_event(db, organizer=user, title="Orphan")
    bulk(client, "user", "delete", pks=str(user.id), cascade="yes")
    db.expunge_all()
    user_image = next(i for i in deleted_images(db) if i.target == "user")
    db.delete(user_image)
    db.commit()
    event_image = deleted_images(db)[0]
    status, page = _restore(client, image=str(event_image.id))
    assert status == 409 and "'Orphan'" in page and "purged" in page
    assert count(db, Event) == 0


def test_restoring_another_staff_members_large_delete_follows_the_undo_rule(
    client: TestClient, client_as: RoleClient, db: Session
) -> None:
    # Security round 3, finding 4: undo refused this, Recently deleted did not.
    _many_events(db, LARGE_CHANGE_SET + 31)
    bulk(client, "event", "delete", scope="filter", social_status="private")  # by the admin
    large = latest_change_set(db)
    editor = client_as(StaffRole.EDITOR)
    refusal = "only they or an admin may restore rows of it"
    status, page = _restore(editor, change_set=str(large.id))
    assert status == 409 and refusal in page and count(db, Event) == 0
    ticked = [str(image.id) for image in deleted_images(db)[:5]]
    status, page = _restore(editor, image=ticked)
    assert status == 409 and refusal in page and count(db, Event) == 0
    assert undo(editor, large.id)[0] == 409 and count(db, Event) == 0
    # The admin who deleted them may.
    status, page = _restore(client, change_set=str(large.id))
    assert status == 200 and count(db, Event) == LARGE_CHANGE_SET + 31


def test_an_editor_restores_their_own_large_delete_and_anyones_small_one(
    client: TestClient, client_as: RoleClient, db: Session
) -> None:
    _many_events(db, LARGE_CHANGE_SET + 1)
    editor = client_as(StaffRole.EDITOR)
    bulk(editor, "event", "delete", scope="filter", social_status="private")
    status, _ = _restore(editor, change_set=str(latest_change_set(db).id))
    assert status == 200 and count(db, Event) == LARGE_CHANGE_SET + 1
    small = [factories.make_event(db, social_status=SocialStatus.PUBLIC) for _ in range(3)]
    bulk(client, "event", "delete", scope="filter", social_status="public")  # by the admin
    status, _ = _restore(editor, change_set=str(latest_change_set(db).id))
    assert status == 200 and count(db, Event) == LARGE_CHANGE_SET + 1 + len(small)
