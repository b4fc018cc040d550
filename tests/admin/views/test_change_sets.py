"""The change sets pages (admin/views/change_sets.py): a change set's rows and its undo, linked
from the audit log, each role seeing only the rows it may."""

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from admin_app.models import AuditEntry, ChangeSet, StaffRole
from tests import factories
from tests.conftest import RoleClient
from tests.history.conftest import bulk, edit_event, latest_change_set, text_of


def test_change_set_page_lists_its_rows_and_offers_undo(client: TestClient, db: Session) -> None:
    events = [factories.make_event(db, title=f"Gala {n}") for n in range(2)]
    bulk(client, "event", "delete", pks=f"{events[0].id},{events[1].id}")
    change_set = latest_change_set(db)
    listed = client.get("/admin/change-set/list")
    assert listed.status_code == 200 and "bulk_delete" in listed.text
    page = client.get(f"/admin/change-set/details/{change_set.id}")
    assert page.status_code == 200
    assert "Deleted 2 events" in text_of(page.text)
    assert f"/admin/change-set/undo/{change_set.id}" in page.text


def test_audit_entries_link_to_their_change_set(client: TestClient, db: Session) -> None:
    factories.make_event(db)
    bulk(client, "event", "delete", scope="filter")
    change_set = latest_change_set(db)
    listed = client.get("/admin/audit-entry/list")
    assert f'href="/admin/change-set/details/{change_set.id}"' in listed.text
    filtered = client.get("/admin/audit-entry/list", params={"action": "delete"})
    assert filtered.status_code == 200 and "Deleted 1 event" in filtered.text


def _change_sets_of_every_kind(client: TestClient, db: Session) -> dict[str, ChangeSet]:
    """As an admin: an event edit, a user created, a staff account changed and a private
    saved view named like a secret; their change sets by target."""
    event = factories.make_event(db)
    edit_event(client, db, event.id, title="Renamed")
    created = client.post("/admin/user/create", data={"email": "new@example.org"})
    assert created.status_code in (200, 302)
    viewer = factories.make_staff(db, email="viewer-secret@example.org", role=StaffRole.VIEWER)
    changed = client.post(
        f"/admin/staff/edit/{viewer.id}",
        data={"email": viewer.email, "role": "editor", "is_active": "y", "version": "1"},
    )
    assert changed.status_code in (200, 302), changed.text
    saved = client.post(
        "/admin/event/saved-views", data={"name": "Layoffs shortlist", "state": "search=a"}
    )
    assert saved.status_code in (200, 303)
    db.expire_all()
    found = {s.target: s for s in db.scalars(select(ChangeSet).order_by(ChangeSet.id))}
    assert set(found) == {"event", "user", "staff", "saved-view"}, found
    return found


SECRETS = ("viewer-secret@example.org", "Layoffs shortlist", "testclient")


def test_change_set_pages_show_each_role_only_the_rows_it_may_see(
    client: TestClient, client_as: RoleClient, db: Session
) -> None:
    sets = _change_sets_of_every_kind(client, db)
    editor, viewer = client_as(StaffRole.EDITOR), client_as(StaffRole.VIEWER)
    data_targets, staff_targets = ("event", "user"), ("staff", "saved-view")
    # Admins: everything, with the address each change came from.
    for target, change_set in sets.items():
        listed = client.get("/admin/change-set/list", params={"target": target})
        assert f"/admin/change-set/details/{change_set.id}" in listed.text
        details = client.get(f"/admin/change-set/details/{change_set.id}")
        assert details.status_code == 200 and "testclient" in details.text
    # Editors: users and events only; no staff data, no private view names, no addresses.
    for target in data_targets:
        change_set = sets[target]
        listed = editor.get("/admin/change-set/list", params={"target": target})
        assert f"/admin/change-set/details/{change_set.id}" in listed.text
        details = editor.get(f"/admin/change-set/details/{change_set.id}")
        assert details.status_code == 200
        assert "testclient" not in details.text and "shown to admins only" in details.text
        assert "/admin/audit-entry/details/" not in details.text
    for target in staff_targets:
        change_set = sets[target]
        listed = editor.get("/admin/change-set/list", params={"target": target})
        assert f"/admin/change-set/details/{change_set.id}" not in listed.text
        assert editor.get(f"/admin/change-set/details/{change_set.id}").status_code == 404
        assert editor.get(f"/admin/change-set/undo/{change_set.id}").status_code == 404
        assert editor.post(f"/admin/change-set/undo/{change_set.id}").status_code == 404
    everything = editor.get("/admin/change-set/list").text
    assert not [secret for secret in SECRETS[:2] if secret in everything]
    # Viewers: no change set pages at all.
    for change_set in sets.values():
        assert viewer.get(f"/admin/change-set/details/{change_set.id}").status_code == 403
    assert viewer.get("/admin/change-set/list").status_code == 403


def test_audit_summaries_name_no_private_saved_view(client: TestClient, db: Session) -> None:
    client.post("/admin/event/saved-views", data={"name": "Layoffs shortlist", "state": "x=1"})
    client.post(
        "/admin/event/saved-views",
        data={"name": "Team picks", "state": "search=a", "shared": "yes"},
    )
    db.expire_all()
    summaries = db.scalars(
        select(AuditEntry.summary).where(AuditEntry.target == "saved-view").order_by(AuditEntry.id)
    ).all()
    assert len(summaries) == 2
    assert "Layoffs" not in summaries[0] and "(private)" in summaries[0]
    assert "Team picks" in summaries[1]
