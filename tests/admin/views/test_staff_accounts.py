"""Staff management (admins only) and each staff member's own password page."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from admin_app.models import Staff, StaffRole
from admin_app.staff.passwords import verify_password
from tests import factories
from tests.conftest import ClientFactory

NEW_PASSWORD = "another quite long password"


def _staff(db: Session, email: str) -> Staff:
    db.expire_all()
    return db.scalars(select(Staff).where(Staff.email == email)).one()


def _edit(client: TestClient, staff: Staff, **fields: str) -> int:
    data = {"email": staff.email, "role": staff.role.value, "save": "Save"}
    if staff.is_active:
        data["is_active"] = "y"
    data.update(fields)
    data = {key: value for key, value in data.items() if value != "__drop__"}
    return client.post(f"/admin/staff/edit/{staff.id}", data=data).status_code


def test_admin_creates_staff_with_a_role(client: TestClient, db: Session) -> None:
    response = client.post(
        "/admin/staff/create",
        data={
            "email": "New.Editor@example.org",
            "role": "editor",
            "is_active": "y",
            "password": NEW_PASSWORD,
            "save": "Save",
        },
    )
    assert response.status_code == 200
    staff = _staff(db, "new.editor@example.org")
    assert staff.role is StaffRole.EDITOR and staff.is_active
    assert verify_password(staff.password_hash, NEW_PASSWORD)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        pytest.param("", "Set a password", id="missing"),
        pytest.param("short", "at least 12", id="short"),
        pytest.param("password1234", "too common", id="common"),
    ],
)
def test_creating_staff_needs_a_good_password(
    client: TestClient, db: Session, password: str, message: str
) -> None:
    data = {"email": "x@example.org", "role": "viewer", "password": password, "save": "Save"}
    response = client.post("/admin/staff/create", data=data)
    assert response.status_code == 400
    assert message in response.text
    assert db.scalars(select(Staff).where(Staff.email == "x@example.org")).first() is None


def _password_field(page: str) -> str:
    field = r'<div class="mb-3 row">(?:(?!mb-3 row).)*type="password".*?</div>'
    match = re.search(field + r"\s*</div>", page, re.S)
    assert match, "no password field"
    return match.group(0)


def test_a_new_accounts_form_asks_for_its_password(client: TestClient) -> None:
    field = _password_field(client.get("/admin/staff/create").text)
    assert ">Password</label>" in field and 'name="password"' in field
    assert "keep the current password" not in field
    assert 'class="form-control"' in field and 'autocomplete="new-password"' in field


def test_an_accounts_edit_form_offers_a_new_password_kept_when_empty(
    client: TestClient, admin_staff: Staff
) -> None:
    field = _password_field(client.get(f"/admin/staff/edit/{admin_staff.id}").text)
    assert ">New password</label>" in field and 'name="new_password"' in field
    assert "leave empty to keep the current password" in field
    assert 'class="form-control"' in field


def test_staff_pages_never_show_password_hashes(client: TestClient, admin_staff: Staff) -> None:
    for path in (
        "/admin/staff/list",
        f"/admin/staff/details/{admin_staff.id}",
        f"/admin/staff/edit/{admin_staff.id}",
    ):
        page = client.get(path).text
        assert "argon2" not in page and "password_hash" not in page.lower()


def test_reset_password_and_deactivate_revoke_sessions(
    client: TestClient, anonymous_factory: ClientFactory, db: Session
) -> None:
    editor = factories.make_staff(db, role=StaffRole.EDITOR)
    editor_client = anonymous_factory()
    factories.login(editor_client, editor.email)
    assert _edit(client, editor, new_password=NEW_PASSWORD) == 200
    assert editor_client.get("/admin/event/list", follow_redirects=False).status_code == 302
    factories.login(editor_client, editor.email, NEW_PASSWORD)
    assert _edit(client, _staff(db, editor.email), is_active="__drop__") == 200
    assert editor_client.get("/admin/event/list", follow_redirects=False).status_code == 302
    assert factories.post_login(editor_client, editor.email, NEW_PASSWORD).status_code == 400


def test_role_change_revokes_sessions(
    client: TestClient, anonymous_factory: ClientFactory, db: Session
) -> None:
    viewer = factories.make_staff(db, role=StaffRole.VIEWER)
    viewer_client = anonymous_factory()
    factories.login(viewer_client, viewer.email)
    assert _edit(client, viewer, role="editor") == 200
    assert viewer_client.get("/admin/event/list", follow_redirects=False).status_code == 302


def test_the_last_active_admin_cannot_be_demoted_or_deactivated(
    client: TestClient, db: Session, admin_staff: Staff
) -> None:
    assert _edit(client, admin_staff, role="editor") == 400
    assert _edit(client, admin_staff, is_active="__drop__") == 400
    staff = _staff(db, admin_staff.email)
    assert staff.role is StaffRole.ADMIN and staff.is_active


def test_the_last_active_admin_cannot_be_deleted(
    client: TestClient, db: Session, admin_staff: Staff
) -> None:
    response = client.delete("/admin/staff/delete", params={"pks": str(admin_staff.id)})
    assert "last active admin" in client.get(response.text).text
    assert _staff(db, admin_staff.email).is_active


def test_an_admin_can_be_demoted_when_another_remains(
    client: TestClient, db: Session, admin_staff: Staff
) -> None:
    second = factories.make_staff(db, role=StaffRole.ADMIN)
    assert _edit(client, second, role="viewer") == 200
    assert _staff(db, second.email).role is StaffRole.VIEWER


def _change_own_password(
    client: TestClient, current: str, new: str, confirm: str | None = None
) -> int:
    data = {"current_password": current, "new_password": new, "confirm_password": confirm or new}
    return client.post("/admin/account/password", data=data, follow_redirects=False).status_code


def test_staff_change_their_own_password_with_the_current_one(
    client: TestClient, anonymous_factory: ClientFactory, db: Session, admin_staff: Staff
) -> None:
    other_browser = anonymous_factory()
    factories.login(other_browser, admin_staff.email)
    assert _change_own_password(client, "wrong current password", NEW_PASSWORD) == 400
    assert _change_own_password(client, factories.STAFF_PASSWORD, "short") == 400
    assert (
        _change_own_password(client, factories.STAFF_PASSWORD, NEW_PASSWORD, "different one!!")
        == 400
    )
    assert _change_own_password(client, factories.STAFF_PASSWORD, NEW_PASSWORD) == 302
    assert verify_password(_staff(db, admin_staff.email).password_hash, NEW_PASSWORD)
    assert client.get("/admin/", follow_redirects=False).status_code == 200
    assert other_browser.get("/admin/", follow_redirects=False).status_code == 302


def test_viewers_may_change_their_own_password(anonymous: TestClient, db: Session) -> None:
    viewer = factories.make_staff(db, role=StaffRole.VIEWER)
    factories.login(anonymous, viewer.email)
    anonymous.headers["X-CSRF-Token"] = factories.csrf_token(anonymous, "/admin/")
    assert anonymous.get("/admin/account/password").status_code == 200
    assert _change_own_password(anonymous, factories.STAFF_PASSWORD, NEW_PASSWORD) == 302
