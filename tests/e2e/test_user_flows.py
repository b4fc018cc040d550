"""Creating users, and the refusal to delete one who still organizes events."""

import re
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from admin_app.models import Event, SocialStatus, User
from tests.e2e.support import (
    BrowserProblems,
    Database,
    Screenshots,
    confirm_bulk_delete,
    describe,
    list_rows,
    nav_link,
    open_bulk_delete,
    save_form,
    search,
    tick,
    unique_token,
)

pytestmark = pytest.mark.e2e


def test_create_user_then_duplicate_email_is_refused_on_the_field(
    admin_page: Page, database: Database, browser_problems: BrowserProblems, shots: Screenshots
) -> None:
    page = admin_page
    token = unique_token("newuser")
    typed = f"{token}.Person@Example.org"
    canonical = typed.casefold()

    nav_link(page, "Users").click()
    page.get_by_role("link", name="+ New User").click()
    expect(page).to_have_url(re.compile(r"/admin/user/create$"))
    page.locator("#email").fill(typed)
    shots.take(page, "new-user-form")
    save_form(page)
    expect(page).to_have_url(re.compile(r"/admin/user/list"))
    search(page, token)
    expect(list_rows(page)).to_have_count(1)
    expect(list_rows(page)).to_contain_text(canonical)
    shots.take(page, "user-created")
    assert database.count_users(User.email == canonical) == 1

    # The same address again, in another case and with spaces around it.
    browser_problems.allow_status(400, "/admin/user/create")  # the refused form is a 400
    page.goto("/admin/user/create")
    duplicate = f"  {canonical.upper()}  "
    page.locator("#email").fill(duplicate)
    save_form(page)
    expect(page).to_have_url(re.compile(r"/admin/user/create$"))
    email_field = page.locator("#email")
    expect(email_field).to_have_class(re.compile(r"\bis-invalid\b"))
    feedback = email_field.locator(
        "xpath=following-sibling::*[contains(@class, 'invalid-feedback')]"
    )
    expect(feedback).to_have_text("A user with this email already exists.")
    expect(feedback).to_be_visible()
    # The typed address is still there to correct (shown in its trimmed, lower-case form).
    assert email_field.input_value().strip().casefold() == canonical
    shots.take(page, "duplicate-refused")
    assert database.count_users(User.email.ilike(f"%{token}%")) == 1


def test_deleting_a_user_who_organizes_events_is_refused_and_deletes_nothing(
    admin_page: Page, database: Database, shots: Screenshots
) -> None:
    page = admin_page
    token = unique_token("host")
    organizer = database.add_user(f"{token}.organizer@example.org")
    bystander = database.add_user(f"{token}.bystander@example.org")
    events = database.add_events(
        organizer,
        [
            (f"{token} garden party", date(2024, 6, 1), SocialStatus.PUBLIC),
            (f"{token} board meeting", date(2024, 7, 1), SocialStatus.PRIVATE),
        ],
    )

    page.goto("/admin/user/list")
    search(page, token)
    expect(list_rows(page)).to_have_count(2)
    # Both at once: the whole selection is refused, not just the organizer.
    tick(page, organizer.email, bystander.email)
    open_bulk_delete(page)
    response = confirm_bulk_delete(page)
    assert response.status == 200, describe(response)

    alert = page.locator(".alert-danger")
    expect(alert).to_have_text(re.compile(r"^\s*Nothing was deleted:"))
    expect(alert).to_contain_text(f"2 events still belong to {organizer.email}")
    expect(list_rows(page)).to_have_count(2)
    expect(list_rows(page).filter(has_text=organizer.email)).to_have_count(1)
    expect(list_rows(page).filter(has_text=bystander.email)).to_have_count(1)
    shots.take(page, "delete-refused")

    assert database.existing_user_ids([organizer, bystander]) == {organizer.id, bystander.id}
    assert database.existing_event_ids(events) == {event.id for event in events}
    assert database.count_events(Event.organizer_id == organizer.id) == 2


def test_filter_users_by_their_events_from_the_filter_bar(
    admin_page: Page, database: Database, shots: Screenshots
) -> None:
    page = admin_page
    token = unique_token("orgfilter")
    busy = database.add_user(f"{token}.busy@example.org")
    database.add_user(f"{token}.idle@example.org")
    database.add_events(
        busy, [(f"{token} {n}", date(2023, 5, n + 1), SocialStatus.PUBLIC) for n in range(3)]
    )
    nav_link(page, "Users").click()
    search(page, token)
    expect(list_rows(page)).to_have_count(2)
    bar = page.locator("#filter-bar")
    bar.get_by_label("Has events").select_option("no")
    bar.get_by_role("button", name="Apply filters").click()
    expect(list_rows(page)).to_have_count(1)
    expect(list_rows(page)).to_contain_text(f"{token}.idle@example.org")
    bar.get_by_label("Has events").select_option("")
    bar.get_by_label("At least N events").fill("3")
    bar.get_by_role("button", name="Apply filters").click()
    expect(list_rows(page)).to_have_count(1)
    expect(list_rows(page)).to_contain_text(f"{token}.busy@example.org")
    # The search stayed applied all along.
    expect(page.locator("#search-input")).to_have_value(token)
    shots.take(page, "users-at-least-3-events")
