"""Editable list cells: each save is an edit (validation, version check, audit), or a refusal."""

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from admin_app.models import AuditEntry, Event, SocialStatus, StaffRole
from tests import factories
from tests.conftest import RoleClient


def _save(client: TestClient, identity: str, pk: int, field: str, value: str, version: int):  # type: ignore[no-untyped-def]
    return client.post(
        f"/admin/{identity}/cell/{pk}",
        data={"field": field, "value": value, "version": str(version)},
    )


def _fresh(db: Session, event: Event) -> Event:
    db.expire_all()
    found = db.get(Event, event.id)
    assert found is not None
    return found


def test_a_cell_save_changes_one_field_bumps_the_version_and_is_audited(
    client: TestClient, db: Session
) -> None:
    event = factories.make_event(db, title="Jazz nite", social_status=SocialStatus.PUBLIC)
    response = _save(client, "event", event.id, "title", "  Jazz night ", event.version)
    assert response.status_code == 200, response.text
    assert response.json()["value"] == "Jazz night"
    saved = _fresh(db, event)
    assert saved.title == "Jazz night" and saved.social_status is SocialStatus.PUBLIC
    assert response.json()["version"] == saved.version == 2
    entry = db.scalars(select(AuditEntry)).one()
    assert entry.action == "update" and entry.changes == {"title": ["Jazz nite", "Jazz night"]}


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        pytest.param("social_status", "private", SocialStatus.PRIVATE, id="status"),
        pytest.param("date_of", "2027-03-04", date(2027, 3, 4), id="date"),
    ],
)
def test_status_and_date_cells_save(
    client: TestClient, db: Session, field: str, value: str, expected: object
) -> None:
    event = factories.make_event(db)
    assert _save(client, "event", event.id, field, value, event.version).status_code == 200
    assert getattr(_fresh(db, event), field) == expected


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        pytest.param("title", "   ", "This field is required.", id="blank-title"),
        pytest.param("date_of", "31/02/2027", "Not a valid date value.", id="bad-date"),
        pytest.param("social_status", "secret", "Not a valid choice", id="unknown-status"),
    ],
)
def test_bad_values_are_refused_with_the_fields_message_and_nothing_changes(
    client: TestClient, db: Session, field: str, value: str, message: str
) -> None:
    event = factories.make_event(db, title="Kept")
    response = _save(client, "event", event.id, field, value, event.version)
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert _fresh(db, event).version == 1 and not db.scalars(select(AuditEntry)).all()


def test_a_duplicate_email_cell_is_refused_with_the_forms_message(
    client: TestClient, db: Session
) -> None:
    factories.make_user(db, email="taken@example.org")
    user = factories.make_user(db, email="free@example.org")
    response = _save(client, "user", user.id, "email", "taken@example.org", user.version)
    assert response.status_code == 400
    assert response.json()["error"] == "A user with this email already exists."


def test_a_stale_cell_shows_the_newer_value_and_a_retry_at_it_saves(
    client: TestClient, db: Session
) -> None:
    event = factories.make_event(db, title="Original")
    seen = event.version
    assert _save(client, "event", event.id, "title", "Theirs", seen).status_code == 200
    stale = _save(client, "event", event.id, "title", "Mine", seen)
    assert stale.status_code == 409
    body = stale.json()
    assert body["current"]["value"] == "Theirs" and body["current"]["version"] == 2
    assert "someone else changed this event" in body["error"]
    assert _fresh(db, event).title == "Theirs"
    retry = _save(client, "event", event.id, "title", "Mine", body["current"]["version"])
    assert retry.status_code == 200 and _fresh(db, event).title == "Mine"


def test_viewers_get_no_editable_cells_and_may_not_save_one(
    client_as: RoleClient, db: Session
) -> None:
    event = factories.make_event(db, title="Untouched")
    viewer = client_as(StaffRole.VIEWER)
    assert "data-cell-field" not in viewer.get("/admin/event/list").text
    response = _save(viewer, "event", event.id, "title", "Changed", event.version)
    assert response.status_code == 403 and _fresh(db, event).title == "Untouched"
    editor = client_as(StaffRole.EDITOR)
    page = editor.get("/admin/event/list").text
    assert 'data-cell-field="title"' in page and 'data-version="1"' in page


@pytest.mark.parametrize(
    ("path", "field", "status"),
    [
        pytest.param("/admin/event/cell/abc", "title", 404, id="malformed-id"),
        pytest.param("/admin/event/cell/999999", "title", 404, id="missing-row"),
        pytest.param("/admin/event/cell/{id}", "organizer_id", 404, id="field-not-editable"),
        pytest.param("/admin/staff/cell/1", "email", 404, id="view-without-cells"),
        pytest.param("/admin/nope/cell/1", "title", 404, id="unknown-view"),
    ],
)
def test_cells_that_cannot_be_edited_are_404(
    client: TestClient, db: Session, path: str, field: str, status: int
) -> None:
    event = factories.make_event(db)
    response = client.post(
        path.format(id=event.id), data={"field": field, "value": "x", "version": "1"}
    )
    assert response.status_code == status
    assert client.get(f"/admin/event/cell/{event.id}").status_code == 405
