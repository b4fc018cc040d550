"""The core flows with the keyboard only: every step is a Tab to a control and Enter or Space,
and each control reached shows where the focus is (2.4.7), inside the window (2.4.11)."""

import re
from datetime import date

import pytest
from playwright.sync_api import Locator, Page, expect

from admin_app.models import SocialStatus
from tests.e2e.support import (
    BrowserProblems,
    Database,
    list_rows,
    row_with,
    unique_token,
)

pytestmark = pytest.mark.e2e

# Tabs allowed to reach one control (a list page of 25 rows has about 130 stops).
MAX_TABS = 300


def focus_shown(page: Page, control: Locator) -> None:
    """The focused control has a visible ring (outline or box shadow) and is in the window."""
    ring = control.evaluate(
        "el => { const s = getComputedStyle(el);"
        " return {outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0,"
        " shadow: s.boxShadow !== 'none'}; }"
    )
    assert ring["outline"] or ring["shadow"], f"no visible focus on {control}"
    box = control.bounding_box()
    viewport = page.viewport_size
    assert box is not None and viewport is not None
    assert box["y"] + box["height"] > 0 and box["y"] < viewport["height"], "focus out of view"


def tab_to(page: Page, control: Locator, *, backwards: bool = False) -> None:
    for _ in range(MAX_TABS):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        if control.evaluate("el => el === document.activeElement"):
            focus_shown(page, control)
            return
    raise AssertionError(f"{control} was not reached with the keyboard")


def press_on(page: Page, control: Locator, key: str = "Enter", **where: bool) -> None:
    tab_to(page, control, **where)
    page.keyboard.press(key)


def test_the_core_flows_with_the_keyboard_only(page: Page, database: Database) -> None:
    token = unique_token("keys")
    # An admin of its own: the flow ends by logging out, which ends every session of the account.
    email, password = f"{token}-admin@example.org", "a keyboard admin password"
    database.add_staff(email, password)
    organizer = database.add_user(f"{token}@example.org")
    events = database.add_events(
        organizer,
        [(f"{token} {n}", date(2026, 3, n), SocialStatus.PRIVATE) for n in range(1, 5)],
    )

    # Log in, and skip the sidebar to the content.
    page.goto("/admin/login")
    tab_to(page, page.locator("#login-email"))
    page.keyboard.type(email)
    tab_to(page, page.locator("#login-password"))
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/admin/$"))
    press_on(page, page.locator(".skip-link"))
    expect(page.locator("#main-content")).to_be_focused()

    # Events, searched and filtered.
    press_on(page, page.get_by_role("link", name="Events", exact=True), backwards=True)
    expect(page).to_have_url(re.compile(r"/admin/event/list"))
    tab_to(page, page.locator("#search-input"))
    page.keyboard.type(token)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"search="))
    bar = page.locator("#filter-bar")
    press_on(page, bar.get_by_label("Private", exact=True), key="Space")
    expect(bar.get_by_label("Private", exact=True)).to_be_checked()
    press_on(page, bar.get_by_role("button", name="Apply filters"))
    expect(page).to_have_url(re.compile(r"social_status=private"))
    expect(list_rows(page)).to_have_count(4)

    # Open an event, edit it, save.
    first = events[0]
    press_on(page, row_with(page, first.title).get_by_role("link", name="View"))
    expect(page).to_have_url(re.compile(rf"/admin/event/details/{first.id}$"))
    press_on(page, page.get_by_role("link", name="Edit"))
    tab_to(page, page.locator("#title"))
    page.keyboard.press("Control+A")
    page.keyboard.type(f"{token} renamed")
    press_on(page, page.get_by_role("button", name="Save", exact=True))
    expect(page).to_have_url(re.compile(r"/admin/event/list"))
    saved = database.event(first.id)
    assert saved is not None and saved.title == f"{token} renamed"

    # Tick three rows, delete them through the confirmation page.
    page.goto(f"/admin/event/list?search={token}")
    doomed = events[1:]
    for event in doomed:
        press_on(page, row_with(page, event.title).locator(".select-box"), key="Space")
        expect(row_with(page, event.title).locator(".select-box")).to_be_checked()
    press_on(page, page.get_by_role("button", name="Actions"))
    press_on(page, page.locator("#action-custom-review-delete"))
    expect(page).to_have_url(re.compile(r"/admin/event/bulk/delete"))
    expect(page.locator("#bulk-confirm")).to_contain_text("Delete 3 events?")
    press_on(page, page.locator("#bulk-confirm-button"))
    expect(page).to_have_url(re.compile(r"/admin/event/list"))
    assert database.existing_event_ids(doomed) == set()
    assert database.existing_event_ids([first]) == {first.id}

    # Log out.
    press_on(page, page.get_by_role("button", name="Logout"), backwards=True)
    expect(page).to_have_url(re.compile(r"/admin/login\?notice=logged-out"))


def test_form_errors_are_announced_with_their_fields(
    admin_page: Page, browser_problems: BrowserProblems
) -> None:
    browser_problems.allow_status(400, "/admin/user/create")
    admin_page.goto("/admin/user/create")
    tab_to(admin_page, admin_page.locator("#email"))
    admin_page.keyboard.type("not an address")
    press_on(admin_page, admin_page.get_by_role("button", name="Save", exact=True))
    field = admin_page.locator("#email")
    expect(field).to_have_attribute("aria-invalid", "true")
    [described] = (field.get_attribute("aria-describedby") or "").split()
    expect(admin_page.locator(f"#{described}")).to_contain_text("An email address must have")
    expect(admin_page.get_by_role("alert").first).to_be_visible()


def test_the_login_fields_take_pasted_text_and_password_managers(page: Page) -> None:
    page.goto("/admin/login")
    expect(page.locator("#login-email")).to_have_attribute("autocomplete", "username")
    expect(page.locator("#login-password")).to_have_attribute("autocomplete", "current-password")
    for field in ("#login-email", "#login-password"):
        blocked = page.locator(field).evaluate(
            "el => { const e = new Event('paste', {cancelable: true}); el.dispatchEvent(e);"
            " return e.defaultPrevented; }"
        )
        assert blocked is False
