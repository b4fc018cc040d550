"""One look: controls follow the dark theme, selects show their arrow, the sidebar's colour
runs down a long page, and a narrow window puts the facets under the list."""

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e


def _luminance(colour: str) -> float | None:
    """Relative luminance of "rgb(r, g, b)" (None for a transparent colour)."""
    numbers = [float(n) for n in re.findall(r"[\d.]+", colour)]
    if len(numbers) == 4 and numbers[3] == 0:
        return None

    def channel(value: float) -> float:
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(n) for n in numbers[:3])
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def _background(page: Page, selector: str) -> str:
    return str(page.locator(selector).first.evaluate("el => getComputedStyle(el).backgroundColor"))


def test_controls_follow_the_dark_theme(admin_page: Page) -> None:
    page = admin_page
    page.emulate_media(color_scheme="dark")
    page.goto("/admin/event/list")
    # Issue 27 item 8: the Actions button and the page-size menu stayed white.
    for selector in ("#dropdownMenuButton", ".card-footer .dropdown-toggle"):
        shade = _luminance(_background(page, selector))
        assert shade is None or shade < 0.2, (selector, _background(page, selector))
    page.goto("/admin/event/create")
    page.wait_for_selector(".select2-selection--single")
    picker = _luminance(_background(page, ".select2-selection--single"))
    assert picker is not None and picker < 0.2, _background(page, ".select2-selection--single")


def test_selects_show_their_arrow_and_the_sidebar_runs_to_the_foot(admin_page: Page) -> None:
    page = admin_page
    page.goto("/admin/event/create")
    arrow = page.locator("select#social_status").evaluate(
        "el => getComputedStyle(el).backgroundImage"
    )
    assert "svg" in arrow
    page.goto("/admin/event/list")
    assert "gradient" in page.locator(".wrapper").evaluate(
        "el => getComputedStyle(el).backgroundImage"
    )


def test_a_narrow_window_puts_the_facets_under_the_list(admin_page: Page) -> None:
    page = admin_page
    page.set_viewport_size({"width": 800, "height": 800})
    page.goto("/admin/event/list")
    # The facets arrive after the rows (panel.js swaps its link for them): measure those.
    expect(page.locator("#facets[data-facets-url]")).to_have_count(0)
    table = page.locator("table.card-table").bounding_box()
    facets = page.locator("#facets").bounding_box()
    assert table and facets and facets["y"] >= table["y"] + table["height"]
    assert facets["width"] > 400  # the list's width, not a squeezed column
