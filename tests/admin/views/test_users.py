"""The Users pages through HTTP: list, search, sort, detail, create/edit with email rules."""

import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from admin_app.models import User
from tests import factories


def _user_count(db: Session) -> int:
    return db.scalar(select(func.count(User.id))) or 0


def _shown(page: str) -> str:
    """The page as read: emails carry <wbr> wrap points (formatters.wrap_points)."""
    return page.replace("<wbr>", "")


def test_list_shows_email_event_count_and_readable_headers(client: TestClient, db: Session) -> None:
    ann = factories.make_user(db, email="ann@example.org")
    for _ in range(3):
        factories.make_event(db, organizer=ann)
    page = _shown(client.get("/admin/user/list").text)
    assert "ann@example.org" in page
    assert "Events organized" in page and "Created" in page
    row = re.search(r"ann@example\.org.*?</tr>", page, re.S)
    assert row and re.search(r">\s*3\s*<", row.group(0))


def test_search_by_email_finds_only_matches(client: TestClient, db: Session) -> None:
    factories.make_user(db, email="findme@example.org")
    factories.make_user(db, email="other@example.org")
    page = _shown(client.get("/admin/user/list", params={"search": "findme"}).text)
    assert "findme@example.org" in page
    assert "other@example.org" not in page


def test_sort_by_email_both_ways(client: TestClient, db: Session) -> None:
    for email in ("b@example.org", "a@example.org", "c@example.org"):
        factories.make_user(db, email=email)
    asc = _shown(client.get("/admin/user/list", params={"sortBy": "email", "sort": "asc"}).text)
    desc = _shown(client.get("/admin/user/list", params={"sortBy": "email", "sort": "desc"}).text)
    order = ["a@example.org", "b@example.org", "c@example.org"]
    assert sorted(order, key=asc.index) == order
    assert sorted(order, key=desc.index) == order[::-1]


def test_sorting_by_an_unknown_column_is_a_400(client: TestClient) -> None:
    assert client.get("/admin/user/list", params={"sortBy": "password"}).status_code == 400


def test_detail_page_lists_the_users_events_as_links(client: TestClient, db: Session) -> None:
    ann = factories.make_user(db, email="ann@example.org")
    event = factories.make_event(db, organizer=ann, title="Ann's picnic")
    page = client.get(f"/admin/user/details/{ann.id}").text
    assert "Ann&#39;s picnic" in page
    assert f"/admin/event/details/{event.id}" in page
    assert f"/admin/event/list?organizer={ann.id}" in page


def test_create_normalises_the_email(client: TestClient, db: Session) -> None:
    response = client.post(
        "/admin/user/create", data={"email": "  New.Person@Example.ORG ", "save": "Save"}
    )
    assert response.status_code == 200
    assert db.scalar(select(User.email)) == "new.person@example.org"


def test_create_with_invalid_email_shows_field_error(client: TestClient, db: Session) -> None:
    response = client.post("/admin/user/create", data={"email": "not-an-email", "save": "Save"})
    assert response.status_code == 400
    assert "invalid-feedback" in response.text
    assert _user_count(db) == 0


def test_editing_to_another_users_email_is_refused(client: TestClient, db: Session) -> None:
    factories.make_user(db, email="first@example.org")
    second = factories.make_user(db, email="second@example.org")
    response = client.post(
        f"/admin/user/edit/{second.id}",
        data={"email": "first@example.org", "version": "1", "save": "Save"},
    )
    assert response.status_code == 400
    assert "A user with this email already exists." in response.text
    db.expire_all()
    assert db.get(User, second.id).email == "second@example.org"  # type: ignore[union-attr]


def test_edit_keeps_own_email_and_changes_it(client: TestClient, db: Session) -> None:
    user = factories.make_user(db, email="old@example.org")
    unchanged = client.post(
        f"/admin/user/edit/{user.id}",
        data={"email": "old@example.org", "version": "1", "save": "Save"},
    )
    assert unchanged.status_code == 200
    client.post(
        f"/admin/user/edit/{user.id}",
        data={"email": "New@Example.org", "version": "1", "save": "Save"},
    )
    db.expire_all()
    assert db.get(User, user.id).email == "new@example.org"  # type: ignore[union-attr]


def test_user_form_has_no_events_multi_select(client: TestClient) -> None:
    page = client.get("/admin/user/create").text
    assert 'name="email"' in page
    assert 'name="events"' not in page
