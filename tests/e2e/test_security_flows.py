"""What the browser itself enforces: cookie flags, security headers, no inline scripts running."""

import pytest
from playwright.sync_api import Page

from tests.e2e.support import BrowserProblems, LiveServer

pytestmark = pytest.mark.e2e


def test_session_cookie_is_http_only_and_same_site_lax(admin_page: Page) -> None:
    [cookie] = [c for c in admin_page.context.cookies() if "session" in c["name"]]
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Lax"
    assert admin_page.evaluate("document.cookie").find(cookie["name"]) == -1  # not readable by JS


def test_pages_carry_the_security_headers(admin_page: Page) -> None:
    response = admin_page.goto("/admin/event/list")
    assert response is not None
    headers = response.headers
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]


def test_the_panel_cannot_be_framed(
    page: Page, live_server: LiveServer, browser_problems: BrowserProblems
) -> None:
    with page.expect_event("requestfailed") as failed:
        page.set_content(f'<iframe id="f" src="{live_server.url}/admin/login"></iframe>')
    assert failed.value.failure == "net::ERR_BLOCKED_BY_RESPONSE"  # X-Frame-Options / CSP
    assert page.frame_locator("#f").locator("#login-email").count() == 0
    # The blocked frame is this test's expected outcome, not a problem of the page.
    page.wait_for_timeout(200)  # Chromium logs the CSP refusal to the console just after
    expected = ("ERR_BLOCKED_BY_RESPONSE", "frame-ancestors 'none'")
    browser_problems.problems = [
        problem for problem in browser_problems.problems if not any(e in problem for e in expected)
    ]
