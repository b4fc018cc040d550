"""The audit log page (admin/views/audit_log.py): read-only, admins only, filterable by object,
linked from each detail page."""

import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from admin_app.models import AuditEntry, StaffRole, User
from tests import factories
from tests.conftest import ClientFactory


def _entries(db: Session) -> list[AuditEntry]:
    db.expire_all()
    return list(db.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def test_audit_log_is_read_only_and_admin_only(
    client: TestClient, anonymous_factory: ClientFactory, db: Session
) -> None:
    client.post("/admin/user/create", data={"email": "x@example.org", "save": "Save"})
    [entry] = _entries(db)
    page = client.get("/admin/audit-entry/list").text
    assert "Created user x@example.org" in page
    details = client.get(f"/admin/audit-entry/details/{entry.id}").text
    assert "x@example.org" in details
    assert client.get(f"/admin/audit-entry/edit/{entry.id}").status_code == 403
    assert client.get("/admin/audit-entry/create").status_code == 403
    assert (
        client.delete("/admin/audit-entry/delete", params={"pks": str(entry.id)}).status_code == 403
    )
    assert len(_entries(db)) == 1
    editor = factories.make_staff(db, role=StaffRole.EDITOR)
    other = anonymous_factory()
    factories.login(other, editor.email)
    assert other.get("/admin/audit-entry/list").status_code == 403


def test_detail_pages_link_to_their_history(client: TestClient, db: Session) -> None:
    event = factories.make_event(db)
    page = client.get(f"/admin/event/details/{event.id}").text
    link = re.search(r'id="object-history" href="([^"]+)"', page)
    assert link and link.group(1).endswith(f"?target=event&target_id={event.id}")
    user_page = client.get(f"/admin/user/details/{event.organizer_id}").text
    assert f"target=user&amp;target_id={event.organizer_id}" in user_page or (
        f"target=user&target_id={event.organizer_id}" in user_page
    )


def test_history_filter_shows_one_objects_entries(client: TestClient, db: Session) -> None:
    for email in ("a@example.org", "b@example.org"):
        client.post("/admin/user/create", data={"email": email, "save": "Save"})
    first = db.scalars(select(User).where(User.email == "a@example.org")).one()
    page = client.get(
        "/admin/audit-entry/list", params={"target": "user", "target_id": str(first.id)}
    ).text
    assert "Created user a@example.org" in page and "Created user b@example.org" not in page
