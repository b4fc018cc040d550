"""The routes for working fast (admin/site/quick_access.py): the search box on every page, and
saved views found by name."""

import re

from fastapi.testclient import TestClient


def _groups(page: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for section in re.findall(r'<section class="search-group".*?</section>', page, re.S):
        title = re.search(r'class="search-group-title[^"]*"[^>]*>([^<]+)<', section)
        assert title is not None
        found[title.group(1)] = re.findall(
            r'class="search-hit[^"]*" href="[^"]*">(?:<span class="search-hit-label">)?([^<]+)<',
            section,
        )
    return found


def test_every_page_has_the_search_box(client: TestClient) -> None:
    for path in ["/admin/", "/admin/event/list", "/admin/user/create", "/admin/recently-deleted"]:
        page = client.get(path).text
        assert 'id="palette-input" name="q"' in page, path
        assert 'action="/admin/search"' in page


def test_saved_views_are_found_by_name(client: TestClient) -> None:
    client.post("/admin/event/saved-views", data={"name": "Morning check", "state": "search=x"})
    page = client.get("/admin/search", params={"q": "morning"}).text
    assert _groups(page)["Pages and saved views"] == ["Morning check"]
    assert re.search(r'href="/admin/event/saved-view/\d+"', page)
