"""Importing events in the browser, with the real worker `serve` starts: upload a file from the
events list, fix a column the panel could not match, read the dry run, download the error file,
confirm, watch the job, find the import's change set and undo it."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from admin_app.models import Event
from tests.e2e.support import Database, Screenshots, nav_link, unique_token, violations

pytestmark = pytest.mark.e2e


def test_import_events_fix_the_mapping_confirm_and_undo(
    admin_page: Page, database: Database, shots: Screenshots, tmp_path: Path
) -> None:
    page = admin_page
    token = unique_token("imp")
    organizer = database.add_user(f"{token}@example.org")
    file = tmp_path / f"{token}.csv"
    file.write_text(
        "Event name,Day,Status,Organiser e-mail,Notes\n"
        f"{token} launch,2027-03-01,public,{organizer.email},first\n"
        f"{token} review,2027-03-02,private,{organizer.email.upper()},\n"
        f"{token} party,2027-03-03,public,{organizer.id},by id\n"
        f"{token} typo,2027-02-30,public,{organizer.email},bad date\n"
    )
    nav_link(page, "Events").click()
    page.locator("#import-link").click()
    expect(page.locator("h2.page-title")).to_have_text("Import events")
    page.get_by_label("File").set_input_files(file)
    page.get_by_role("button", name="Upload").click()
    expect(page).to_have_url(re.compile(r"/admin/imports/\d+$"))
    expect(page.locator(".toast-body")).to_contain_text("Check how they are mapped")
    # "Event name" matches no field by its name: the staff member chooses Title for it.
    expect(page.get_by_label("Field for Event name")).to_have_value("")
    expect(page.get_by_label("Field for Organiser e-mail")).to_have_value("organizer")
    page.get_by_label("Field for Event name").select_option("title")
    shots.take(page, "mapping")
    page.get_by_role("button", name="Run the dry run").click()
    expect(page).to_have_url(re.compile(r"/admin/jobs/\d+$"))
    expect(page.locator("#job")).to_have_attribute("data-state", "done", timeout=60_000)
    expect(page.locator("#job-state")).to_contain_text("3 to create")
    page.locator("#job-next").click()
    expect(page.locator('[data-count="create"]')).to_have_text("3")
    expect(page.locator('[data-count="error"]')).to_have_text("1")
    expect(page.locator("#import-errors")).to_contain_text("Not a valid date value")
    page.locator("#import-dry-run").scroll_into_view_if_needed()
    shots.take(page, "dry-run", docs_name="import-dry-run.png")
    # The import's page at its fullest (mapping, counts, updates, problems): WCAG 2.2 AA in
    # both themes.
    assert violations(page) == []
    page.emulate_media(color_scheme="dark")
    shots.take(page, "dry-run-dark")
    assert violations(page) == []
    page.emulate_media(color_scheme="light")
    href = page.locator("#import-error-file").get_attribute("href")
    assert href
    errors = page.request.get(href)
    assert errors.ok and "2027-02-30" in errors.text()
    assert database.count_events(Event.title.startswith(token)) == 0  # nothing before Confirm

    page.locator("#import-commit").click()
    expect(page.locator("#job")).to_have_attribute("data-state", "done", timeout=60_000)
    expect(page.locator("#job-state")).to_contain_text("3 events created, 0 updated")
    shots.take(page, "committed")
    assert database.count_events(Event.title.startswith(token)) == 3
    page.locator("#job-next").click()
    expect(page.locator("#import-done")).to_contain_text("3 created")
    assert violations(page) == []
    page.locator("#import-change-set").click()
    page.get_by_role("link", name=re.compile("Undo this change set")).click()
    page.locator("#undo-confirm").click()
    expect(page.locator(".toast-body")).to_contain_text("Undid")
    assert database.count_events(Event.title.startswith(token)) == 0
    shots.take(page, "undone")
