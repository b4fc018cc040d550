"""Editing at the speed of a spreadsheet, in the browser: a user's events inline, list cells,
batch edit of a filter minus a few rows; all from the keyboard."""

import re
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from admin_app.models import Event, SocialStatus
from tests.e2e.support import (
    BrowserProblems,
    Database,
    Screenshots,
    expect_flash,
    row_with,
    search,
    unique_token,
    violations,
)

pytestmark = pytest.mark.e2e


def _inline_row(page: Page, event_id: int) -> dict[str, str]:
    return {
        "title": f"input[name='events-{event_id}-title']",
        "date": f"input[name='events-{event_id}-date_of']",
        "status": f"select[name='events-{event_id}-social_status']",
        "delete": f"input[name='events-{event_id}-delete']",
    }


def test_three_inline_edits_and_a_new_event_save_in_one_go(
    admin_page: Page, database: Database, shots: Screenshots
) -> None:
    page = admin_page
    token = unique_token("inline")
    organizer = database.add_user(f"{token}@example.org")
    events = database.add_events(
        organizer,
        [(f"{token} talk {n}", date(2026, 3, n + 1), SocialStatus.PUBLIC) for n in range(4)],
    )
    page.goto(f"/admin/user/edit/{organizer.id}")
    expect(page.locator("#inline-events legend")).to_have_text("Events organized (4)")
    first, second, third, _fourth = events
    title = page.locator(_inline_row(page, first.id)["title"])
    title.fill(f"{token} renamed")
    # From the title, Tab reaches the date, then the status, as a spreadsheet row would.
    title.press("Tab")
    expect(page.locator(_inline_row(page, first.id)["date"])).to_be_focused()
    page.locator(_inline_row(page, second.id)["status"]).select_option("private")
    page.locator(_inline_row(page, third.id)["date"]).fill("2030-07-08")
    page.locator("input[name='events-new0-title']").fill(f"{token} brand new")
    page.locator("input[name='events-new0-date_of']").fill("2031-01-02")
    page.get_by_role("button", name="Add another event").click()
    expect(page.locator("input[name='events-new3-title']")).to_be_focused()
    shots.take(page, "inline-editor", docs_name="inline-events.png")
    assert violations(page) == []
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page).to_have_url(re.compile(r"/admin/user/list"))
    assert database.event(first.id).title == f"{token} renamed"  # type: ignore[union-attr]
    assert database.event(second.id).social_status is SocialStatus.PRIVATE  # type: ignore[union-attr]
    assert database.event(third.id).date_of == date(2030, 7, 8)  # type: ignore[union-attr]
    created = database.events_where(Event.title == f"{token} brand new")
    assert len(created) == 1 and created[0].organizer_id == organizer.id


def test_a_stale_inline_row_is_refused_with_the_typed_values_kept(
    admin_page: Page, database: Database, shots: Screenshots, browser_problems: BrowserProblems
) -> None:
    page = admin_page
    token = unique_token("stale")
    organizer = database.add_user(f"{token}@example.org")
    (event,) = database.add_events(
        organizer, [(f"{token} original", date(2026, 4, 1), SocialStatus.PUBLIC)]
    )
    browser_problems.allow_status(400, f"/admin/user/edit/{organizer.id}")  # the refusal
    page.goto(f"/admin/user/edit/{organizer.id}")
    page.locator(_inline_row(page, event.id)["title"]).fill(f"{token} mine")
    database.rename_event(event.id, f"{token} theirs")  # someone else, meanwhile
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#save-error")).to_contain_text(
        f"1 event changed since you opened the page (#{event.id})"
    )
    expect(page.get_by_role("alert").filter(has_text="now “")).to_contain_text(f"{token} theirs")
    expect(page.locator(_inline_row(page, event.id)["title"])).to_have_value(f"{token} mine")
    shots.take(page, "stale-row")
    assert violations(page) == []  # the refusal, its row message and the kept values
    assert database.event(event.id).title == f"{token} theirs"  # type: ignore[union-attr]
    page.get_by_role("button", name="Save", exact=True).click()  # keep mine, knowingly
    expect(page).to_have_url(re.compile(r"/admin/user/list"))
    assert database.event(event.id).title == f"{token} mine"  # type: ignore[union-attr]


