"""A large export as a background job, in the browser with the real worker `serve` starts:
start it, watch it finish, get the notification, download the file; cancel a waiting job,
retry it, and hear the bell say it is ready."""

import csv
import io
import re
import uuid
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from admin_app.models import Event, SocialStatus
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


def test_cancel_a_waiting_job_then_retry_it_and_the_bell_says_it_is_ready(
    admin_page: Page, database: Database, shots: Screenshots
) -> None:
    page = admin_page
    job_id = database.add_waiting_export_job()
    nav_link(page, "Jobs").click()
    page.get_by_role("link", name=f"#{job_id}").click()
    expect(page.locator("#job")).to_have_attribute("data-state", "queued")
    page.get_by_role("button", name="Cancel").click()
    expect(page.locator(".toast-body")).to_contain_text("Cancelled before it started")
    expect(page.locator("#job-state")).to_contain_text("Cancelled")
    assert database.job_state(job_id) == "cancelled"
    shots.take(page, "job-cancelled")
    page.get_by_role("button", name="Retry").click()
    expect(page.locator(".toast-body")).to_contain_text(f"Started again: job #{job_id}")
    # The card refreshes in place (job.js) until the worker is done; the state line is a
    # polite live region.
    expect(page.locator("#job")).to_have_attribute("data-state", "done", timeout=60_000)
    expect(page.locator("#job-state")).to_have_attribute("role", "status")
    expect(page.locator("#job-state")).to_contain_text("is ready")
    expect(page.locator("#job-download")).to_be_visible()
    assert database.job_state(job_id) == "done"
    shots.take(page, "job-retried")


def test_the_bell_counts_and_says_a_new_notification_while_the_page_stays_open(
    admin_page: Page, database: Database
) -> None:
    page = admin_page
    page.goto(page.url.split("/admin")[0] + "/admin/notifications")
    if page.locator("#notifications-read").count():
        page.locator("#notifications-read").click()
    expect(page.locator("#unread-count")).to_have_count(0)
    expect(page.locator("#notifications-announcer")).to_have_text("")
    database.notify_admin("Export of 7 events is ready: 7 rows in events.csv (1 KiB).")
    # The bell looks every half minute while the tab is visible; here it is asked at once.
    page.evaluate("window.panelBell.look()")
    expect(page.locator("#notifications-announcer")).to_have_text(
        "Export of 7 events is ready: 7 rows in events.csv (1 KiB)."
    )
    expect(page.locator("#unread-count")).to_have_text("1")
    expect(page.locator("#notifications-bell")).to_have_attribute(
        "aria-label", "Notifications: 1 unread"
    )


def test_a_status_change_of_a_large_filter_runs_as_a_job_with_its_change_set(
    admin_page: Page, database: Database, shots: Screenshots
) -> None:
    page = admin_page
    token = f"Jobflow{uuid.uuid4().hex[:6]}"
    organizer = database.add_user(f"{token.lower()}@example.org")
    database.add_events(
        organizer, [(f"{token} {n}", date(2026, 3, 1), SocialStatus.PRIVATE) for n in range(55)]
    )
    base = page.url.split("/admin")[0]
    page.goto(f"{base}/admin/event/bulk/set-status?scope=filter&search={token}")
    expect(page.locator("#bulk-background")).to_contain_text("this runs in the background")
    page.locator("select[name=status]").select_option("public")
    page.get_by_role("button", name="Set status of 55 events").click()
    expect(page).to_have_url(re.compile(r"/admin/jobs/\d+$"))
    expect(page.locator(".toast-body")).to_contain_text("Started: status change of more than 50")
    expect(page.locator("#job")).to_have_attribute("data-state", "done", timeout=60_000)
    expect(page.locator("#job-state")).to_contain_text(
        "Status change of 55 events is done: Set 55 events to public."
    )
    expect(page.locator("#job .card-header")).to_contain_text("Status change of 55 events")
    shots.take(page, "write-job-done")
    page.locator("#job a[href*='/admin/change-set/details/']").click()
    expect(page.locator("body")).to_contain_text("Set 55 events to public")
    public = Event.social_status == SocialStatus.PUBLIC
    assert database.count_events(Event.title.startswith(token), public) == 55
