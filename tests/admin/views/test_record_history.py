"""One record's history: every version with who and when, two compared, revert through the
version check."""

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from admin_app.models import Event, StaffRole
from tests import factories
from tests.conftest import RoleClient
from tests.history.conftest import bulk, edit_event, text_of


def _revert(client: TestClient, event_id: int, **data: str) -> tuple[int, str]:
    response = client.post(f"/admin/event/history/{event_id}", data=data, follow_redirects=True)
    return response.status_code, text_of(response.text)


def test_revert_to_version_one_whole_then_undo_it(client: TestClient, db: Session) -> None:
    event = factories.make_event(db, title="First")
    edit_event(client, db, event.id, title="Second")
    edit_event(client, db, event.id, title="Third", social_status="private")
    status, text = _revert(client, event.id, to="1", version="3")
    assert status == 200 and "Reverted title, social status to version 1" in text
    db.expire_all()
    back = db.get(Event, event.id)
    assert back is not None and back.title == "First" and back.version == 4
    assert back.social_status.value == "public"


def test_revert_one_field_only(client: TestClient, db: Session) -> None:
    event = factories.make_event(db, title="First")
    edit_event(client, db, event.id, title="Second", social_status="private")
    status, _ = _revert(client, event.id, to="1", version="2", field="title")
    assert status == 200
    db.expire_all()
    back = db.get(Event, event.id)
    assert back is not None and back.title == "First" and back.social_status.value == "private"


def test_a_stale_revert_is_refused_like_a_stale_edit(client: TestClient, db: Session) -> None:
    event = factories.make_event(db, title="First")
    edit_event(client, db, event.id, title="Second")
    edit_event(client, db, event.id, title="Someone else's")  # after the page was opened at v2
    status, text = _revert(client, event.id, to="1", version="2")
    assert status == 409 and "someone changed this event after you opened its history" in text
    db.expire_all()
    assert db.get(Event, event.id).title == "Someone else's"  # type: ignore[union-attr]


def test_reverting_to_a_deleted_organizer_is_refused_with_a_message(
    client: TestClient, db: Session
) -> None:
    first, second = factories.make_user(db), factories.make_user(db)
    event = factories.make_event(db, organizer=first)
    edit_event(client, db, event.id, organizer=str(second.id))
    factories.make_event(db, organizer=first)  # so the organizer is deleted with an event
    bulk(client, "user", "delete", pks=str(first.id), cascade="yes")
    status, text = _revert(client, event.id, to="1", version="2", field="organizer_id")
    assert status == 409 and f"(user #{first.id}) no longer exists" in text


def test_viewers_read_history_but_cannot_revert(
    client: TestClient, client_as: RoleClient, db: Session
) -> None:
    event = factories.make_event(db, title="First")
    edit_event(client, db, event.id, title="Second")
    viewer = client_as(StaffRole.VIEWER)
    page = viewer.get(f"/admin/event/history/{event.id}")
    assert page.status_code == 200 and "Revert" not in text_of(page.text)
    refused = viewer.post(f"/admin/event/history/{event.id}", data={"to": "1", "version": "2"})
    assert refused.status_code == 403


def test_history_of_a_deleted_record_points_to_recently_deleted(
    client: TestClient, db: Session
) -> None:
    event = factories.make_event(db)
    event_id = event.id
    bulk(client, "event", "delete", pks=str(event_id))
    text = text_of(client.get(f"/admin/event/history/{event_id}").text)
    assert "Deleted in change set" in text and "Restore it from Recently deleted" in text


def test_history_refuses_unknown_records_views_and_versions(
    client: TestClient, db: Session
) -> None:
    assert client.get("/admin/event/history/999").status_code == 404
    assert client.get("/admin/staff/history/1").status_code == 404
    assert client.get("/admin/nothing/history/1").status_code == 404
    event = factories.make_event(db)
    edit_event(client, db, event.id, title="Second")
    assert client.get(f"/admin/event/history/{event.id}?a=7&b=1").status_code == 404
    status, text = _revert(client, event.id, to="abc", version="2")
    assert status == 409 and "Choose the version" in text
