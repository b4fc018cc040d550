"""The list page rendered without Jinja's async runtime (admin/changelist/page.py):
what each role may do still decides what it shows, rows carry their values and links, and the
page leaves its templates' indentation behind."""

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from admin_app.models import StaffRole
from tests import factories
from tests.conftest import RoleClient


def test_each_role_sees_the_tools_it_may_use(client_as: RoleClient, db: Session) -> None:
    factories.make_event(db, title="Harbour walk")
    shown = {
        role: client_as(role).get("/admin/event/list").text
        for role in (StaffRole.ADMIN, StaffRole.EDITOR, StaffRole.VIEWER)
    }
    for role, page in shown.items():
        assert "Harbour walk" in page, role
        assert 'id="export-links"' in page, role  # every role may export
    for role in (StaffRole.ADMIN, StaffRole.EDITOR):
        assert "/admin/event/create" in shown[role]
        assert 'id="action-delete"' in shown[role]
        assert "data-cell-url=" in shown[role]  # cells editable in place
        assert 'title="Edit"' in shown[role]
    viewer = shown[StaffRole.VIEWER]
    assert "/admin/event/create" not in viewer and 'id="action-delete"' not in viewer
    assert "data-cell-url=" not in viewer and 'title="Edit"' not in viewer
    assert 'title="View"' in viewer


def test_the_organizer_filter_names_the_chosen_user(client: TestClient, db: Session) -> None:
    organizer = factories.make_user(db, email="noor@example.org")
    factories.make_event(db, organizer=organizer)
    page = client.get(f"/admin/event/list?organizer={organizer.id}").text
    assert re.search(r'name="organizer"[^>]*value="noor@example\.org"', page)
    page = client.get("/admin/event/list?social_status=private").text
    # The chosen value is shown as chosen: its box ticked in the filter bar.
    assert re.search(r'name="social_status" value="private" checked', page)
    assert not re.search(r'name="social_status" value="public" checked', page)
