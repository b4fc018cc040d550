"""A database outage gives a clean 503 page (no traceback), and the panel recovers by itself."""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError

PAGES = ["/admin/event/list", "/admin/user/list", "/admin/", "/admin/event/create"]


@contextmanager
def database_down(app: FastAPI) -> Iterator[None]:
    """Every statement fails as if the server had gone away."""

    def refuse(*args: object) -> None:
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


def test_saves_during_an_outage_say_nothing_was_changed(app: FastAPI, client: TestClient) -> None:
    with database_down(app):
        response = client.post(
            "/admin/user/create", data={"email": "x@example.org", "save": "Save"}
        )
    assert response.status_code in (400, 503)
    assert "server closed" not in response.text
    with app.state.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM users")).scalar_one() == 0


def test_health_reports_the_outage(app: FastAPI, anonymous: TestClient) -> None:
    with database_down(app):
        assert anonymous.get("/health").status_code == 503
    assert anonymous.get("/health").json() == {"status": "ok"}


def test_a_value_the_database_cannot_hold_is_a_400(client: TestClient) -> None:
    response = client.get("/admin/event/list", params={"organizer": "9" * 18})
    assert response.status_code in (200, 400)
