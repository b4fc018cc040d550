"""Undo a change set: bulk deletes come back, status changes and edits go back, never silently
over a later change, once only, and as a change set of its own."""

import threading

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event as sa_event
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from admin_app import audit
from admin_app.history import undo as undo_engine
from admin_app.history.refusals import Refusal
from admin_app.models import ChangeSet, Event, SocialStatus, Staff
from tests import factories
from tests.history.conftest import bulk, count, edit_event, latest_change_set, text_of, undo


def _statuses(db: Session) -> dict[int, SocialStatus]:
    db.expire_all()
    return {event.id: event.social_status for event in db.scalars(select(Event))}


def test_undo_a_bulk_delete_brings_every_row_back(client: TestClient, db: Session) -> None:
    ids = [factories.make_event(db, social_status=SocialStatus.PRIVATE).id for _ in range(40)]
    bulk(client, "event", "delete", scope="filter", social_status="private")
    deleted = latest_change_set(db)
    page = client.get(f"/admin/change-set/undo/{deleted.id}")
    assert page.status_code == 200 and "Brings back 40 deleted events" in text_of(page.text)
    status, text = undo(client, deleted.id, reason="wrong filter")
    assert status == 200 and f"Undid change set #{deleted.id}: 40 rows" in text_of(text)
    db.expire_all()
    assert sorted(db.scalars(select(Event.id))) == sorted(ids)
    the_undo = latest_change_set(db)
    assert (the_undo.kind, the_undo.undo_of, the_undo.reason) == (
        "undo",
        deleted.id,
        "wrong filter",
    )
    assert db.get(ChangeSet, deleted.id).undone_by == the_undo.id  # type: ignore[union-attr]


def test_undo_a_set_status_puts_each_rows_own_status_back(client: TestClient, db: Session) -> None:
    public = factories.make_event(db, social_status=SocialStatus.PUBLIC)
    private = factories.make_event(db, social_status=SocialStatus.PRIVATE)
    before = _statuses(db)
    bulk(client, "event", "set-status", pks=f"{public.id},{private.id}", status="private")
    assert set(_statuses(db).values()) == {SocialStatus.PRIVATE}
    status, _ = undo(client, latest_change_set(db).id)
    assert status == 200 and _statuses(db) == before


def test_undo_an_edit_reverts_it(client: TestClient, db: Session) -> None:
    event = factories.make_event(db, title="Original")
    edit_event(client, db, event.id, title="Typo'd", social_status="private")
    status, _ = undo(client, latest_change_set(db).id)
    assert status == 200
    db.expire_all()
    back = db.get(Event, event.id)
    assert back is not None and back.title == "Original"
    assert back.social_status == SocialStatus.PUBLIC and back.version == 3


def test_rows_changed_since_are_listed_and_left_alone_only_when_confirmed(
    client: TestClient, db: Session
) -> None:
    events = [factories.make_event(db, social_status=SocialStatus.PUBLIC) for _ in range(3)]
    bulk(client, "event", "set-status", scope="filter", status="private")
    bulk_change = latest_change_set(db)
    edit_event(client, db, events[0].id, title="Changed later")
    page = text_of(client.get(f"/admin/change-set/undo/{bulk_change.id}").text)
    assert "1 rows changed after this change set" in page
    assert f"edit in change set #{bulk_change.id + 1} by admin@example.org" in page
    status, text = undo(client, bulk_change.id)  # not confirmed
    assert status == 409 and "Review them and confirm" in text_of(text)
    assert list(_statuses(db).values()).count(SocialStatus.PRIVATE) == 3  # nothing undone
    status, _ = undo(client, bulk_change.id, accept_conflicts="yes")
    assert status == 200
    statuses = _statuses(db)
    assert statuses[events[0].id] == SocialStatus.PRIVATE  # the later change is kept
    assert statuses[events[1].id] == statuses[events[2].id] == SocialStatus.PUBLIC
    db.expire_all()
    assert db.get(Event, events[0].id).title == "Changed later"  # type: ignore[union-attr]


def test_a_purge_cannot_be_undone(client: TestClient, db: Session) -> None:
    client.post("/admin/recently-deleted", data={"action": "purge", "older_than": "0"})
    status, text = undo(client, latest_change_set(db).id)
    assert status == 409 and "A purge cannot be undone" in text_of(text)


def test_undo_pages_refuse_bad_keys_and_head(client: TestClient, db: Session) -> None:
    for bad in ("abc", "1.5", "-1", "99999999999"):
        assert client.get(f"/admin/change-set/undo/{bad}").status_code == 404
    assert client.get("/admin/change-set/undo/12345").status_code == 404
    factories.make_event(db)
    bulk(client, "event", "delete", scope="filter")
    deleted = latest_change_set(db)
    head = client.request(
        "HEAD", f"/admin/change-set/undo/{deleted.id}", data={"accept_conflicts": "yes"}
    )
    assert head.status_code == 200 and count(db, Event) == 0  # HEAD is a GET, never the undo


