"""A large export as a background job, in the browser with the real worker `serve` starts:
start it, watch it finish, get the notification, download the file."""

import csv
import io
import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.support import Database, Screenshots, nav_link

pytestmark = pytest.mark.e2e


def test_export_the_events_list_as_a_job_and_download_it(
    admin_page: Page, database: Database, shots: Screenshots
) -> None:
    page = admin_page
    nav_link(page, "Events").click()
    page.get_by_role("link", name="Export CSV").click()
    expect(page).to_have_url(re.compile(r"/admin/event/export-job"))
    shots.take(page, "start-page")
    page.get_by_role("button", name="Start the export").click()
    expect(page).to_have_url(re.compile(r"/admin/jobs/\d+$"))
    expect(page.locator(".toast-body")).to_contain_text("Started: export")
    # The page refreshes itself while the job runs (job.js); the worker is a separate process.
    expect(page.locator("#job")).to_have_attribute("data-state", "done", timeout=60_000)
    # Other tests add events meanwhile: the job counted its rows when it ran.
    total = int(page.locator("#job-progress").get_attribute("max") or 0)
    assert total >= 60 and total <= database.count_events()
    expect(page.locator("#job-state")).to_contain_text(f"Export of {total:,} events is ready")
    expect(page.locator("#job-progress")).to_have_attribute("value", str(total))
    expect(page.locator("#unread-count")).to_be_visible()
    shots.take(page, "job-done")
    # The link the page offers, fetched with the page's session (a click turns into a browser
    # download, which Chromium reports as an aborted navigation).
    href = page.locator("#job-download").get_attribute("href")
    assert href
    download = page.request.get(href)
    assert download.ok
    assert download.headers["content-disposition"] == 'attachment; filename="events.csv"'
    rows = list(csv.DictReader(io.StringIO(download.text())))
    assert len(rows) == total and {"id", "title", "organizer"} <= set(rows[0])
    page.locator("#notifications-bell").click()
    expect(page.locator("#notifications")).to_contain_text("is ready")
    page.get_by_role("button", name="Mark all read").click()
    expect(page.locator("#unread-count")).to_have_count(0)
    shots.take(page, "notifications-read")
