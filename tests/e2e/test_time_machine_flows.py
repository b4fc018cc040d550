"""Nothing is lost by accident: delete by filter and restore from Recently deleted; edit an event
twice, compare versions 1 and 3, revert to 1."""

from datetime import date

import pytest
from playwright.sync_api import Page, expect

from admin_app.models import SocialStatus
from tests.e2e.support import (
    Database,
    Screenshots,
    expect_flash,
    nav_link,
    save_form,
    search,
    unique_token,
)

pytestmark = pytest.mark.e2e


def test_delete_by_filter_then_restore_from_recently_deleted(
    admin_page: Page, database: Database, shots: Screenshots
) -> None:
    page = admin_page
    token = unique_token("oops")
    organizer = database.add_user(f"{token}@example.org")
    events = database.add_events(
        organizer,
        [(f"{token} {n}", date(2023, 5, n + 1), SocialStatus.PRIVATE) for n in range(3)],
    )
    page.goto("/admin/event/list")
    search(page, token)
    page.get_by_role("button", name="Actions").click()
    page.get_by_text("Delete with preview…").click()
    page.get_by_role("link", name="Choose all 3 events matching the list").click()
    page.locator("#bulk-reason").fill("clearing test data")
    page.get_by_role("button", name="Delete 3 events").click()
    expect_flash(page, "They can be restored from Recently deleted.")
    assert database.existing_event_ids(events) == set()

    nav_link(page, "Recently deleted").click()
    page.locator("#deleted-search").fill(token)
    page.get_by_role("button", name="Filter").click()
    rows = page.locator("#restore-form tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("clearing test data")
    page.locator("#restore-form tbody tr a", has_text="Bulk delete").first.click()
    shots.take(page, "recently-deleted", docs_name="recently-deleted.png")
    page.get_by_role("button", name="Restore every row of change set").click()
    expect_flash(page, "Restored 3 events")
    assert database.existing_event_ids(events) == {event.id for event in events}


def test_edit_twice_compare_versions_one_and_three_then_revert_to_one(
    admin_page: Page, database: Database, shots: Screenshots
) -> None:
    page = admin_page
    token = unique_token("versions")
    organizer = database.add_user(f"{token}@example.org")
    (event,) = database.add_events(
        organizer, [(f"{token} first", date(2024, 6, 1), SocialStatus.PUBLIC)]
    )
    for title, status in ((f"{token} second", "public"), (f"{token} third", "private")):
        page.goto(f"/admin/event/edit/{event.id}")
        page.locator("#title").fill(title)
        page.locator("#social_status").select_option(status)
        save_form(page)
        expect(page).to_have_url(f"{page.url.split('/admin/')[0]}/admin/event/list")

    page.goto(f"/admin/event/details/{event.id}")
    page.locator("#record-history-link").click()
    page.locator("#compare-a").select_option("1")
    page.locator("#compare-b").select_option("3")
    page.get_by_role("button", name="Compare").click()
    comparison = page.locator("#comparison")
    expect(comparison).to_contain_text("Version 1 and version 3 side by side")
    expect(comparison.locator('tr[data-field="title"]')).to_contain_text(f"{token} first")
    expect(comparison.locator('tr[data-field="title"]')).to_contain_text(f"{token} third")
    shots.take(page, "compare", docs_name="record-history.png")

    page.locator("#revert-to").select_option("1")
    page.locator("#revert-reason").fill("the rename was a mistake")
    page.locator("#revert-button").click()
    expect_flash(page, "Reverted title, social status to version 1.")
    reverted = database.event(event.id)
    assert reverted is not None and reverted.title == f"{token} first"
    assert reverted.social_status == SocialStatus.PUBLIC and reverted.version == 4
