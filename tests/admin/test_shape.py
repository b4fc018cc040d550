"""Page shape, not time: SQL statements per request and form sizes do not grow with the data."""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.orm import Session

from admin_app.seed import seed_demo
from tests import factories


@contextmanager
def counting_statements(app: FastAPI) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(*args: object) -> None:
        statements.append(str(args[2]))

    engine = app.state.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _statements(app: FastAPI, client: TestClient, path: str) -> tuple[int, int]:
    with counting_statements(app) as statements:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(statements), len(response.content)


def _grow(db: Session, users: int, events: int) -> None:
    seed_demo(db.get_bind(), users=users, events=events, progress=lambda *_: None, seed=5)  # type: ignore[arg-type]


PAGES = [
    "/admin/event/list?pageSize=25",
    "/admin/event/list?pageSize=100&social_status=private&search=a&sortBy=date_of",
    "/admin/user/list?pageSize=100",
    "/admin/event/create",
    "/admin/user/create",
    "/admin/",
    "/admin/search?q=jazz",
]


@pytest.mark.parametrize("path", PAGES)
def test_statements_per_page_do_not_grow_with_table_size(
    app: FastAPI, client: TestClient, db: Session, path: str
) -> None:
    _grow(db, users=5, events=20)
    small, _ = _statements(app, client, path)
    _grow(db, users=300, events=3000)
    large, _ = _statements(app, client, path)
    assert large == small, (path, small, large)


def test_list_statements_do_not_grow_with_page_size(
    app: FastAPI, client: TestClient, db: Session
) -> None:
    _grow(db, users=50, events=500)
    per_size = {
        size: _statements(app, client, f"/admin/event/list?pageSize={size}")[0]
        for size in (25, 50, 100)
    }
    assert len(set(per_size.values())) == 1, per_size


def test_forms_do_not_grow_with_users_or_events(
    app: FastAPI, client: TestClient, db: Session
) -> None:
    organizer = factories.make_user(db)
    event_row = factories.make_event(db, organizer=organizer)
    pages = [
        f"/admin/event/edit/{event_row.id}",
        f"/admin/user/edit/{organizer.id}",
        "/admin/event/create",
    ]
    before = {page: _statements(app, client, page) for page in pages}
    _grow(db, users=500, events=5000)
    for page in pages:
        statements, size = _statements(app, client, page)
        assert statements == before[page][0], page
        assert abs(size - before[page][1]) < 200, page  # only the CSRF token and similar vary
        assert size < 200_000


def test_user_detail_is_bounded_for_busy_organizers(
    app: FastAPI, client: TestClient, db: Session
) -> None:
    busy = factories.make_user(db)
    for _ in range(3):
        factories.make_event(db, organizer=busy)
    small = _statements(app, client, f"/admin/user/details/{busy.id}")
    for _ in range(60):
        factories.make_event(db, organizer=busy)
    large = _statements(app, client, f"/admin/user/details/{busy.id}")
    assert large[0] == small[0]
    assert large[1] < 200_000


def test_an_edit_page_reads_its_row_once_with_the_pickers_row(
    app: FastAPI, client: TestClient, db: Session
) -> None:
    """SQLAdmin read the row for the permission check, again for the form, and the organizer a
    third time for the picker's label (forms/one_read.py): the row and its organizer are one
    statement now, and the picker still shows the organizer."""
    organizer = factories.make_user(db, email="picked-organizer@example.org")
    event_row = factories.make_event(db, organizer=organizer, title="Read once")
    with counting_statements(app) as statements:
        page = client.get(f"/admin/event/edit/{event_row.id}").text
    reads = [s for s in statements if "FROM events" in s or "FROM users" in s]
    assert len(reads) == 1, reads
    assert "JOIN users" in reads[0]
    assert f'<option value="{organizer.id}" selected>picked-organizer@example.org</option>' in page
    assert 'value="Read once"' in page


@pytest.mark.parametrize("path", ["/admin/event/list", "/admin/", "/admin/search?q=jazz"])
def test_a_page_reads_its_access_and_its_sidebars_views_on_one_connection(
    app: FastAPI, client: TestClient, path: str
) -> None:
    """The access check and the sidebar's saved views are one trip to the database (one
    connection from the pool, one thread hop: web/auth.py), not one trip each."""
    trips: list[list[str]] = []

    def checkout(*_args: object) -> None:
        trips.append([])

    def record(*args: object) -> None:
        trips[-1].append(str(args[2]))

    engine = app.state.engine
    event.listen(engine, "checkout", checkout)
    event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "checkout", checkout)
        event.remove(engine, "before_cursor_execute", record)
    # The sidebar's statement ranks each list's views (a search's own read of views does not).
    sidebar = [trip for trip in trips if any("row_number() OVER" in s for s in trip)]
    assert len(sidebar) == 1, trips
    assert any("FROM staff" in statement for statement in sidebar[0])