def test_a_list_cell_is_edited_with_the_keyboard_and_a_conflict_keeps_the_typed_value(
    admin_page: Page, database: Database, shots: Screenshots, browser_problems: BrowserProblems
) -> None:
    page = admin_page
    token = unique_token("cell")
    organizer = database.add_user(f"{token}@example.org")
    (event,) = database.add_events(
        organizer, [(f"{token} first", date(2026, 5, 1), SocialStatus.PUBLIC)]
    )
    browser_problems.allow_status(409, f"/admin/event/cell/{event.id}")  # the conflict
    page.goto("/admin/event/list")
    search(page, token)
    cell = row_with(page, token).locator("td[data-cell='title']")
    cell.focus()
    cell.press("Enter")
    editor = cell.get_by_role("textbox", name="New title")
    expect(editor).to_be_focused()
    editor.fill(f"{token} second")
    editor.press("Escape")  # cancel: nothing saved
    expect(cell).to_have_text(f"{token} first")
    expect(cell).to_be_focused()
    cell.press("Enter")
    editor.fill(f"{token} second")
    editor.press("Enter")
    expect(cell).to_have_text(f"{token} second")
    assert database.event(event.id).title == f"{token} second"  # type: ignore[union-attr]
    status = row_with(page, token).locator("td[data-cell='social_status']")
    status.focus()
    status.press("Enter")
    status.get_by_role("combobox").select_option("private")
    status.get_by_role("combobox").press("Enter")
    expect(status).to_have_text("Private")
    database.rename_event(event.id, f"{token} theirs")  # someone else saves the row
    cell.focus()
    cell.press("Enter")
    editor.fill(f"{token} mine")
    editor.press("Enter")
    message = cell.get_by_role("alert")
    expect(message).to_contain_text(f"Their value: “{token} theirs”")
    expect(editor).to_have_value(f"{token} mine")
    shots.take(page, "cell-conflict", docs_name="list-cell-conflict.png")
    assert violations(page) == []  # the open editor and its conflict message
    assert database.event(event.id).title == f"{token} theirs"  # type: ignore[union-attr]
    editor.press("Enter")  # retry at their version: mine wins, knowingly
    expect(cell).to_have_text(f"{token} mine")
    assert database.event(event.id).title == f"{token} mine"  # type: ignore[union-attr]


def test_batch_edit_of_all_matching_rows_minus_two(
    admin_page: Page, database: Database, shots: Screenshots
) -> None:
    page = admin_page
    token = unique_token("batch")
    organizer = database.add_user(f"{token}@example.org")
    events = database.add_events(
        organizer,
        [(f"{token} row {n}", date(2026, 6, n + 1), SocialStatus.PUBLIC) for n in range(5)],
    )
    page.goto("/admin/event/list?pageSize=25")
    search(page, token)
    page.locator("#select-all").check()
    page.get_by_role("link", name="Select all 5 rows matching the list").click()
    expect(page.locator("#selection-summary")).to_have_text(
        "All 5 rows matching the list are selected."
    )
    spared = events[:2]
    for event in spared:
        row_with(page, f"{token} row {events.index(event)}").locator(".select-box").uncheck()
    expect(page.locator("#selection-summary")).to_contain_text("except 2 you unticked")
    page.get_by_role("button", name="Actions").click()
    page.get_by_text("Batch edit…").click()
    expect(page.locator("#bulk-confirm h3")).to_have_text("Batch edit 3 events")
    page.locator("#batch-status").select_option("private")
    page.locator("#batch-date-change").select_option("shift")
    page.locator("#batch-shift").fill("7")
    shots.take(page, "batch-confirm", docs_name="batch-edit.png")
    page.get_by_role("button", name="Change 3 events").click()
    expect_flash(page, "Changed 3 events: status to private, date moved by +7 days.")
    for n, event in enumerate(events):
        stored = database.event(event.id)
        assert stored is not None
        if event in spared:
            assert (stored.social_status, stored.date_of) == (SocialStatus.PUBLIC, event.date_of)
        else:
            assert stored.social_status is SocialStatus.PRIVATE
            assert stored.date_of == date(2026, 6, n + 8)
