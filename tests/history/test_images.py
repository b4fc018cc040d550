"""The time machine's row images (history/images.py): every row a change set touches is imaged in
its transaction, and a refused change leaves none."""

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from admin_app.models import AuditEntry, ChangeSet, RowImage, SocialStatus, StaffRole
from tests import factories
from tests.conftest import RoleClient
from tests.history.conftest import bulk, edit_event, latest_change_set


def test_each_operation_is_one_change_set_holding_its_entries(
    client: TestClient, db: Session
) -> None:
    events = [factories.make_event(db) for _ in range(3)]
    edit_event(client, db, events[0].id, title="Renamed")
    bulk(
        client,
        "event",
        "set-status",
        pks=f"{events[1].id},{events[2].id}",
        status="private",
        reason="Moved behind login",
    )
    bulk(client, "event", "delete", scope="filter", social_status="private")
    db.expire_all()
    sets = db.scalars(select(ChangeSet).order_by(ChangeSet.id)).all()
    assert [(s.kind, s.target, s.row_count) for s in sets] == [
        ("edit", "event", 1),
        ("set_status", "event", 2),
        ("bulk_delete", "event", 2),
    ]
    assert sets[1].reason == "Moved behind login"
    assert all(s.staff_email == "admin@example.org" and s.client for s in sets)
    entries = db.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [e.change_set_id for e in entries] == [s.id for s in sets]


def test_bulk_delete_images_every_row_in_the_same_transaction(
    client: TestClient, db: Session
) -> None:
    user = factories.make_user(db)
    for _ in range(30):
        factories.make_event(db, organizer=user, social_status=SocialStatus.PRIVATE)
    email, user_id = user.email, user.id
    bulk(client, "user", "delete", pks=str(user_id), cascade="yes")
    change_set = latest_change_set(db)
    assert change_set.kind == "delete_cascade" and change_set.row_count == 31
    images = db.scalars(select(RowImage).where(RowImage.change_set_id == change_set.id)).all()
    assert sorted((i.target, i.action) for i in images).count(("event", "delete")) == 30
    user_image = next(i for i in images if i.target == "user")
    assert user_image.data["email"] == email and user_image.data["id"] == user_id


def test_a_refused_delete_leaves_no_change_set_and_no_images(
    client_as: RoleClient, db: Session
) -> None:
    user = factories.make_user(db)
    factories.make_event(db, organizer=user)
    editor = client_as(StaffRole.EDITOR)  # may not delete a user with their events
    editor.post("/admin/user/bulk/delete", data={"pks": str(user.id)})
    db.expire_all()
    assert db.scalars(select(ChangeSet)).all() == []
    assert db.scalars(select(RowImage)).all() == []
