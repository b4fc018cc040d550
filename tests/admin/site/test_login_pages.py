"""The login pages (admin/site/login_pages.py): one message for every wrong login, only their own
notices, and back to the page first asked for."""

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from admin_app.models import Staff
from tests import factories
from tests.conftest import ClockMover


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
