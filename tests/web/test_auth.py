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


def test_login_returns_to_the_page_first_asked_for(
    anonymous: TestClient, admin_staff: Staff
) -> None:
    response = anonymous.get("/admin/event/list?social_status=private", follow_redirects=False)
    login_page = anonymous.get(response.headers["location"])
    assert 'name="next" value="/admin/event/list?social_status=private"' in login_page.text
    data = {
        "username": admin_staff.email,
        "password": factories.STAFF_PASSWORD,
        "next": "/admin/event/list?social_status=private",
        "csrf_token": factories.csrf_token(anonymous),
    }
    done = anonymous.post("/admin/login", data=data, follow_redirects=False)
    assert done.headers["location"] == "/admin/event/list?social_status=private"


def test_root_redirects_to_admin(anonymous: TestClient) -> None:
    response = anonymous.get("/", follow_redirects=False)
    assert response.status_code in (302, 307)
    assert response.headers["location"] == "/admin/"


def test_login_with_right_password_lands_on_index(
    anonymous: TestClient, admin_staff: Staff
) -> None:
    response = factories.post_login(anonymous, admin_staff.email)
    assert response.status_code == 302
    assert response.headers["location"] == "http://testserver/admin/"
    index = anonymous.get("/admin/")
    assert "Users" in index.text and "Events" in index.text


def test_login_email_is_case_and_space_insensitive(
    anonymous: TestClient, admin_staff: Staff
) -> None:
    factories.login(anonymous, f"  {admin_staff.email.upper()} ")
    assert anonymous.get("/admin/user/list", follow_redirects=False).status_code == 200


def test_wrong_password_and_unknown_email_get_the_same_message(
    anonymous: TestClient, admin_staff: Staff
) -> None:
    wrong_password = factories.post_login(anonymous, admin_staff.email, "not the password!")
    unknown_email = factories.post_login(anonymous, "nobody@example.org", "not the password!")
    assert wrong_password.status_code == unknown_email.status_code == 400
    assert "Invalid credentials." in wrong_password.text
    assert "Invalid credentials." in unknown_email.text
    assert anonymous.get("/admin/", follow_redirects=False).status_code == 302


def test_inactive_staff_cannot_log_in(
    anonymous: TestClient, db: Session, admin_staff: Staff
) -> None:
    admin_staff.is_active = False
    db.commit()
    response = factories.post_login(anonymous, admin_staff.email)
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


def test_the_login_page_shows_only_its_own_notices(anonymous: TestClient) -> None:
    lure = "Your account is locked. Call +1 555 0100 to unlock it."
    for name in ("error", "notice", "message"):
        assert lure not in anonymous.get("/admin/login", params={name: lure}).text
    expired = anonymous.get("/admin/login", params={"notice": "expired"}).text
    assert "Your session ended. Log in again to continue." in expired


def test_an_expired_session_says_so_on_the_login_page(
    client: TestClient, move_clock: ClockMover
) -> None:
    move_clock(timedelta(minutes=31))
    response = client.get("/admin/event/list")
    assert "/admin/login" in str(response.url) and "notice=expired" in str(response.url)
    assert "Your session ended. Log in again to continue." in response.text


def test_logging_out_says_so(client: TestClient) -> None:
    response = client.post("/admin/logout")
    assert str(response.url).endswith("/admin/login?notice=logged-out")
    assert "You are logged out." in response.text


def test_a_list_never_shows_text_from_its_url(client: TestClient) -> None:
    lure = "Nothing was deleted: call +1 555 0100"
    response = client.get("/admin/event/list", params={"error": lure, "search": "x"})
    assert lure not in response.text
    assert str(response.url).endswith("/admin/event/list?search=x")
