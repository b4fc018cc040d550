"""Change sets: each staff operation is one, with who, when, what kind, how many rows, a reason."""

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from admin_app.models import AuditEntry, ChangeSet, RowImage, SocialStatus, StaffRole
from tests import factories
from tests.conftest import RoleClient
from tests.history.conftest import bulk, edit_event, latest_change_set, text_of


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


def test_change_set_page_lists_its_rows_and_offers_undo(client: TestClient, db: Session) -> None:
    events = [factories.make_event(db, title=f"Gala {n}") for n in range(2)]
    bulk(client, "event", "delete", pks=f"{events[0].id},{events[1].id}")
    change_set = latest_change_set(db)
    listed = client.get("/admin/change-set/list")
    assert listed.status_code == 200 and "bulk_delete" in listed.text
    page = client.get(f"/admin/change-set/details/{change_set.id}")
    assert page.status_code == 200
    assert "Deleted 2 events" in text_of(page.text)
    assert f"/admin/change-set/undo/{change_set.id}" in page.text


def test_audit_entries_link_to_their_change_set(client: TestClient, db: Session) -> None:
    factories.make_event(db)
    bulk(client, "event", "delete", scope="filter")
    change_set = latest_change_set(db)
    listed = client.get("/admin/audit-entry/list")
    assert f'href="/admin/change-set/details/{change_set.id}"' in listed.text
    filtered = client.get("/admin/audit-entry/list", params={"action": "delete"})
    assert filtered.status_code == 200 and "Deleted 1 event" in filtered.text
