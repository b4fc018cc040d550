"""The audit trail: every change recorded with who, when, where and what, in one transaction."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.exc import DatabaseError, DBAPIError, OperationalError
from sqlalchemy.orm import Session

from admin_app.models import AuditEntry, Event, Staff, User
from tests import factories


def _entries(db: Session) -> list[AuditEntry]:
    db.expire_all()
    return list(db.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def test_create_is_recorded_with_who_when_where(
    client: TestClient, db: Session, admin_staff: Staff
) -> None:
    client.post("/admin/user/create", data={"email": "new@example.org", "save": "Save"})
    user = db.scalars(select(User)).one()
    [entry] = _entries(db)
    assert (entry.action, entry.target, entry.target_id) == ("create", "user", str(user.id))
    assert entry.staff_id == admin_staff.id and entry.staff_email == admin_staff.email
    assert entry.client == "testclient"
    assert entry.changes is not None and entry.changes["email"] == "new@example.org"
    assert entry.at.tzinfo is not None


def test_edit_records_only_the_changed_fields_before_and_after(
    client: TestClient, db: Session
) -> None:
    event = factories.make_event(db, title="Old title")
    form = {
        "title": "New title",
        "date_of": event.date_of.isoformat(),
        "social_status": "public",
        "organizer": str(event.organizer_id),
        "version": "1",
        "save": "Save",
    }
    assert client.post(f"/admin/event/edit/{event.id}", data=form).status_code == 200
    [entry] = _entries(db)
    assert entry.action == "update" and entry.target_id == str(event.id)
    assert entry.changes == {"title": ["Old title", "New title"]}
    assert entry.version == 2


def test_delete_is_recorded(client: TestClient, db: Session) -> None:
    ids = [factories.make_event(db).id for _ in range(3)]
    client.delete("/admin/event/delete", params={"pks": f"{ids[0]},{ids[1]}"})
    [entry] = _entries(db)
    assert (entry.action, entry.target) == ("delete", "event")
    assert entry.changes == {"ids": ids[:2]}


def test_staff_secrets_are_never_recorded(client: TestClient, db: Session) -> None:
    data = {
        "email": "s@example.org",
        "role": "viewer",
        "is_active": "y",
        "password": "a brand new long password",
        "save": "Save",
    }
    client.post("/admin/staff/create", data=data)
    staff = db.scalars(select(Staff).where(Staff.email == "s@example.org")).one()
    del data["password"]
    data["new_password"] = "another brand new password"
    client.post(f"/admin/staff/edit/{staff.id}", data=data)
    entries = _entries(db)
    assert [e.action for e in entries] == ["create", "update"]
    text = repr([e.changes for e in entries])
    assert "argon2" not in text and "brand new" not in text
    assert entries[1].changes == {"password": ["(hidden)", "(changed)"]}


def test_a_refused_save_leaves_no_entry(client: TestClient, db: Session) -> None:
    factories.make_user(db, email="taken@example.org")
    client.post("/admin/user/create", data={"email": "taken@example.org", "save": "Save"})
    assert _entries(db) == []


# An outage (the driver's OperationalError) is the 503 page: nothing saved, try again. Any other
# database error is the form's own message: nothing applied.
AUDIT_WRITE_FAILURES = [
    (OperationalError, 503, "nothing was changed"),
    (DatabaseError, 400, "none of it was applied"),
]


@pytest.mark.parametrize(("error", "status", "message"), AUDIT_WRITE_FAILURES)
def test_no_change_without_its_record_when_the_audit_write_fails(
    client: TestClient,
    db: Session,
    monkeypatch: pytest.MonkeyPatch,
    error: type[DBAPIError],
    status: int,
    message: str,
) -> None:
    """Fault injection: the audit insert fails inside the transaction, so the change is undone."""
    from admin_app import audit

    event = factories.make_event(db, title="Before")

    def broken(*args: object, **kwargs: object) -> dict[str, object]:
        raise error("INSERT INTO audit_log", {}, Exception("disk I/O error"))

    monkeypatch.setattr(audit, "_entry", broken)
    form = {
        "title": "After",
        "date_of": event.date_of.isoformat(),
        "social_status": "public",
        "organizer": str(event.organizer_id),
        "version": "1",
        "save": "Save",
    }
    response = client.post(f"/admin/event/edit/{event.id}", data=form)
    assert response.status_code == status
    assert message in response.text and "disk I/O" not in response.text
    db.expire_all()
    assert db.get(Event, event.id).title == "Before"  # type: ignore[union-attr]
    bulk = client.delete("/admin/event/delete", params={"pks": str(event.id)})
    if status == 503:
        assert bulk.status_code == 503 and "disk I/O" not in bulk.text
    else:
        assert "Nothing was deleted" in client.get(bulk.text).text
    assert db.scalar(select(func.count(Event.id))) == 1
    assert _entries(db) == []
