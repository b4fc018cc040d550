"""A database outage gives a clean 503 page (no traceback), and the panel recovers by itself."""

import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from admin_app.config import Settings
from admin_app.models import Event
from tests import factories

WRITES = ("INSERT", "UPDATE", "DELETE")
# How long saves wait for a lock in these tests (5 s in production): short, so they stay quick.
LOCK_WAIT_SECONDS = 0.3
PAGES = ["/admin/event/list", "/admin/user/list", "/admin/", "/admin/event/create"]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"database_lock_wait_seconds": LOCK_WAIT_SECONDS})


@contextmanager
def database_down(app: FastAPI, *, from_first_write: bool = False) -> Iterator[None]:
    """Every statement fails as if the server had gone away (or only writes: it went away after
    the page had read what it needed, in the middle of the save)."""

    def refuse(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if from_first_write and not statement.lstrip().upper().startswith(WRITES):
            return
        raise OperationalError("SELECT", {}, Exception("server closed the connection unexpectedly"))

    engine = app.state.engine
    event.listen(engine, "before_cursor_execute", refuse)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", refuse)


@pytest.mark.parametrize("path", PAGES)
def test_pages_answer_503_during_an_outage_and_recover(
    app: FastAPI, client: TestClient, path: str
) -> None:
    with database_down(app):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 503
        assert response.headers["retry-after"] == "5"
        assert "Database unavailable" in response.text
        assert "Traceback" not in response.text and "server closed" not in response.text
    assert client.get(path, follow_redirects=False).status_code == 200


def _rows(app: FastAPI) -> list[tuple[object, ...]]:
    with app.state.engine.connect() as conn:
        users = conn.execute(text("SELECT id, email, version FROM users ORDER BY id")).all()
        events = conn.execute(text("SELECT id, title, social_status FROM events ORDER BY id"))
        return [*map(tuple, users), *map(tuple, events.all())]


def _saves(event: Event) -> list[tuple[str, dict[str, str]]]:
    edit = {
        "title": "Changed",
        "date_of": "2026-05-01",
        "social_status": "private",
        "organizer": str(event.organizer_id),
        "version": "1",
        "save": "Save",
    }
    return [
        ("/admin/user/create", {"email": "x@example.org", "save": "Save"}),
        ("/admin/event/create", {**edit, "title": "New"}),
        (f"/admin/event/edit/{event.id}", edit),
        (f"/admin/user/edit/{event.organizer_id}", {"email": "y@example.org", "version": "1"}),
        ("/admin/event/bulk/delete", {"pks": str(event.id)}),
        ("/admin/event/bulk/set-status", {"pks": str(event.id), "status": "private"}),
    ]


@pytest.mark.parametrize("save", range(6))
def test_a_save_cut_by_an_outage_is_a_503_and_changes_nothing(
    app: FastAPI, client: TestClient, db: Session, save: int
) -> None:
    event = factories.make_event(db, title="Kept")
    before = _rows(app)
    path, data = _saves(event)[save]
    with database_down(app, from_first_write=True):
        response = client.post(path, data=data, follow_redirects=False)
    assert response.status_code == 503, (path, response.text[:300])
    assert response.headers["retry-after"] == "5"
    assert "nothing was changed" in response.text
    assert "server closed" not in response.text
    assert _rows(app) == before


def test_health_reports_the_outage(app: FastAPI, anonymous: TestClient) -> None:
    with database_down(app):
        assert anonymous.get("/health").status_code == 503
    assert anonymous.get("/health").json() == {"status": "ok"}


def test_a_value_the_database_cannot_hold_is_a_400(client: TestClient) -> None:
    response = client.get("/admin/event/list", params={"organizer": "9" * 18})
    assert response.status_code in (200, 400)


@contextmanager
def row_locked_elsewhere(app: FastAPI, event_id: int) -> Iterator[None]:
    """Another transaction (someone's psql, a long migration) holds the event's row: on SQLite
    that is the whole database's write lock, on PostgreSQL a row lock."""
    with app.state.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.execute(text("SELECT 1 FROM events WHERE id = :id FOR UPDATE"), {"id": event_id})
        try:
            yield
        finally:
            conn.rollback()


def test_a_save_blocked_by_a_held_lock_is_a_503_after_the_lock_wait_then_succeeds(
    app: FastAPI, client: TestClient, db: Session
) -> None:
    """Never a hang and never "database is locked" as a 500: the wait is bounded, then 503."""
    event = factories.make_event(db, title="Kept")
    form = _saves(event)[2][1]  # the event's edit form
    with row_locked_elsewhere(app, event.id):
        started = time.monotonic()
        blocked = client.post(f"/admin/event/edit/{event.id}", data=form)
        waited = time.monotonic() - started
    assert blocked.status_code == 503 and "nothing was changed" in blocked.text
    assert "locked" not in blocked.text and "LockNotAvailable" not in blocked.text
    assert waited >= LOCK_WAIT_SECONDS
    db.expire_all()
    assert db.get(Event, event.id).title == "Kept"  # type: ignore[union-attr]
    saved = client.post(f"/admin/event/edit/{event.id}", data=form, follow_redirects=False)
    assert saved.status_code == 302
    db.expire_all()
    assert db.get(Event, event.id).title == "Changed"  # type: ignore[union-attr]
