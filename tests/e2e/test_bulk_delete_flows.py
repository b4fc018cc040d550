"""Deleting several events at once from the list, through the confirmation dialog."""

from datetime import date

import pytest
from playwright.sync_api import Page, Request, expect

from admin_app.models import Event, SocialStatus
from tests.e2e.support import (
    Database,
    Screenshots,
    column,
    confirm_bulk_delete,
    describe,
    expect_flash,
    list_rows,
    open_bulk_delete,
    row_with,
    search,
    tick,
    unique_token,
)

pytestmark = pytest.mark.e2e


def _four_events(database: Database, token: str) -> list[Event]:
    organizer = database.add_user(f"{token}@example.org")
    return database.add_events(
        organizer,
        [
            (f"{token} alpha", date(2021, 4, 4), SocialStatus.PUBLIC),
            (f"{token} bravo", date(2021, 3, 3), SocialStatus.PRIVATE),
            (f"{token} charlie", date(2021, 2, 2), SocialStatus.PUBLIC),
            (f"{token} delta", date(2021, 1, 1), SocialStatus.PRIVATE),
        ],
    )


def test_bulk_delete_removes_the_selected_events_and_keeps_the_others(
    admin_page: Page, database: Database, shots: Screenshots
) -> None:
    page = admin_page
    token = unique_token("bulk")
    alpha, bravo, charlie, delta = _four_events(database, token)

    page.goto("/admin/event/list")
    search(page, token)
    expect(list_rows(page)).to_have_count(4)
    tick(page, alpha.title, charlie.title)
    dialog = open_bulk_delete(page)
    expect(dialog).to_contain_text("Please confirm")
    expect(dialog.locator("#modal-delete-text")).to_have_text(
        "This will delete 2 selected rows. Deleted rows can be restored from Recently deleted."
    )
    shots.take(page, "confirmation", docs_name="delete-confirmation.png")

    response = confirm_bulk_delete(page)
    assert response.status == 200, describe(response)
    expect_flash(page, "Deleted 2 events.")
    expect(column(page, "Title")).to_have_text([bravo.title, delta.title])
    shots.take(page, "after-delete")

    assert database.existing_event_ids([alpha, bravo, charlie, delta]) == {bravo.id, delta.id}


def test_cancelling_the_bulk_delete_dialog_leaves_everything(
    admin_page: Page, database: Database, shots: Screenshots
) -> None:
    page = admin_page
    token = unique_token("keep")
    events = _four_events(database, token)
    titles = [event.title for event in events]
    deletes: list[str] = []

    def note_delete(request: Request) -> None:
        if request.method == "DELETE":
            deletes.append(request.url)

    page.on("request", note_delete)

    page.goto("/admin/event/list")
    search(page, token)
    tick(page, titles[0], titles[1])
    dialog = open_bulk_delete(page)
    dialog.get_by_role("link", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(column(page, "Title")).to_have_text(titles)
    shots.take(page, "after-cancel")

    page.reload()
    expect(column(page, "Title")).to_have_text(titles)
    assert deletes == []
    assert database.existing_event_ids(events) == {event.id for event in events}


def test_bulk_delete_still_works_after_a_cancelled_attempt(
    admin_page: Page, database: Database, shots: Screenshots
) -> None:
    page = admin_page
    token = unique_token("retry")
    alpha, bravo, charlie, delta = _four_events(database, token)

    page.goto("/admin/event/list")
    search(page, token)
    tick(page, alpha.title, bravo.title)
    dialog = open_bulk_delete(page)
    dialog.get_by_role("link", name="Cancel").click()
    expect(dialog).to_be_hidden()

    # Second thoughts: delete them after all. (This once sent "?pks=..?pks=.." and got a 400:
    # SQLAdmin's script appended the selection to the stored URL on every opening.)
    open_bulk_delete(page)
    response = confirm_bulk_delete(page)
    assert response.status == 200, describe(response)
    expect_flash(page, "Deleted 2 events.")  # the list has reloaded: nothing moves under the shot
    shots.take(page, "after-second-attempt")
    expect(column(page, "Title")).to_have_text([charlie.title, delta.title])
    assert database.existing_event_ids([alpha, bravo, charlie, delta]) == {charlie.id, delta.id}


def test_the_delete_dialog_with_nothing_ticked_deletes_nothing(
    admin_page: Page, database: Database
) -> None:
    # Issue 27, item 2: it offered "permanently delete 0 selected rows" with Delete enabled.
    page = admin_page
    token = unique_token("none")
    events = _four_events(database, token)
    page.goto("/admin/event/list")
    search(page, token)
    dialog = open_bulk_delete(page)
    expect(dialog.locator("#modal-delete-text")).to_have_text(
        "No rows are ticked: tick the rows to delete in the list first."
    )
    expect(dialog.locator("#modal-delete-button")).to_be_disabled()
    assert database.existing_event_ids(list(events)) == {event.id for event in events}


def test_a_rows_own_delete_names_the_row_and_deletes_only_it(
    admin_page: Page, database: Database, shots: Screenshots
) -> None:
    """The row's trash icon (drawn by CSS, its name in `title`) opens the dialog naming that row
    from its box; Delete removes it alone."""
    page = admin_page
    token = unique_token("rowdel")
    alpha, bravo, charlie, delta = _four_events(database, token)
    page.goto("/admin/event/list")
    search(page, token)
    icon = row_with(page, bravo.title).get_by_title("Delete")
    box = icon.bounding_box()
    assert box and box["width"] >= 24 and box["height"] >= 24  # the glyph is drawn (2.5.8)
    shots.take(page, "row-icons-light")
    page.emulate_media(color_scheme="dark")
    shots.take(page, "row-icons-dark")
    icon.click()
    dialog = page.locator("#modal-delete")
    expect(dialog.locator("#modal-delete-text")).to_have_text(
        f"This will delete Event {bravo.id}. Deleted rows can be restored from Recently deleted."
    )
    response = confirm_bulk_delete(page)
    assert response.status == 200, describe(response)
    expect_flash(page, "Deleted 1 event.")
    expect(column(page, "Title")).to_have_text([alpha.title, charlie.title, delta.title])