def test_two_staff_undoing_at_once_exactly_one_succeeds(
    client: TestClient, db: Session, session_factory: sessionmaker[Session], admin_staff: Staff
) -> None:
    for _ in range(50):
        factories.make_event(db)
    bulk(client, "event", "delete", scope="filter")
    target = latest_change_set(db).id
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def run(name: str) -> None:
        audit.set_actor(audit.Actor(staff_id=admin_staff.id, email=name, client="test"))
        start.wait()
        try:
            with session_factory() as session, session.begin():
                undo_engine.undo(session, change_set_id=target, accept_conflicts=True, reason=None)
            outcomes.append("done")
        except Refusal:
            outcomes.append("refused")
        except Exception as exc:  # a lock timeout or a unique id clash is also "not twice"
            outcomes.append(type(exc).__name__)

    threads = [threading.Thread(target=run, args=(f"s{n}@x",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("done") == 1, outcomes
    assert count(db, Event) == 50
    db.expire_all()
    undos = db.scalars(select(ChangeSet).where(ChangeSet.kind == "undo")).all()
    assert len(undos) == 1


@pytest.mark.parametrize("fail_at", ["events", "row_images"])
def test_a_restore_failing_half_way_leaves_the_database_as_before(
    client: TestClient,
    db: Session,
    session_factory: sessionmaker[Session],
    admin_staff: Staff,
    fail_at: str,
) -> None:
    user = factories.make_user(db)
    for _ in range(10):
        factories.make_event(db, organizer=user)
    bulk(client, "user", "delete", pks=str(user.id), cascade="yes")
    target = latest_change_set(db).id
    engine = session_factory.kw["bind"]
    calls = {"n": 0}

    def explode(conn, cursor, statement, *_args):  # type: ignore[no-untyped-def]
        # The user is back by now; the events insert (or the images of the events) fails.
        if statement.startswith(f"INSERT INTO {fail_at}"):
            calls["n"] += 1
            if calls["n"] == (1 if fail_at == "events" else 2):
                raise RuntimeError("injected failure half-way through the restore")

    sa_event.listen(engine, "before_cursor_execute", explode)
    audit.set_actor(audit.Actor(staff_id=admin_staff.id, email="a@x", client="test"))
    try:
        with pytest.raises(RuntimeError), session_factory() as session, session.begin():
            undo_engine.undo(session, change_set_id=target, accept_conflicts=False, reason=None)
    finally:
        sa_event.remove(engine, "before_cursor_execute", explode)
        audit.set_actor(None)
    assert calls["n"] >= 1
    assert count(db, Event) == 0
    db.expire_all()
    assert db.get(ChangeSet, target).undone_by is None  # type: ignore[union-attr]
    assert len(db.scalars(select(ChangeSet)).all()) == 1  # no undo change set left behind
    assert undo(client, target)[0] == 200 and count(db, Event) == 10


def test_the_connection_killed_mid_undo_leaves_the_database_as_before(
    client: TestClient, db: Session, session_factory: sessionmaker[Session], admin_staff: Staff
) -> None:
    user = factories.make_user(db)
    for _ in range(10):
        factories.make_event(db, organizer=user)
    bulk(client, "user", "delete", pks=str(user.id), cascade="yes")
    target = latest_change_set(db).id
    engine = session_factory.kw["bind"]
    postgres = engine.dialect.name == "postgresql"
    killer = engine.connect() if postgres else None

    def kill(conn, cursor, statement, *_args):  # type: ignore[no-untyped-def]
        # Half-way: the user is back, the events are being inserted when the line goes dead.
        if not statement.startswith("INSERT INTO events"):
            return
        if killer is not None:
            pid = conn.connection.dbapi_connection.info.backend_pid
            killer.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        else:
            conn.connection.dbapi_connection.close()

    sa_event.listen(engine, "before_cursor_execute", kill)
    audit.set_actor(audit.Actor(staff_id=admin_staff.id, email="a@x", client="test"))
    try:
        with pytest.raises(Exception), session_factory() as session, session.begin():  # noqa: B017
            undo_engine.undo(session, change_set_id=target, accept_conflicts=False, reason=None)
    finally:
        sa_event.remove(engine, "before_cursor_execute", kill)
        audit.set_actor(None)
        if killer is not None:
            killer.close()
    assert count(db, Event) == 0
    db.expire_all()
    assert db.get(ChangeSet, target).undone_by is None  # type: ignore[union-attr]
    assert undo(client, target)[0] == 200 and count(db, Event) == 10
