"""Staff login, logout and session lifetime through HTTP."""

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from admin_app.models import Staff
from tests import factories
from tests.conftest import ClockMover


def _logout(client: TestClient) -> None:
    token = factories.csrf_token(client, "/admin/")
    response = client.post("/admin/logout", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 302


def test_admin_pages_redirect_anonymous_visitors_to_login(anonymous: TestClient) -> None:
    for path in ("/admin/", "/admin/user/list", "/admin/event/create", "/admin/event/details/1"):
        response = anonymous.get(path, follow_redirects=False)
        assert response.status_code == 302, path
        assert response.headers["location"].startswith("http://testserver/admin/login")


def test_root_redirects_to_admin(anonymous: TestClient) -> None:
    response = anonymous.get("/", follow_redirects=False)
    assert response.status_code in (302, 307)
    assert response.headers["location"] == "/admin/"


def test_deactivating_staff_ends_their_open_session(
    client: TestClient, db: Session, admin_staff: Staff
) -> None:
    assert client.get("/admin/user/list", follow_redirects=False).status_code == 200
    admin_staff.is_active = False
    db.commit()
    response = client.get("/admin/user/list", follow_redirects=False)
    assert response.status_code == 302
    assert "/admin/login" in response.headers["location"]


def test_logout_is_post_only(client: TestClient) -> None:
    assert client.get("/admin/logout", follow_redirects=False).status_code == 405
    assert client.get("/admin/user/list", follow_redirects=False).status_code == 200


def test_logout_ends_the_session_and_revokes_copied_cookies(client: TestClient) -> None:
    stolen_cookies = dict(client.cookies)
    _logout(client)
    assert client.get("/admin/user/list", follow_redirects=False).status_code == 302
    client.cookies.clear()
    for name, value in stolen_cookies.items():
        client.cookies.set(name, value)
    assert client.get("/admin/user/list", follow_redirects=False).status_code == 302


def test_session_cookie_is_http_only_and_same_site_lax(
    anonymous: TestClient, admin_staff: Staff
) -> None:
    response = factories.post_login(anonymous, admin_staff.email)
    cookie = response.headers["set-cookie"].lower()
    assert cookie.startswith("events_admin_session=")
    assert "httponly" in cookie and "samesite=lax" in cookie


def test_login_rotates_the_session(anonymous: TestClient, admin_staff: Staff) -> None:
    before = factories.csrf_token(anonymous)
    factories.login(anonymous, admin_staff.email)
    assert factories.csrf_token(anonymous, "/admin/") != before


def test_a_forged_cookie_is_not_a_session(anonymous: TestClient, admin_staff: Staff) -> None:
    anonymous.cookies.set("events_admin_session", "eyJzdGFmZl9pZCI6IDF9.forged.signature")
    assert anonymous.get("/admin/", follow_redirects=False).status_code == 302


def test_an_idle_session_expires_after_30_minutes(
    client: TestClient, move_clock: ClockMover
) -> None:
    move_clock(timedelta(minutes=29))
    assert client.get("/admin/user/list", follow_redirects=False).status_code == 200
    move_clock(timedelta(minutes=29 + 31))
    assert client.get("/admin/user/list", follow_redirects=False).status_code == 302


def test_an_active_session_still_ends_after_8_hours(
    client: TestClient, move_clock: ClockMover
) -> None:
    for minutes in range(20, 8 * 60, 20):  # a request every 20 minutes keeps it from idling
        move_clock(timedelta(minutes=minutes))
        assert client.get("/admin/", follow_redirects=False).status_code == 200, minutes
    move_clock(timedelta(hours=8, minutes=1))
    assert client.get("/admin/", follow_redirects=False).status_code == 302


def test_a_list_never_shows_text_from_its_url(client: TestClient) -> None:
    lure = "Nothing was deleted: call +1 555 0100"
    response = client.get("/admin/event/list", params={"error": lure, "search": "x"})
    assert lure not in response.text
    assert str(response.url).endswith("/admin/event/list?search=x")
