"""The Recently deleted page (admin/views/recently_deleted.py): deleted rows found, searched and
filtered; restore offered to those who may, with a sane selection (history/restore.py restores)."""

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from admin_app.models import Event, StaffRole
from tests import factories
from tests.conftest import RoleClient
from tests.history.conftest import bulk, count, deleted_images, text_of


def test_deleted_rows_are_listed_searchable_and_filterable(client: TestClient, db: Session) -> None:
    user = factories.make_user(db, email="ada@example.org")
    factories.make_event(db, organizer=user, title="Jazz night")
    factories.make_event(db, organizer=user, title="Chess club")
    bulk(client, "user", "delete", pks=str(user.id), cascade="yes")
    page = text_of(client.get("/admin/recently-deleted").text)
    assert "Jazz night" in page and "Chess club" in page and "ada@example.org" in page
    found = text_of(client.get("/admin/recently-deleted", params={"search": "jazz"}).text)
    assert "Jazz night" in found and "Chess club" not in found
    users = text_of(client.get("/admin/recently-deleted", params={"target": "user"}).text)
    assert "ada@example.org" in users and "Jazz night" not in users


def test_viewers_see_deleted_rows_but_cannot_restore(
    client: TestClient, client_as: RoleClient, db: Session
) -> None:
    factories.make_event(db, title="Visible to all")
    bulk(client, "event", "delete", scope="filter")
    viewer = client_as(StaffRole.VIEWER)
    page = viewer.get("/admin/recently-deleted")
    assert page.status_code == 200 and "Visible to all" in page.text
    assert "Restore selected" not in page.text and "Purge" not in page.text
    image = deleted_images(db)[0]
    refused = viewer.post("/admin/recently-deleted", data={"action": "restore", "image": image.id})
    assert refused.status_code == 403 and count(db, Event) == 0


def test_restore_needs_a_sane_selection(client: TestClient) -> None:
    for data in ({}, {"image": "abc"}, {"image": "1.5"}):
        response = client.post("/admin/recently-deleted", data={"action": "restore", **data})
        assert response.status_code == 400
    assert client.post("/admin/recently-deleted", data={"action": "x"}).status_code == 400
