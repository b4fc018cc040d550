"""Row images of form saves (history/recorder.py): the row before an edit, the row after a
create, each in its save's change set; a save that changes nothing images nothing."""

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from admin_app.models import Event, RowImage
from tests import factories
from tests.history.conftest import edit_event, latest_change_set


def _images(db: Session) -> list[RowImage]:
    db.expire_all()
    return list(db.scalars(select(RowImage).order_by(RowImage.id)))


def test_an_edit_images_the_row_as_it_was_before(client: TestClient, db: Session) -> None:
    event = factories.make_event(db, title="Before")
    edit_event(client, db, event.id, title="After")
    (image,) = _images(db)
    assert (image.target, image.row_id, image.action) == ("event", event.id, "update")
    assert image.data["title"] == "Before" and image.version_after == 2
    assert image.change_set_id == latest_change_set(db).id


def test_a_create_images_the_row_as_created(client: TestClient, db: Session) -> None:
    organizer = factories.make_user(db)
    response = client.post(
        "/admin/event/create",
        data={
            "title": "Brand new",
            "date_of": "2027-01-02",
            "social_status": "public",
            "organizer": str(organizer.id),
        },
        follow_redirects=False,
    )
    assert response.status_code == 302, response.text
    created = db.scalars(select(Event).where(Event.title == "Brand new")).one()
    (image,) = _images(db)
    assert (image.row_id, image.action, image.data["title"]) == (created.id, "create", "Brand new")


def test_a_save_that_changes_nothing_images_nothing(client: TestClient, db: Session) -> None:
    event = factories.make_event(db, title="Same")
    edit_event(client, db, event.id)
    assert _images(db) == []
