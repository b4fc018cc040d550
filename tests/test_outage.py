"""A database outage gives a clean 503 page (no traceback), and the panel recovers by itself."""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from admin_app.models import Event
from tests import factories

WRITES = ("INSERT", "UPDATE", "DELETE")
PAGES = ["/admin/event/list", "/admin/user/list", "/admin/", "/admin/event/create"]


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
