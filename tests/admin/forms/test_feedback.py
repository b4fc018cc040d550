"""What a form's save tells the next page (admin/forms/feedback.py)."""

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from admin_app.models import Event
from tests import factories


def test_a_form_save_says_what_it_saved_on_the_next_page(client: TestClient, db: Session) -> None:
    # Issue 27, item 5: bulk work, restore and undo said what they did; forms did not.
    user = factories.make_user(db, email="ann@example.org")
    data = {"title": "Jazz night", "date_of": "2027-01-02", "social_status": "public"}
    created = client.post("/admin/event/create", data={**data, "organizer": str(user.id)})
    assert "Created event “Jazz night”." in created.text
    event_id = db.scalar(select(Event.id).where(Event.title == "Jazz night"))
    edited = client.post(
        f"/admin/event/edit/{event_id}",
        data={**data, "title": "Jazz night, moved", "organizer": str(user.id), "version": "1"},
    )
    assert "Saved event “Jazz night, moved”." in edited.text
    saved_user = client.post(
        f"/admin/user/edit/{user.id}", data={"email": "ann@example.org", "version": "1"}
    )
    assert "Saved user “ann@example.org”." in saved_user.text
    # A list cell answers itself; it leaves no message for a later page.
    client.post(
        f"/admin/event/cell/{event_id}",
        data={"field": "title", "value": "By cell", "version": "2"},
    )
    assert "Saved event" not in client.get("/admin/event/list").text
