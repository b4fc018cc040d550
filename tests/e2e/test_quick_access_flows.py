"""Finding and keeping things, in the browser: the command palette from the keyboard, a saved view
shared between two staff members, columns kept across logins, shortcuts that stay quiet while
typing, facets that narrow the list, and both themes at WCAG 2.2 AA."""

import re
from datetime import date

import pytest
from playwright.sync_api import Browser, Page, expect

from admin_app.models import SocialStatus
from tests.e2e.support import (
    STAFF_PASSWORD,
    Database,
    LiveServer,
    Screenshots,
    expect_flash,
    list_rows,
    login,
    logout,
    search,
    unique_token,
    violations,
)

pytestmark = pytest.mark.e2e


def _staff_page(browser: Browser, live_server: LiveServer, database: Database, token: str) -> Page:
    """A fresh staff member in their own browser: their preferences and views start empty."""
    email = f"{token}@staff.example.org"
    database.add_staff(email, STAFF_PASSWORD)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    login(page, email, STAFF_PASSWORD)
    return page


def _palette_options(page: Page) -> list[str]:
    return page.locator("#palette-results [role=option]").all_inner_texts()


def test_the_palette_finds_a_user_and_an_event_and_opens_them_from_the_keyboard(
    admin_page: Page, database: Database, shots: Screenshots
) -> None:
    page = admin_page
    token = unique_token("palette")
    ada = database.add_user(f"{token}.ada@example.org")
    [event] = database.add_events(
        ada, [(f"{token} jazz by the river", date(2026, 5, 1), SocialStatus.PUBLIC)]
    )
    page.wait_for_load_state()  # the shortcuts' script has run
    page.keyboard.press("/")
    palette = page.locator("#palette-input")
    expect(palette).to_be_focused()
    palette.press_sequentially(token)
    expect(page.locator("#palette-results")).to_be_visible()
    expect(palette).to_have_attribute("aria-expanded", "true")
    options = page.locator("#palette-results [role=option]")
    expect(options.filter(has_text=f"{token} jazz by the river")).to_have_count(1)
    assert any("See all 1 in Events" in text for text in _palette_options(page))
    shots.take(page, "palette", docs_name="palette.png")
    assert violations(page) == []
    # Arrow down to the event, Enter opens it.
    texts = _palette_options(page)
    target = next(i for i, text in enumerate(texts) if "jazz by the river" in text)
    for _ in range(target):
        palette.press("ArrowDown")
    expect(options.nth(target)).to_have_attribute("aria-selected", "true")
    palette.press("Enter")
    expect(page).to_have_url(re.compile(rf"/admin/event/details/{event.id}$"))
    page.wait_for_load_state()  # the palette's script, which listens for Ctrl+K, has run
    # Ctrl+K works anywhere, the first option (the user) opens with Enter.
    page.keyboard.press("Control+k")
    expect(palette).to_be_focused()
    palette.fill(f"{token}.ada")
    expect(options.first).to_contain_text(f"{token}.ada@example.org")
    palette.press("Enter")
    expect(page).to_have_url(re.compile(rf"/admin/user/details/{ada.id}$"))


def test_a_shared_view_appears_for_another_staff_member_with_the_same_rows(
    browser: Browser, live_server: LiveServer, database: Database, shots: Screenshots
) -> None:
    token = unique_token("views")
    organizer = database.add_user(f"{token}@example.org")
    database.add_events(
        organizer,
        [(f"{token} private {n}", date(2026, 7, n + 1), SocialStatus.PRIVATE) for n in range(3)]
        + [(f"{token} public", date(2026, 7, 9), SocialStatus.PUBLIC)],
    )
    owner = _staff_page(browser, live_server, database, f"{token}-owner")
    owner.goto("/admin/event/list?social_status=private&sortBy=title&sort=asc")
    search(owner, token)
    owner.locator("#save-view summary").click()
    owner.locator("#new-view-name").fill(f"{token} private")
    owner.locator("#new-view-shared").check()
    shots.take(owner, "save-view")
    owner.get_by_role("button", name="Save view", exact=True).click()
    expect(owner.locator("#current-view")).to_contain_text(f"{token} private")
    expect(owner.locator("#current-view")).to_contain_text("shared with everyone")
    expect_flash(owner, f"Saved the view '{token} private'.")
    shots.take(owner, "saved-view", docs_name="saved-view.png")
    assert violations(owner) == []
    mine = list_rows(owner).all_inner_texts()
    assert len(mine) == 3
    other = _staff_page(browser, live_server, database, f"{token}-other")
    link = other.locator("#navbar-menu [data-saved-views=event]").get_by_role(
        "link", name=f"{token} private"
    )
    expect(link).to_be_visible()
    link.click()
    expect(other.locator("#current-view")).to_contain_text(f"{token} private")
    assert list_rows(other).all_inner_texts() == mine
    # The export from the view holds exactly those rows.
    with other.expect_download() as download:
        other.locator("#export-links a", has_text="CSV").click()
    exported = download.value.path().read_text(encoding="utf-8-sig")
    assert exported.count(f"{token} private") == 3 and f"{token} public" not in exported


