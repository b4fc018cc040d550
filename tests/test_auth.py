"""Staff login, logout and session checks through HTTP."""

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from admin_app.models import Staff
from tests import factories


def test_admin_pages_redirect_anonymous_visitors_to_login(anonymous: TestClient) -> None:
    for path in ("/admin/", "/admin/user/list", "/admin/event/create", "/admin/event/details/1"):
        response = anonymous.get(path, follow_redirects=False)
        assert response.status_code == 302, path
        assert response.headers["location"].endswith("/admin/login")


def test_root_redirects_to_admin(anonymous: TestClient) -> None:
    response = anonymous.get("/", follow_redirects=False)
    assert response.status_code in (302, 307)
    assert response.headers["location"] == "/admin/"


def test_login_with_right_password_lands_on_index(
    anonymous: TestClient, admin_staff: Staff
) -> None:
    response = anonymous.post(
        "/admin/login",
        data={"username": admin_staff.email, "password": factories.STAFF_PASSWORD},
    )
    assert response.status_code == 200
    assert str(response.url).endswith("/admin/")
    assert "Users" in response.text and "Events" in response.text


def test_login_email_is_case_and_space_insensitive(
    anonymous: TestClient, admin_staff: Staff
) -> None:
    factories.login(anonymous, f"  {admin_staff.email.upper()} ")
    assert anonymous.get("/admin/user/list", follow_redirects=False).status_code == 200


def test_wrong_password_and_unknown_email_get_the_same_message(
    anonymous: TestClient, admin_staff: Staff
) -> None:
    wrong_password = anonymous.post(
        "/admin/login", data={"username": admin_staff.email, "password": "not the password!"}
    )
    unknown_email = anonymous.post(
        "/admin/login", data={"username": "nobody@example.org", "password": "not the password!"}
    )
    assert wrong_password.status_code == unknown_email.status_code == 400
    assert "Invalid credentials." in wrong_password.text
    assert "Invalid credentials." in unknown_email.text
    assert anonymous.get("/admin/", follow_redirects=False).status_code == 302


def test_inactive_staff_cannot_log_in(
    anonymous: TestClient, db: Session, admin_staff: Staff
) -> None:
    admin_staff.is_active = False
    db.commit()
    response = anonymous.post(
        "/admin/login",
        data={"username": admin_staff.email, "password": factories.STAFF_PASSWORD},
    )
    assert response.status_code == 400
    assert "Invalid credentials." in response.text


def test_deactivating_staff_ends_their_open_session(
    client: TestClient, db: Session, admin_staff: Staff
) -> None:
    assert client.get("/admin/user/list", follow_redirects=False).status_code == 200
    admin_staff.is_active = False
    db.commit()
    response = client.get("/admin/user/list", follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["location"].endswith("/admin/login")


def test_logout_ends_the_session_and_revokes_copied_cookies(client: TestClient) -> None:
    stolen_cookies = dict(client.cookies)
    response = client.get("/admin/logout", follow_redirects=False)
    assert response.status_code == 302
    assert client.get("/admin/user/list", follow_redirects=False).status_code == 302
    client.cookies.clear()
    for name, value in stolen_cookies.items():
        client.cookies.set(name, value)
    assert client.get("/admin/user/list", follow_redirects=False).status_code == 302


def test_session_cookie_is_http_only_and_same_site_lax(
    anonymous: TestClient, admin_staff: Staff
) -> None:
    response = anonymous.post(
        "/admin/login",
        data={"username": admin_staff.email, "password": factories.STAFF_PASSWORD},
        follow_redirects=False,
    )
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie


def test_a_forged_cookie_is_not_a_session(anonymous: TestClient, admin_staff: Staff) -> None:
    anonymous.cookies.set("events_admin_session", "eyJzdGFmZl9pZCI6IDF9.forged.signature")
    assert anonymous.get("/admin/", follow_redirects=False).status_code == 302


def test_viewer_can_read_but_not_change(anonymous: TestClient, db: Session) -> None:
    from admin_app.models import StaffRole

    viewer = factories.make_staff(db, role=StaffRole.VIEWER)
    factories.login(anonymous, viewer.email)
    assert anonymous.get("/admin/event/list").status_code == 200
    assert anonymous.get("/admin/event/create").status_code == 403
    user = factories.make_user(db)
    response = anonymous.delete(f"/admin/user/delete?pks={user.id}")
    assert response.status_code == 403
    assert db.get(type(user), user.id) is not None
