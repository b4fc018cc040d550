"""Each staff member's display: theme (follow the system, light, dark) and single-key shortcuts
(WCAG 2.1.4: they can be switched off), rendered by the server on every page."""

import re

from fastapi.testclient import TestClient

from tests.html_client import form_with_id, submit


def _html_tag(page: str) -> str:
    found = re.search(r"<html[^>]*>", page)
    assert found is not None
    return found.group(0)


def test_the_theme_follows_the_system_until_chosen(client: TestClient) -> None:
    page = client.get("/admin/").text
    assert 'data-theme-choice="auto"' in _html_tag(page) and "data-bs-theme" not in _html_tag(page)
    assert 'content="light dark"' in page
    response = client.post(
        "/admin/account/display",
        data={"theme": "dark", "back": "/admin/event/list?search=x"},
        follow_redirects=False,
    )
    assert (
        response.status_code == 303 and response.headers["location"] == "/admin/event/list?search=x"
    )
    for path in ["/admin/", "/admin/event/list", "/admin/search?q=a"]:
        assert 'data-bs-theme="dark"' in _html_tag(client.get(path).text), path
    client.post("/admin/account/display", data={"theme": "light"})
    assert 'data-bs-theme="light"' in _html_tag(client.get("/admin/").text)


def test_the_top_bar_switch_works_without_scripts(client: TestClient) -> None:
    client.headers.pop("X-CSRF-Token")
    page = client.get("/admin/event/list")
    form = form_with_id(page, "theme-switch")
    response = submit(client, page, form, [*form.values(), ("theme", "dark")])
    assert response.status_code == 303 and response.headers["location"] == "/admin/event/list"
    assert 'aria-pressed="true"' in client.get("/admin/").text.split('value="dark"')[1][:200]


def test_single_key_shortcuts_can_be_switched_off(client: TestClient) -> None:
    assert 'data-single-key-shortcuts="on"' in client.get("/admin/").text
    client.post("/admin/account/display", data={"theme": "auto", "shortcuts": "off"})
    assert 'data-single-key-shortcuts="off"' in client.get("/admin/event/list").text
    # The help (fetched from the display page) says so.
    assert (
        "Single-key shortcuts are <strong>off</strong>" in client.get("/admin/account/display").text
    )
    # The top bar's theme switch leaves the shortcut choice alone.
    client.post("/admin/account/display", data={"theme": "dark"})
    assert 'data-single-key-shortcuts="off"' in client.get("/admin/").text


def test_the_help_lists_every_shortcut(client: TestClient) -> None:
    page = client.get("/admin/account/display").text
    for keys in [
        "<kbd>/</kbd>",
        "<kbd>K</kbd>",
        "<kbd>g</kbd> then <kbd>u</kbd>",
        "<kbd>n</kbd>",
        "<kbd>e</kbd>",
        "<kbd>j</kbd> / <kbd>k</kbd>",
        "<kbd>S</kbd>",
        "<kbd>?</kbd>",
    ]:
        assert keys in page, keys
    assert '<a href="/admin/user/list">Users</a>' in page


def test_pages_name_where_go_to_leads_and_fetch_the_help_from_the_display_page(
    client: TestClient,
) -> None:
    """A page carries the "g u" / "g e" targets on its help link, and no help dialog: most visits
    never open it, so shortcuts.js fetches it from the display page (the link's target), which
    carries the dialog with its table and the state of single-key shortcuts."""
    page = client.get("/admin/event/list").text
    button = page.split('id="shortcut-help-button"')[1].split(">")[0]
    assert 'data-go-u="/admin/user/list"' in button and 'data-go-e="/admin/event/list"' in button
    assert 'href="/admin/account/display#shortcuts" id="shortcut-help-button"' in page
    assert 'id="shortcut-help"' not in page and "<kbd>j</kbd> / <kbd>k</kbd>" not in page
    display = client.get("/admin/account/display").text
    dialog = display.split('<dialog id="shortcut-help"')[1].split("</dialog>")[0]
    assert "<kbd>j</kbd> / <kbd>k</kbd>" in dialog
    assert "Single-key shortcuts are <strong>on</strong>" in dialog


def test_an_unknown_theme_is_a_400_and_changes_nothing(client: TestClient) -> None:
    response = client.post("/admin/account/display", data={"theme": "purple"})
    assert response.status_code == 400
    assert 'data-theme-choice="auto"' in client.get("/admin/").text
