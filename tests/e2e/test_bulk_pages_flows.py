"""The confirmation pages of bulk work: preview, cascade (admins), set status, cancel."""

from datetime import date

import pytest
from playwright.sync_api import Page, expect

from admin_app.models import Event, SocialStatus
from tests.e2e.support import (
    Database,
    Screenshots,
    column,
    expect_flash,
    search,
    tick,
    unique_token,
)

pytestmark = pytest.mark.e2e


def _choose_action(page: Page, label: str, *, page_id: str = "#bulk-confirm") -> None:
    page.get_by_role("button", name="Actions").click()
    page.get_by_text(label).click()
    expect(page.locator(page_id)).to_be_visible()


def test_set_status_for_all_rows_matching_a_search(
    admin_page: Page, database: Database, shots: Screenshots
) -> None:
    page = admin_page
    token = unique_token("status")
    organizer = database.add_user(f"{token}@example.org")
    events = database.add_events(
        organizer,
        [(f"{token} {n}", date(2022, 1, n + 1), SocialStatus.PUBLIC) for n in range(3)],
    )
    page.goto("/admin/event/list")
    search(page, token)
    # Nothing ticked: the page asks which rows, and the whole filter is an explicit choice.
    _choose_action(page, "Set social status…", page_id="#bulk-choose")
    expect(page.locator("#bulk-choose")).to_contain_text("No rows are ticked.")
    page.get_by_role("link", name="Choose all 3 events matching the list").click()
    expect(page.locator("#bulk-scope")).to_contain_text("All 3 events matching the list")
    page.locator("#bulk-status").select_option("private")
    shots.take(page, "confirm")
    page.get_by_role("button", name="Set status of 3 events").click()
    expect_flash(page, "Set 3 events to private.")
    expect(page).to_have_url(f"{page.url.split('?')[0]}?search={token}")
    statuses = {database.event(event.id).social_status for event in events}  # type: ignore[union-attr]
    assert statuses == {SocialStatus.PRIVATE}


def test_admin_deletes_a_user_with_their_events_after_the_preview(
    admin_page: Page, database: Database, shots: Screenshots
) -> None:
    page = admin_page
    token = unique_token("cascade")
    organizer = database.add_user(f"{token}@example.org")
    events = database.add_events(
        organizer, [(f"{token} {n}", date(2022, 2, n + 1), SocialStatus.PUBLIC) for n in range(2)]
    )
    page.goto("/admin/user/list")
    search(page, token)
    tick(page, organizer.email)
    _choose_action(page, "Delete with preview…")
    expect(page.locator("#bulk-dependents")).to_contain_text(
        f"2 events still belong to {organizer.email}"
    )
    shots.take(page, "preview")
    page.get_by_role("link", name="Cancel").click()  # second thoughts first: nothing changes
    assert database.existing_user_ids([organizer]) == {organizer.id}
    tick(page, organizer.email)
    _choose_action(page, "Delete with preview…")
    page.get_by_role("button", name="Delete 1 user and their 2 events").click()
    expect_flash(page, "Deleted 1 user.")
    expect(column(page, "Email")).to_have_count(0)
    assert database.existing_user_ids([organizer]) == set()
    assert database.existing_event_ids(list[Event](events)) == set()
