"""The time machine's row images (history/images.py): every row a change set touches is imaged in
its transaction, and a refused change leaves none."""

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from admin_app import audit
from admin_app.history import images
from admin_app.models import (
    AuditEntry,
    ChangeSet,
    ImagePack,
    RowImage,
    SocialStatus,
    StaffRole,
)
from tests import factories
from tests.conftest import RoleClient
from tests.history.conftest import bulk, edit_event, latest_change_set, text_of
from tests.history.conftest import images as all_images
from tests.snapshots import diff, snapshot


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
    images = [i for i in all_images(db) if i.change_set_id == change_set.id]
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
    assert db.scalars(select(ImagePack)).all() == []


def _as_imaged(db: Session, event_id: int) -> dict[str, object]:
    # The event as an image of it holds it (the database's own JSON of the row).
    table = images.TABLES["event"]
    found = db.scalar(select(images.row_json(db, table)).where(table.c.id == event_id))
    assert found is not None
    return json.loads(found) if isinstance(found, str) else dict(found)


def test_a_bulk_delete_packs_its_images_and_the_first_reader_unpacks_them(
    client: TestClient, db: Session
) -> None:
    events = [factories.make_event(db, title=f"Packed {n}") for n in range(5)]
    expected = {event.id: _as_imaged(db, event.id) for event in events}
    ids = ",".join(str(event_id) for event_id in expected)
    bulk(client, "event", "delete", pks=ids)
    change_set = latest_change_set(db)
    # One row for the whole batch, not one image per deleted row.
    (pack,) = db.scalars(select(ImagePack)).all()
    assert (pack.change_set_id, pack.target, pack.row_count) == (change_set.id, "event", 5)
    assert db.scalars(select(RowImage)).all() == []
    # A reader (Recently deleted) unpacks: every row is listed by its title, once.
    page = text_of(client.get("/admin/recently-deleted").text)
    assert all(page.count(f"Packed {n}") == 1 for n in range(5)), page
    db.expire_all()
    assert db.scalars(select(ImagePack)).all() == []
    unpacked = db.scalars(select(RowImage).order_by(RowImage.id)).all()
    assert {image.row_id: image.data for image in unpacked} == expected
    assert all(
        (image.change_set_id, image.target, image.action) == (change_set.id, "event", "delete")
        and image.label == expected[image.row_id]["title"]
        and image.version_after == expected[image.row_id]["version"]
        for image in unpacked
    )
    # The images are rows now: a second reader has nothing to unpack.
    assert images.unpack(db) == 0


def test_unpacked_images_keep_the_order_of_their_change_sets(
    client: TestClient, db: Session
) -> None:
    first, second = factories.make_event(db).id, factories.make_event(db).id
    bulk(client, "event", "delete", pks=str(second))
    bulk(client, "event", "delete", pks=str(first))
    assert len(db.scalars(select(ImagePack)).all()) == 2
    assert [image.row_id for image in all_images(db)] == [second, first]


def test_a_delete_that_finds_no_rows_writes_no_pack(db: Session) -> None:
    with factories.acting_as(audit.cli_actor("test")), db.begin():
        change_set_id = audit.begin_change_set(db, kind="bulk_delete", target="event")
        deleted = images.delete_rows(db, change_set_id=change_set_id, target="event", ids=[-1])
    assert deleted == 0 and change_set_id is not None
    assert db.scalars(select(ImagePack)).all() == []


def test_two_readers_at_once_unpack_a_pack_once(
    client: TestClient, db: Session, session_factory: sessionmaker[Session]
) -> None:
    events = [factories.make_event(db) for _ in range(3)]
    bulk(client, "event", "delete", pks=",".join(str(event.id) for event in events))
    with session_factory() as first:
        assert images.unpack(first) == 3
        # The second reader starts while the first has not committed: on PostgreSQL it waits
        # for the first, on SQLite for the write lock; either way it then finds nothing left.
        with ThreadPoolExecutor(max_workers=1) as pool:
            second = pool.submit(_unpack_in_own_session, session_factory)
            first.commit()
            assert second.result(timeout=30) == 0
    assert len(all_images(db)) == 3


def _unpack_in_own_session(session_factory: sessionmaker[Session]) -> int:
    with session_factory() as session, session.begin():
        return images.unpack(session)


def test_to_a_snapshot_a_delete_adds_its_images_and_unpacking_changes_nothing(
    client: TestClient, db: Session, app: FastAPI
) -> None:
    engine = app.state.engine
    events = [factories.make_event(db) for _ in range(4)]
    before = snapshot(engine)
    bulk(client, "event", "delete", pks=",".join(str(event.id) for event in events))
    deleted = snapshot(engine)
    assert diff(before, deleted).counts["row_images"] == 4
    with db.begin():
        assert images.unpack(db) == 4
    assert diff(deleted, snapshot(engine)).describe() == "nothing changed"


def test_a_delete_larger_than_a_pack_writes_several_and_unpacks_them_all(
    client: TestClient, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # PACK_ROWS keeps each pack's JSON far from the databases' limit on one value.
    monkeypatch.setattr(images, "PACK_ROWS", 2)
    events = [factories.make_event(db, title=f"Split {n}") for n in range(5)]
    expected = {event.id: _as_imaged(db, event.id) for event in events}
    bulk(client, "event", "delete", pks=",".join(str(event_id) for event_id in expected))
    assert latest_change_set(db).row_count == 5
    packs = db.scalars(select(ImagePack)).all()
    assert sorted(pack.row_count for pack in packs) == [1, 2, 2]
    assert sorted(len(pack.rows) for pack in packs) == [1, 2, 2]
    assert {image.row_id: image.data for image in all_images(db)} == expected
