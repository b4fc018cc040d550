"""Creating and editing events, and following an event to its organizer."""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from admin_app.models import Event, SocialStatus
from tests.e2e.support import (
    Database,
    Screenshots,
    fill_date,
    nav_link,
    open_organizer_picker,
    picked_organizer,
    row_with,
    save_form,
    search,
    unique_token,
)

pytestmark = pytest.mark.e2e


def test_create_event_choosing_the_organizer_in_the_picker(
    admin_page: Page, database: Database, shots: Screenshots
) -> None:
    page = admin_page
    token = unique_token("picker")
    organizer = database.add_user(f"{token}.ada@example.org")
    other = database.add_user(f"{token}.bob@example.org")
    title = f"Picnic {token}"
    # Later than any other row of the suite, so the new event heads the list (newest first).
    day = date.today() + timedelta(days=3 * 365)

    nav_link(page, "Events").click()
    page.get_by_role("link", name="+ New Event").click()
    expect(page).to_have_url(re.compile(r"/admin/event/create$"))
    page.locator("#title").fill(title)
    fill_date(page, "#date_of", day)
    page.locator("#social_status").select_option("private")

    suggestions = open_organizer_picker(page, token)
    expect(suggestions).to_have_text([organizer.email, other.email])
    shots.take(page, "picker-suggestions", docs_name="event-form-picker.png")
    suggestions.filter(has_text=organizer.email).click()
    expect(picked_organizer(page)).to_have_text(organizer.email)
    shots.take(page, "form-filled")

    save_form(page)
    expect(page).to_have_url(re.compile(r"/admin/event/list"))
    row = row_with(page, title)
    expect(row).to_have_count(1)
    expect(row).to_contain_text(day.isoformat())
    expect(row.locator("[data-status]")).to_have_text("Private")
    organizer_link = row.get_by_role("link", name=organizer.email)
    expect(organizer_link).to_have_attribute(
        "href", re.compile(rf"/admin/user/details/{organizer.id}$")
    )
    shots.take(page, "event-in-list")

    [saved] = database.events_where(Event.title == title)
    assert (saved.date_of, saved.social_status) == (day, SocialStatus.PRIVATE)
    assert saved.organizer_id == organizer.id


def test_edit_event_then_find_it_on_the_organizer_page(
    admin_page: Page, database: Database, shots: Screenshots
) -> None:
    page = admin_page
    token = unique_token("editme")
    organizer = database.add_user(f"{token}.host@example.org")
    draft, brunch, lecture = database.add_events(
        organizer,
        [
            (f"{token} draft title", date(2024, 3, 1), SocialStatus.PUBLIC),
            (f"{token} brunch", date(2024, 2, 1), SocialStatus.PRIVATE),
            (f"{token} lecture", date(2023, 12, 1), SocialStatus.PUBLIC),
        ],
    )
    new_title, new_day = f"{token} final title", date(2024, 4, 2)

    page.goto("/admin/event/list")
    search(page, token)
    row_with(page, draft.title).get_by_role("link", name="Edit", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/admin/event/edit/{draft.id}\b"))
    expect(page.locator("#title")).to_have_value(draft.title)
    expect(picked_organizer(page)).to_have_text(organizer.email)
    page.locator("#title").fill(new_title)
    fill_date(page, "#date_of", new_day)
    page.locator("#social_status").select_option("private")
    shots.take(page, "edit-form")
    save_form(page)

    expect(page).to_have_url(re.compile(r"/admin/event/list"))
    expect(row_with(page, draft.title)).to_have_count(0)
    row = row_with(page, new_title)
    expect(row).to_have_count(1)
    expect(row).to_contain_text(new_day.isoformat())
    expect(row.locator("[data-status]")).to_have_text("Private")
    shots.take(page, "edited-in-list")

    edited = database.event(draft.id)
    assert edited is not None
    assert (edited.title, edited.date_of) == (new_title, new_day)
    assert (edited.social_status, edited.organizer_id) == (SocialStatus.PRIVATE, organizer.id)

    row.get_by_role("link", name=organizer.email).click()
    expect(page).to_have_url(re.compile(rf"/admin/user/details/{organizer.id}$"))
    organized = page.locator("#organized-events")
    expect(organized).to_contain_text("Events organized (3)")
    # Newest first, each a link to the event.
    titles = organized.locator("tbody tr td:first-child")
    expect(titles).to_have_text([new_title, brunch.title, lecture.title])
    expect(organized.get_by_role("link", name=new_title)).to_have_attribute(
        "href", re.compile(rf"/admin/event/details/{draft.id}$")
    )
    shots.take(page, "organizer-page", docs_name="user-detail.png")

    organized.get_by_role("link", name=new_title).click()
    expect(page).to_have_url(re.compile(rf"/admin/event/details/{draft.id}$"))
    expect(page.locator("table")).to_contain_text(new_title)
    assert database.count_events(Event.organizer_id == organizer.id) == 3
