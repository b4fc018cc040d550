"""The sidebar's menu, kept once rendered (site/sidebar.py): each page still shows the menu its
staff member, its place and its saved views call for, whatever page was rendered before it."""

import re

import pytest
from fastapi.testclient import TestClient
from sqladmin import BaseView, ModelView
from sqlalchemy.orm import Session

from admin_app.models import StaffRole
from tests.conftest import RoleClient

MENU = re.compile(r'<ul class="navbar-nav">(.*?)</ul>\s*</div>\s*</nav>', re.S)


def _menu(page: str) -> str:
    found = MENU.search(page)
    assert found is not None, "the page has its sidebar menu"
    return found.group(1)


def _active(menu: str) -> list[str]:
    return re.findall(r'class="nav-link active" href="([^"]+)"', menu)


def test_each_role_sees_its_own_menu_on_the_same_page(
    client: TestClient, client_as: RoleClient
) -> None:
    as_admin = _menu(client.get("/admin/event/list").text)
    as_viewer = _menu(client_as(StaffRole.VIEWER).get("/admin/event/list").text)
    assert 'href="/admin/staff/list"' in as_admin
    assert 'href="/admin/staff/list"' not in as_viewer
    assert 'href="/admin/event/list"' in as_viewer
    # And back: the admin's menu is not the viewer's kept one.
    assert _menu(client.get("/admin/event/list").text) == as_admin


def test_the_active_item_follows_the_page(client: TestClient) -> None:
    assert _active(_menu(client.get("/admin/event/list").text)) == ["/admin/event/list"]
    assert _active(_menu(client.get("/admin/user/list").text)) == ["/admin/user/list"]
    assert _active(_menu(client.get("/admin/event/list?page=1").text)) == ["/admin/event/list"]


def test_an_error_page_before_the_list_leaves_the_lists_menu_whole(client: TestClient) -> None:
    whole = _menu(client.get("/admin/event/list").text)
    missing = client.get("/admin/event/details/999999")
    assert missing.status_code == 404
    nowhere = client.get("/admin/event/no-such-page")
    assert nowhere.status_code == 404
    # Refused before any view ran (the route takes no POST): the page has the staff member's
    # role but no grants were loaded, so its menu is empty; the list's is not.
    refused = client.post("/admin/event/list")
    assert refused.status_code == 405
    assert _menu(client.get("/admin/event/list").text) == whole


def test_a_saved_view_shows_in_the_menu_as_soon_as_it_is_saved_and_renamed(
    client: TestClient, db: Session
) -> None:
    before = _menu(client.get("/admin/event/list").text)
    assert "Jazz only" not in before
    saved = client.post(
        "/admin/event/saved-views",
        data={"name": "Jazz only", "state": "search=jazz"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert ">Jazz only<" in _menu(client.get("/admin/event/list").text)
    view_path = saved.headers["location"]
    renamed = client.post(
        view_path, data={"action": "rename", "name": "Jazz, all of it"}, follow_redirects=False
    )
    assert renamed.status_code == 303, renamed.text
    menu = _menu(client.get("/admin/event/list").text)
    assert ">Jazz, all of it<" in menu and "Jazz only" not in menu


@pytest.mark.parametrize("method", ["is_visible", "is_accessible"])
def test_the_panels_views_show_by_their_grants_alone(client: TestClient, method: str) -> None:
    """site/sidebar.py keeps the menu by the grants: a view deciding by anything else would
    need its own part of that key."""
    panel = client.app.state.panel  # type: ignore[attr-defined]
    for view in panel.views:
        base = ModelView if isinstance(view, ModelView) else BaseView
        assert getattr(type(view), method) is getattr(base, method), (view, method)
