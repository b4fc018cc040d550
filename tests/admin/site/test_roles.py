"""Roles: what admin, editor and viewer may see and do, refused (403) when asked directly."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from admin_app.models import Event, StaffRole, User
from tests import factories
from tests.conftest import RoleClient

# (view, action) -> roles allowed.  Actions are requests a staff member can make.
MATRIX: dict[tuple[str, str], set[StaffRole]] = {}
for view in ("user", "event"):
    MATRIX[(view, "list")] = set(StaffRole)
    MATRIX[(view, "details")] = set(StaffRole)
    MATRIX[(view, "export")] = set(StaffRole)
    MATRIX[(view, "create")] = {StaffRole.ADMIN, StaffRole.EDITOR}
    MATRIX[(view, "edit")] = {StaffRole.ADMIN, StaffRole.EDITOR}
    MATRIX[(view, "delete")] = {StaffRole.ADMIN, StaffRole.EDITOR}
for action in ("list", "details", "create", "edit", "delete"):
    MATRIX[("staff", action)] = {StaffRole.ADMIN}


def _request(client: TestClient, view: str, action: str, pk: int) -> int:
    if action == "list":
        return client.get(f"/admin/{view}/list").status_code
    if action == "details":
        return client.get(f"/admin/{view}/details/{pk}").status_code
    if action == "export":
        return client.get(f"/admin/{view}/export/csv").status_code
    if action == "create":
        return client.get(f"/admin/{view}/create").status_code
    if action == "edit":
        return client.get(f"/admin/{view}/edit/{pk}").status_code
    response = client.delete(f"/admin/{view}/delete", params={"pks": str(pk)})
    return response.status_code


def _logged_in(anonymous: TestClient, db: Session, role: StaffRole) -> TestClient:
    staff = factories.make_staff(db, role=role)
    factories.login(anonymous, staff.email)
    anonymous.headers["X-CSRF-Token"] = factories.csrf_token(anonymous, "/admin/")
    return anonymous


@pytest.mark.parametrize("role", list(StaffRole), ids=str)
@pytest.mark.parametrize(("view", "action"), list(MATRIX), ids=lambda v: str(v))
def test_role_matrix(
    anonymous: TestClient, db: Session, role: StaffRole, view: str, action: str
) -> None:
    admin = factories.make_staff(db, role=StaffRole.ADMIN)  # keeps a last admin in place
    client = _logged_in(anonymous, db, role)
    event = factories.make_event(db)
    pk = {"user": factories.make_user(db).id, "event": event.id, "staff": admin.id}[view]
    status = _request(client, view, action, pk)
    if role in MATRIX[(view, action)]:
        assert status == 200, (role, view, action, status)
    else:
        assert status == 403, (role, view, action, status)


@pytest.mark.parametrize("role", [StaffRole.VIEWER], ids=str)
def test_viewer_sees_no_change_buttons_and_changes_nothing(
    anonymous: TestClient, db: Session, role: StaffRole
) -> None:
    client = _logged_in(anonymous, db, role)
    event = factories.make_event(db)
    page = client.get("/admin/event/list").text
    assert "/admin/event/create" not in page and 'id="action-delete"' not in page
    details = client.get(f"/admin/event/details/{event.id}").text
    assert f"/admin/event/edit/{event.id}" not in details
    assert client.post("/admin/event/create", data={"title": "x"}).status_code == 403
    assert client.post(f"/admin/event/edit/{event.id}", data={"title": "x"}).status_code == 403
    assert db.scalar(select(func.count(Event.id))) == 1


@pytest.mark.parametrize("role", [StaffRole.EDITOR, StaffRole.VIEWER], ids=str)
def test_staff_menu_is_hidden_from_non_admins(
    anonymous: TestClient, db: Session, role: StaffRole
) -> None:
    client = _logged_in(anonymous, db, role)
    assert "/admin/staff/list" not in client.get("/admin/").text
    assert db.scalar(select(func.count(User.id))) == 0


def test_a_refusal_is_a_page_of_the_panel_that_says_what_the_role_may_do(
    client_as: RoleClient,
) -> None:
    # Issue 27, item 7: a bare "403 Forbidden" with no sidebar or way back.
    viewer = client_as(StaffRole.VIEWER)
    refused = viewer.get("/admin/change-set/list")
    assert refused.status_code == 403
    assert 'id="navbar-menu"' in refused.text and 'id="refusal-home"' in refused.text
    assert "As a viewer you can read users and events" in refused.text
    missing = viewer.get("/admin/event/details/999999")
    assert missing.status_code == 404 and 'id="navbar-menu"' in missing.text


def test_an_address_that_does_not_exist_is_a_page_of_the_panel_when_logged_in(
    client_as: RoleClient, anonymous: TestClient
) -> None:
    for path in ("/admin/no-such-page", "/admin/event/nothing/here"):
        missing = client_as(StaffRole.VIEWER).get(path)
        assert missing.status_code == 404
        assert 'id="navbar-menu"' in missing.text and 'id="refusal-home"' in missing.text
        # Without a login: the bare page, nothing of the panel.
        bare = anonymous.get(path)
        assert bare.status_code == 404 and 'id="navbar-menu"' not in bare.text


def test_viewers_get_no_row_boxes_and_no_actions_menu(client_as: RoleClient, db: Session) -> None:
    factories.make_event(db)
    viewer_page = client_as(StaffRole.VIEWER).get("/admin/event/list").text
    assert "select-box" not in viewer_page and 'id="dropdownMenuButton"' not in viewer_page
    editor_page = client_as(StaffRole.EDITOR).get("/admin/event/list").text
    assert "select-box" in editor_page and 'id="dropdownMenuButton"' in editor_page