def test_a_hidden_column_stays_hidden_after_logout_and_login(
    browser: Browser, live_server: LiveServer, database: Database
) -> None:
    token = unique_token("columns")
    page = _staff_page(browser, live_server, database, token)
    page.goto("/admin/event/list")
    page.locator("#column-chooser summary").click()
    page.locator("#show-column-organizer").uncheck()
    page.get_by_role("button", name="Move Title down").click()
    expect(page).to_have_url(re.compile(r"/admin/event/list#column-chooser$"))
    page.get_by_role("button", name="Show these columns").click()
    headers = page.locator("table.card-table thead th")
    # The tick box, the row links, then the four columns left, Date before Title.
    expect(headers).to_have_count(6)
    texts = [h.strip() for h in headers.all_inner_texts()]
    assert texts[2:] == ["ID", "Date", "Title", "Social status"]
    logout(page)
    login(page, f"{token}@staff.example.org", STAFF_PASSWORD)
    page.goto("/admin/event/list")
    texts = [h.strip() for h in page.locator("table.card-table thead th").all_inner_texts()]
    assert texts[2:] == ["ID", "Date", "Title", "Social status"]


def test_shortcuts_do_nothing_while_typing_and_work_outside_fields(
    admin_page: Page, database: Database
) -> None:
    page = admin_page
    token = unique_token("keys")
    organizer = database.add_user(f"{token}@example.org")
    database.add_events(
        organizer, [(f"{token} {n}", date(2026, 8, n + 1), SocialStatus.PUBLIC) for n in range(3)]
    )
    page.goto("/admin/event/list")
    search(page, token)
    listed = page.url
    box = page.locator("#search-input")
    box.fill("")
    box.press_sequentially("gu nej k/?")
    expect(box).to_have_value("gu nej k/?")
    assert page.url == listed
    expect(page.locator("#shortcut-help")).not_to_be_visible()
    box.blur()
    page.locator("h3.card-title").first.click()
    # j / k move through the rows; Enter opens the focused one.
    page.keyboard.press("j")
    page.keyboard.press("j")
    second = list_rows(page).nth(1)
    expect(second).to_be_focused()
    expect(second).to_have_class(re.compile("row-current"))
    page.keyboard.press("k")
    expect(list_rows(page).first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/admin/event/details/\d+$"))
    page.wait_for_load_state()  # the page's scripts, which listen for "e", have run
    # e edits from a detail page; Ctrl+S saves the form.
    page.keyboard.press("e")
    expect(page).to_have_url(re.compile(r"/admin/event/edit/\d+"))
    title = page.locator("input[name=title]")
    title.fill(f"{token} saved with ctrl s")
    title.press("Control+s")
    expect(page).to_have_url(re.compile(r"/admin/event/list"))
    assert database.count_events() > 0
    # ? shows the help, Escape closes it; g u goes to the users.
    page.wait_for_load_state()  # the list's scripts, which listen for "?", have run
    page.keyboard.press("?")
    expect(page.locator("#shortcut-help")).to_be_visible()
    # Its table was fetched from the display page on this first opening (pages ship the frame).
    expect(page.locator("#shortcut-help")).to_contain_text("Next / previous row of a list")
    assert violations(page) == []
    # As tall as its table, not the window.
    help_box = page.locator("#shortcut-help").bounding_box()
    viewport = page.viewport_size
    assert help_box and viewport and help_box["height"] < viewport["height"] - 100
    page.keyboard.press("Escape")
    expect(page.locator("#shortcut-help")).not_to_be_visible()
    page.keyboard.press("g")
    page.keyboard.press("u")
    expect(page).to_have_url(re.compile(r"/admin/user/list$"))
    page.wait_for_load_state()
    page.keyboard.press("n")
    expect(page).to_have_url(re.compile(r"/admin/user/create$"))


def test_single_key_shortcuts_switched_off_leave_ctrl_k(
    browser: Browser, live_server: LiveServer, database: Database
) -> None:
    page = _staff_page(browser, live_server, database, unique_token("keys-off"))
    page.goto("/admin/account/display")
    page.get_by_label("Off: only shortcuts with Ctrl or ⌘ work").check()
    page.get_by_role("button", name="Save", exact=True).click()
    page.goto("/admin/event/list")
    page.wait_for_load_state()
    page.locator("h3.card-title").first.click()
    page.keyboard.press("g")
    page.keyboard.press("u")
    page.keyboard.press("/")
    assert page.url.endswith("/admin/event/list")
    expect(page.locator("#palette-input")).not_to_be_focused()
    page.keyboard.press("Control+k")
    expect(page.locator("#palette-input")).to_be_focused()


def test_a_facet_click_narrows_the_list_to_its_count(admin_page: Page, database: Database) -> None:
    page = admin_page
    token = unique_token("facets")
    organizer = database.add_user(f"{token}@example.org")
    database.add_events(
        organizer,
        [(f"{token} a{n}", date(2026, 9, 1), SocialStatus.PRIVATE) for n in range(2)]
        + [(f"{token} b{n}", date(2026, 10, 1), SocialStatus.PUBLIC) for n in range(3)],
    )
    page.goto("/admin/event/list")
    search(page, token)
    status = page.locator('[data-facet="Social status"]')
    expect(status.locator(".facet-count")).to_have_count(2)
    private = status.locator("li", has_text="Private")
    expect(private.locator(".facet-count")).to_have_text("2")
    private.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"social_status=private"))
    expect(list_rows(page)).to_have_count(2)
    october = page.locator('[data-facet="Month"] li', has_text="Oct 2026")
    expect(october).to_have_count(0)  # the narrowed list has no October rows left
    assert violations(page) == []


