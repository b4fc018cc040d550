"""The sidebar's menu (sidebar_menu.html), rendered once for each thing it can show.

Every page carries the menu, and rendering it asked each menu item whether the staff member may
see it (SQLAdmin walks the view's actions through the authorization backend), where it leads and
whether it is the current page: a tenth of a list page's CPU under load. What the menu shows is
a function of a few values only, so the markup is kept by them:

- the request's grants (site/roles.py, the role's; none when they were not loaded, as on an
  error page outside the login check): they decide every item's visibility;
- where the page is (the list it belongs to, or the path of a page of its own: the active item);
- the saved view it opens (`?view=`, marked current) and the saved views it names.

The panel's views decide whether they show by the grants alone (none overrides `is_visible` or
`is_accessible`; tests/admin/site/test_sidebar.py holds that): a view that looked at anything
else would need its own part of the key.
"""

from collections.abc import Callable, Hashable
from typing import Any

from markupsafe import Markup
from sqladmin.authorization import _GRANTS_STATE_ATTR
from starlette.requests import Request

from admin_app.admin.changelist.saved_views import VIEW, ViewMenu

TEMPLATE = "sidebar_menu.html"
# Roles times pages times saved views shown: a few hundred in a busy panel.
MEMO_SIZE = 1024


class SidebarMenus:
    def __init__(self, render: Callable[..., Markup]) -> None:
        self.render = render
        self.made: dict[Hashable, Markup] = {}

    def __call__(self, request: Request, admin: Any, saved_views: ViewMenu) -> Markup:
        key = _shown_by(request, saved_views)
        menu = self.made.get(key)
        if menu is None:
            if len(self.made) >= MEMO_SIZE:
                self.made.clear()
            menu = self.made[key] = self.render(
                TEMPLATE, request=request, admin=admin, saved_views=saved_views
            )
        return menu


def _shown_by(request: Request, saved_views: ViewMenu) -> Hashable:
    grants = getattr(request.state, _GRANTS_STATE_ATTR, None)
    return (
        None if grants is None else frozenset(grants),
        # A list's pages are active by their list; a page of its own by its path.
        request.path_params.get("identity") or request.url.path,
        request.query_params.get(VIEW),
        tuple(saved_views.links),
        tuple(sorted(saved_views.totals.items())),
    )
