"""The events list: filters and search that stay applied, sorting, paging and page size."""

import random
import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from admin_app.models import Event, SocialStatus
from tests.e2e.support import (
    Database,
    Screenshots,
    column,
    items_summary,
    list_rows,
    nav_link,
    query_params,
    search,
    shown_total,
    unique_token,
)

pytestmark = pytest.mark.e2e


def test_filter_and_search_stay_applied_and_survive_a_new_tab(
    admin_page: Page, database: Database, shots: Screenshots
) -> None:
    page = admin_page
    token = unique_token("kestrel")
    organizer = database.add_user(f"{token}@example.org")
    private_titles = [f"{token} private {word}" for word in ("dawn", "noon", "dusk")]
    database.add_events(
        organizer,
        [
            (private_titles[0], date(2022, 1, 10), SocialStatus.PRIVATE),
            (private_titles[1], date(2022, 2, 10), SocialStatus.PRIVATE),
            (private_titles[2], date(2022, 3, 10), SocialStatus.PRIVATE),
            (f"{token} public fair", date(2022, 2, 20), SocialStatus.PUBLIC),
            (f"{token} public market", date(2022, 3, 20), SocialStatus.PUBLIC),
        ],
    )
    private = Event.social_status == SocialStatus.PRIVATE
    has_token = Event.title.contains(token)
    newest_first = private_titles[::-1]

    nav_link(page, "Events").click()
    # One filter bar above the rows, one Apply for all of it.
    bar = page.locator("#filter-bar")
    bar.get_by_label("Private", exact=True).check()
    bar.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"[?&]social_status=private(&|$)"))
    expect(list_rows(page).first).to_be_visible()
    expect(page.locator("tbody [data-status=public]")).to_have_count(0)
    shots.take(page, "private-only", docs_name="events-list-filtered.png")
    assert shown_total(page) == database.count_events(private)

    search(page, token)
    assert query_params(page)["social_status"] == ["private"]
    assert query_params(page)["search"] == [token]
    expect(page.locator("#search-input")).to_have_value(token)
    expect(bar.get_by_label("Private", exact=True)).to_be_checked()
    expect(bar.get_by_label("Public", exact=True)).not_to_be_checked()
    titles = column(page, "Title")
    expect(titles).to_have_text(newest_first)
    expect(page.locator("tbody [data-status=private]")).to_have_count(3)
    assert shown_total(page) == database.count_events(private, has_token) == 3
    shots.take(page, "private-and-searched")

    # A third criterion keeps the first two: the browser's date picker, no script needed.
    expect(bar.get_by_label("From date")).to_have_attribute("type", "date")
    bar.get_by_label("From date").fill("2022-02-01")
    bar.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"[?&]date_from=2022-02-01(&|$)"))
    assert query_params(page)["social_status"] == ["private"]
    assert query_params(page)["search"] == [token]
    expect(titles).to_have_text(newest_first[:2])  # January's is out
    from_february = Event.date_of >= date(2022, 2, 1)
    assert shown_total(page) == database.count_events(private, has_token, from_february) == 2

    other_tab = page.context.new_page()
    other_tab.goto(page.url)
    expect(column(other_tab, "Title")).to_have_text(newest_first[:2])
    expect(items_summary(other_tab)).to_have_text(items_summary(page).inner_text())
    expect(other_tab.locator("#search-input")).to_have_value(token)
    shots.take(other_tab, "same-url-in-new-tab")

    # Both statuses ticked is every status; "Clear filters" keeps the search.
    bar.get_by_label("Public", exact=True).check()
    bar.get_by_role("button", name="Apply filters").click()
    assert query_params(page)["social_status"] == ["public", "private"]
    expect(titles).to_have_count(4)  # the two public ones and February's and March's private
    page.locator("#filter-clear").click()
    assert "social_status" not in query_params(page) and "date_from" not in query_params(page)
    assert query_params(page)["search"] == [token]
    expect(titles).to_have_count(5)


def test_sort_by_date_both_ways_page_through_and_change_page_size(
    admin_page: Page, database: Database, shots: Screenshots
) -> None:
    page = admin_page
    token = unique_token("sortie")
    organizer = database.add_user(f"{token}@example.org")
    days = [date(2019, 1, 1) + timedelta(days=3 * n) for n in range(30)]
    random.Random(7).shuffle(days)  # insertion (id) order differs from date order
    database.add_events(
        organizer,
        [
            (f"{token} #{n:02d}", day, (SocialStatus.PUBLIC, SocialStatus.PRIVATE)[n % 2])
            for n, day in enumerate(days)
        ],
    )
    stored = [event.date_of for event in database.events_where(Event.title.contains(token))]
    ascending = [day.isoformat() for day in sorted(stored)]
    descending = ascending[::-1]
    assert len(ascending) == 30

    page.goto("/admin/event/list")
    search(page, token)
    dates = column(page, "Date")
    expect(list_rows(page)).to_have_count(25)
    # The rows come first; the page's script fetches the count, its pager and the banner's number.
    expect(items_summary(page)).to_have_text(re.compile(r"Showing 1 to 25 of 30 items"))
    expect(page.locator("#count-later")).to_have_count(0)
    page.locator("#select-all").check()
    expect(page.locator("#selection-all-matching")).to_have_text(
        "Select all 30 rows matching the list"
    )
    page.locator("#select-all").uncheck()

    page.locator("thead").get_by_role("link", name="Date").click()
    expect(page).to_have_url(re.compile(r"sortBy=date_of&sort=asc"))
    expect(dates).to_have_text(ascending[:25])
    shots.take(page, "date-ascending")

    page.locator("thead").get_by_role("link", name="Date").click()
    expect(page).to_have_url(re.compile(r"sortBy=date_of&sort=desc"))
    expect(dates).to_have_text(descending[:25])
    shots.take(page, "date-descending")

    pagination = page.locator(".pagination")
    pagination.get_by_role("link", name="next").click()
    expect(page).to_have_url(re.compile(r"[?&]page=2(&|$)"))
    assert query_params(page)["sort"] == ["desc"]
    assert query_params(page)["search"] == [token]
    expect(dates).to_have_text(descending[25:])
    expect(items_summary(page)).to_have_text(re.compile(r"Showing 26 to 30 of 30 items"))
    shots.take(page, "page-2")

    pagination.get_by_role("link", name="prev").click()
    expect(page).to_have_url(re.compile(r"[?&]page=1(&|$)"))
    expect(dates).to_have_text(descending[:25])

    page.get_by_role("link", name="25 / Page").click()
    page.get_by_role("link", name="50 / Page").click()
    expect(page).to_have_url(re.compile(r"[?&]pageSize=50(&|$)"))
    expect(dates).to_have_text(descending)
    expect(items_summary(page)).to_have_text(re.compile(r"Showing 1 to 30 of 30 items"))
    expect(page.locator(".card-footer .dropdown-toggle")).to_have_text("50 / Page")
    shots.take(page, "page-size-50")