@pytest.mark.parametrize("theme", ["dark", "light"])
def test_both_themes_meet_wcag_aa_on_the_new_pages(
    browser: Browser, live_server: LiveServer, database: Database, shots: Screenshots, theme: str
) -> None:
    token = unique_token(f"theme-{theme}")
    organizer = database.add_user(f"{token}@example.org")
    database.add_events(organizer, [(f"{token} night", date(2026, 11, 5), SocialStatus.PRIVATE)])
    page = _staff_page(browser, live_server, database, token)
    page.get_by_role("button", name=f"{theme.capitalize()} theme").click()
    expect(page.locator("html")).to_have_attribute("data-bs-theme", theme)
    for path in [
        "/admin/",
        f"/admin/event/list?search={token}",
        f"/admin/search?q={token}",
        "/admin/account/display",
    ]:
        page.goto(path)
        if "list" in path:
            # Opened from the keyboard: a hovered button is mid-transition for a moment.
            for tool in ("#column-chooser summary", "#save-view summary"):
                page.locator(tool).press("Enter")
            # The chooser's form is fetched when the box opens: check it, not its link.
            expect(page.locator("#column-chooser-form")).to_be_visible()
        found = violations(page)
        assert found == [], (path, "\n".join(found))
    page.goto("/admin/")
    shots.take(
        page, f"dashboard-{theme}", docs_name=f"dashboard-{theme}.png" if theme == "dark" else None
    )
    label = page.locator("#events-per-month .chart-text").first
    fill = label.evaluate("el => getComputedStyle(el).fill")
    background = page.locator(".card").first.evaluate("el => getComputedStyle(el).backgroundColor")
    assert fill != background
