"""WCAG 2.2 AA on every page type, checked by axe-core in Chromium (0 violations, no rule off).

axe-core comes with the `axe-playwright-python` package (installed by the project's dev extras,
never fetched at run time) and runs in the page after it has loaded, scripts and all.
"""

from collections.abc import Callable
from datetime import date

import pyotp
import pytest
from playwright.sync_api import Page

from admin_app.models import SocialStatus
from admin_app.web.serving.outage import unavailable_page
from tests.e2e.support import (
    STAFF_PASSWORD,
    BrowserProblems,
    Database,
    LiveServer,
    submit_login,
    unique_token,
    violations,
)

pytestmark = pytest.mark.e2e


def _rows(database: Database) -> dict[str, int]:
    token = unique_token("a11y")
    organizer = database.add_user(f"{token}@example.org")
    lonely = database.add_user(f"{token}-lonely@example.org")
    [event] = database.add_events(organizer, [(token, date(2026, 5, 1), SocialStatus.PRIVATE)])
    staff = database.add_staff(f"{token}-staff@example.org", STAFF_PASSWORD)
    audit = database.add_audit_entry(f"Checked {token}")
    change_set = database.rename_event(event.id, f"{token} renamed")
    ids = {"user": organizer.id, "lonely": lonely.id, "event": event.id}
    return ids | {"staff": staff.id, "audit": audit, "change_set": change_set}


# Each page type the panel serves, by the path that shows it (after the admin logged in).
PAGES: dict[str, Callable[[dict[str, int]], str]] = {
    "dashboard": lambda ids: "/admin/",
    "events list": lambda ids: "/admin/event/list",
    "events list, filtered": lambda ids: "/admin/event/list?social_status=private&search=a",
    "events list, empty": lambda ids: "/admin/event/list?search=nothing-matches-this",
    "events list, page 2": lambda ids: "/admin/event/list?page=2",
    "users list": lambda ids: "/admin/user/list",
    "event details": lambda ids: f"/admin/event/details/{ids['event']}",
    "user details": lambda ids: f"/admin/user/details/{ids['user']}",
    "event form": lambda ids: f"/admin/event/edit/{ids['event']}",
    "new event form": lambda ids: "/admin/event/create",
    "user form": lambda ids: f"/admin/user/edit/{ids['user']}",
    "bulk delete confirmation": lambda ids: f"/admin/user/bulk/delete?pks={ids['user']}",
    "bulk status confirmation": lambda ids: f"/admin/event/bulk/set-status?pks={ids['event']}",
    "batch edit confirmation": lambda ids: "/admin/event/bulk/batch-edit?scope=filter&except=1",
    "events list, all matching selected": lambda ids: "/admin/event/list?scope=filter&except=1",
    "audit log": lambda ids: "/admin/audit-entry/list",
    "staff list": lambda ids: "/admin/staff/list",
    "staff form": lambda ids: "/admin/staff/create",
    "staff details": lambda ids: f"/admin/staff/details/{ids['staff']}",
    "new user form": lambda ids: "/admin/user/create",
    "audit entry": lambda ids: f"/admin/audit-entry/details/{ids['audit']}",
    "own password": lambda ids: "/admin/account/password",
    "two-factor settings": lambda ids: "/admin/account/mfa",
    "recently deleted": lambda ids: "/admin/recently-deleted",
    "change sets": lambda ids: "/admin/change-set/list",
    "change set": lambda ids: f"/admin/change-set/details/{ids['change_set']}",
    "undo page": lambda ids: f"/admin/change-set/undo/{ids['change_set']}",
    "event history, compared": lambda ids: f"/admin/event/history/{ids['event']}?a=1&b=2",
    "imports": lambda ids: "/admin/imports",
    "import upload": lambda ids: "/admin/imports/new/event",
}
# Pages that answer with an error status on purpose.
ERROR_PAGES: dict[str, tuple[int, str]] = {
    "list with a bad filter": (400, "/admin/event/list?date_from=not-a-date"),
    "not found": (404, "/admin/event/details/999999999"),
}


@pytest.mark.parametrize("name", list(PAGES))
def test_every_page_type_has_no_wcag_violation(
    admin_page: Page, database: Database, name: str
) -> None:
    admin_page.goto(PAGES[name](_rows(database)))
    assert violations(admin_page) == []


@pytest.mark.parametrize("name", list(ERROR_PAGES))
def test_error_pages_have_no_wcag_violation(
    admin_page: Page, browser_problems: BrowserProblems, name: str
) -> None:
    status, path = ERROR_PAGES[name]
    browser_problems.allow_status(status, path.split("?")[0])
    assert admin_page.goto(path).status == status  # type: ignore[union-attr]
    assert violations(admin_page) == []


# Each form, and the field that gets a value the browser lets through but the server refuses.
FORMS_WITH_ERRORS = {
    "event": ("#title", "   "),
    "user": ("#email", "not an address"),
    "staff": ("#email", "not an address"),
}


@pytest.mark.parametrize("identity", list(FORMS_WITH_ERRORS))
def test_each_form_with_errors_has_no_wcag_violation(
    admin_page: Page, browser_problems: BrowserProblems, identity: str
) -> None:
    field, value = FORMS_WITH_ERRORS[identity]
    browser_problems.allow_status(400, f"/admin/{identity}/create")
    admin_page.goto(f"/admin/{identity}/create")
    admin_page.locator(field).fill(value)
    admin_page.get_by_role("button", name="Save", exact=True).click()
    admin_page.wait_for_load_state()
    assert admin_page.locator(".invalid-feedback").count() > 0
    assert violations(admin_page) == []


def test_the_login_pages_have_no_wcag_violation(
    page: Page, database: Database, browser_problems: BrowserProblems
) -> None:
    page.goto("/admin/login")
    assert violations(page) == []
    browser_problems.allow_status(400, "/admin/login")
    submit_login(page, "nobody@example.org", "not the password")
    assert page.locator("#login-error").is_visible()
    assert violations(page) == []
    secret = pyotp.random_base32()
    email = f"{unique_token('mfa')}@example.org"
    database.add_staff(email, STAFF_PASSWORD, mfa_secret=secret)
    page.goto("/admin/login")
    submit_login(page, email, STAFF_PASSWORD)
    page.wait_for_url("**/admin/login/mfa**")
    assert violations(page) == []


def test_the_outage_page_has_no_wcag_violation(page: Page, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/health")  # a page of the panel's origin, then the 503 page
    page.set_content(bytes(unavailable_page().body).decode())
    assert violations(page) == []
