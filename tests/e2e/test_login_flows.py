"""Logging in and out, as a staff member does it in the browser."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.support import (
    INDEX_URL,
    LOGIN_URL,
    BrowserProblems,
    Database,
    LiveServer,
    Screenshots,
    list_rows,
    login,
    logout,
    nav_link,
    submit_login,
    unique_token,
)

pytestmark = pytest.mark.e2e


def test_anonymous_visitor_must_log_in_and_a_wrong_password_is_refused(
    page: Page,
    live_server: LiveServer,
    database: Database,
    browser_problems: BrowserProblems,
    shots: Screenshots,
) -> None:
    last_login_before = database.last_login(live_server.staff_email)

    page.goto("/admin/")
    expect(page).to_have_url(LOGIN_URL)
    expect(page.locator("input[name=username]")).to_be_visible()
    expect(page.locator("input[name=password]")).to_be_visible()
    expect(nav_link(page, "Users")).to_have_count(0)
    shots.take(page, "login-page")

    browser_problems.allow_status(400, "/admin/login")  # the form comes back with its error
    submit_login(page, live_server.staff_email, "not the right password")
    expect(page).to_have_url(LOGIN_URL)
    expect(page.get_by_text("Invalid credentials.").first).to_be_visible()
    expect(page.locator("input[name=password]")).to_be_visible()
    expect(nav_link(page, "Users")).to_have_count(0)
    shots.take(page, "wrong-password")
    assert database.last_login(live_server.staff_email) == last_login_before

    # Corrected in the form shown again (which must still carry a valid CSRF token).
    submit_login(page, live_server.staff_email, live_server.staff_password)
    expect(page).to_have_url(INDEX_URL)
    expect(nav_link(page, "Users")).to_be_visible()
    expect(nav_link(page, "Events")).to_be_visible()
    expect(page.get_by_role("button", name="Logout")).to_be_visible()
    expect(page.get_by_text("Invalid credentials.")).to_have_count(0)
    shots.take(page, "admin-index")
    last_login_after = database.last_login(live_server.staff_email)
    assert last_login_after is not None
    assert last_login_before is None or last_login_after > last_login_before


def test_login_from_a_deep_link_returns_to_that_page(
    page: Page, live_server: LiveServer, shots: Screenshots
) -> None:
    wanted = "/admin/event/list?social_status=private"
    page.goto(wanted)
    expect(page).to_have_url(LOGIN_URL)
    shots.take(page, "login-page")

    submit_login(page, live_server.staff_email, live_server.staff_password)
    expect(page).to_have_url(re.compile(re.escape(wanted) + "$"))
    expect(list_rows(page).first).to_be_visible()
    expect(page.locator("tbody [data-status=public]")).to_have_count(0)
    shots.take(page, "back-on-the-page-asked-for")


def test_after_logout_back_button_and_direct_url_require_login(
    page: Page, database: Database, shots: Screenshots
) -> None:
    # Its own account: logging out revokes every session of the account, and other tests'
    # sessions belong to the shared admin.
    email, password = f"{unique_token('leaver')}@example.org", "a password to log out with"
    database.add_staff(email, password)
    login(page, email, password)
    page.goto("/admin/event/list")
    expect(list_rows(page).first).to_be_visible()
    [old_session] = [c for c in page.context.cookies() if c["name"].endswith("_session")]
    version_before = database.staff(email).session_version

    logout(page)
    shots.take(page, "logged-out")
    assert database.staff(email).session_version == version_before + 1

    page.go_back()
    expect(page).to_have_url(LOGIN_URL)
    expect(page.locator("input[name=password]")).to_be_visible()
    expect(list_rows(page)).to_have_count(0)
    shots.take(page, "after-back-button")

    page.goto("/admin/event/list")
    expect(page).to_have_url(LOGIN_URL)
    expect(list_rows(page)).to_have_count(0)

    # Even the cookie from before the logout no longer opens the panel.
    page.context.clear_cookies()
    page.context.add_cookies(
        [
            {
                "name": old_session["name"],
                "value": old_session["value"],
                "domain": old_session["domain"],
                "path": old_session["path"],
            }
        ]
    )
    page.goto("/admin/user/list")
    expect(page).to_have_url(LOGIN_URL)
    expect(list_rows(page)).to_have_count(0)
    shots.take(page, "old-cookie-refused")
