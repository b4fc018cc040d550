"""Deleting from the list pages: the selection goes in one transaction, or nothing goes."""

from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from admin_app.models import Event, StaffRole, User
from tests import factories
from tests.conftest import RoleClient


def _count(db: Session, model: type[User] | type[Event]) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(model)) or 0


def _delete(client: TestClient, identity: str, pks: list[int], referer: str = "") -> str:
    headers = {"referer": referer} if referer else {}
    response = client.delete(
        f"/admin/{identity}/delete", params={"pks": ",".join(map(str, pks))}, headers=headers
    )
    assert response.status_code == 200, response.text
    return response.text


def test_bulk_delete_removes_exactly_the_selection(client: TestClient, db: Session) -> None:
    events = [factories.make_event(db) for _ in range(5)]
    _delete(client, "event", [e.id for e in events[:3]])
    remaining = set(db.scalars(select(Event.id)))
    assert remaining == {e.id for e in events[3:]}
    page = client.get("/admin/event/list").text
    assert "Deleted 3 events." in page


def test_delete_returns_to_the_list_with_its_filters(client: TestClient, db: Session) -> None:
    event = factories.make_event(db)
    referer = "http://testserver/admin/event/list?social_status=public&search=x&error=old"
    target = _delete(client, "event", [event.id], referer=referer)
    query = parse_qs(urlsplit(target).query)
    assert query == {"social_status": ["public"], "search": ["x"]}


def test_deleting_a_user_who_organizes_events_is_refused(client: TestClient, db: Session) -> None:
    busy = factories.make_user(db, email="busy@example.org")
    for _ in range(2):
        factories.make_event(db, organizer=busy)
    target = _delete(client, "user", [busy.id])
    assert "error" not in parse_qs(urlsplit(target).query)  # the reason is never in the URL
    assert _count(db, User) == 1 and _count(db, Event) == 2
    page = client.get(target).text
    assert "Nothing was deleted: 2 events still belong to busy@example.org." in page
    # An admin may delete them together, so is pointed there, not to "ask an admin".
    assert "delete them together from “Delete with preview…”" in page
    assert "ask an admin" not in page
    # Shown once: the next visit of the list is a plain list again.
    assert "Nothing was deleted" not in client.get(target).text


def test_an_editor_is_told_to_ask_an_admin_to_delete_users_with_their_events(
    client_as: RoleClient, db: Session
) -> None:
    busy = factories.make_user(db, email="busy@example.org")
    factories.make_event(db, organizer=busy)
    editor = client_as(StaffRole.EDITOR)
    target = _delete(editor, "user", [busy.id])
    page = editor.get(target).text
    assert "Nothing was deleted: 1 event still belongs to busy@example.org." in page
    assert "ask an admin to delete them together" in page


def test_a_refused_user_in_a_selection_keeps_the_whole_selection(
    client: TestClient, db: Session
) -> None:
    free = [factories.make_user(db) for _ in range(3)]
    busy = factories.make_user(db)
    factories.make_event(db, organizer=busy)
    _delete(client, "user", [u.id for u in free] + [busy.id])
    assert _count(db, User) == 4


def test_users_without_events_are_deleted(client: TestClient, db: Session) -> None:
    users = [factories.make_user(db) for _ in range(3)]
    _delete(client, "user", [u.id for u in users[:2]])
    assert set(db.scalars(select(User.id))) == {users[2].id}


@pytest.mark.parametrize("pks", ["", "1,abc", "-1", "1;DROP TABLE users", ",".join(["1"] * 10_001)])
def test_a_malformed_selection_is_a_400(client: TestClient, db: Session, pks: str) -> None:
    factories.make_user(db)
    response = client.delete("/admin/user/delete", params={"pks": pks})
    assert response.status_code == 400
    assert _count(db, User) == 1


def test_deleting_ids_that_do_not_exist_deletes_nothing_else(
    client: TestClient, db: Session
) -> None:
    event = factories.make_event(db)
    _delete(client, "event", [event.id + 1000])
    assert _count(db, Event) == 1


def test_anonymous_delete_is_refused(anonymous: TestClient, db: Session) -> None:
    event = factories.make_event(db)
    response = anonymous.delete(
        "/admin/event/delete", params={"pks": str(event.id)}, follow_redirects=False
    )
    assert response.status_code in (302, 403)
    assert _count(db, Event) == 1
