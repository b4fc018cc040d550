"""The panel's pages for working fast: the global search (command palette), saved views, the
column chooser, and each staff member's display settings (theme, single-key shortcuts)."""

from typing import Any
from urllib.parse import urlencode

import anyio.to_thread
from sqladmin.authentication import login_required
from sqlalchemy.orm import Session, sessionmaker
from starlette.datastructures import URL, QueryParams
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from admin_app.admin.changelist import saved_views
from admin_app.admin.changelist.columns import (
    COLUMNS,
    ColumnChoiceRefused,
    chosen_in_form,
    hidden_columns,
    shown_columns,
)
from admin_app.admin.forms.feedback import flash
from admin_app.admin.site import global_search
from admin_app.admin.site.login_pages import LoginPages
from admin_app.admin.views.base import PanelModelView
from admin_app.db import sync_factory
from admin_app.models import VIEW_NAME_MAX_LENGTH
from admin_app.staff import preferences
from admin_app.staff.preferences import THEMES
from admin_app.web.auth import STAFF_STATE, preferences_of
from admin_app.web.edge.redirects import safe_next_path
from admin_app.web.form_bodies import text_form

SEARCH_TEMPLATE = "global_search.html"
SEARCH_FRAGMENT = "search_results.html"
DISPLAY_TEMPLATE = "account_display.html"
SAVED_VIEWS_TEMPLATE = "saved_views.html"
COLUMNS_TEMPLATE = "list_columns_page.html"


def _list_location(back: str, list_path: str) -> URL:
    """Where a column choice returns: the list at `back` (its query kept), else the list."""
    location = URL(safe_next_path(back) or list_path)
    return location if location.path == list_path else URL(list_path)


class QuickAccess(LoginPages):
    def quick_routes(self) -> list[Route]:
        return [
            Route("/search", endpoint=self.search, name="search", methods=["GET"]),
            Route(
                "/{identity}/saved-views",
                endpoint=self.save_view,
                name="save_view",
                methods=["GET", "POST"],
            ),
            Route(
                "/{identity}/saved-view/{pk}",
                endpoint=self.saved_view,
                name="saved_view",
                methods=["GET", "POST"],
            ),
            Route(
                "/{identity}/columns",
                endpoint=self.choose_columns,
                name="columns",
                methods=["GET", "POST"],
            ),
            Route(
                "/account/display",
                endpoint=self.display,
                name="display",
                methods=["GET", "POST"],
            ),
        ]

    @property
    def sync_sessions(self) -> sessionmaker[Session]:
        """The panel's session factory (it always runs on a synchronous engine)."""
        return sync_factory(self.session_maker)

    def list_names(self, request: Request) -> dict[str, str]:
        """The lists this staff member may open, by identity: the ones views can be saved of."""
        return {
            view.identity: view.name_plural
            for view in self.views
            if isinstance(view, PanelModelView) and view.is_accessible(request)
        }

    async def saved_views_of(self, request: Request) -> saved_views.ViewMenu:
        return await saved_views.views_for(request, self.sync_sessions, self.list_names(request))

    def _list_view(self, request: Request) -> Any:
        view = self._find_model_view(request.path_params["identity"])
        if view.identity not in self.list_names(request):
            raise HTTPException(status_code=404)
        return view

    @login_required
    async def search(self, request: Request) -> Response:
        """Users, events and pages matching `q`; `fragment=1` is the palette's results alone."""
        term = global_search.cleaned(request.query_params.get("q", ""))
        groups = []
        if len(term) >= global_search.MIN_RECORD_TERM:
            lists = self.list_names(request)
            for view in self.views:
                if view.identity in lists:
                    group = await global_search.record_group(view, request, term)
                    if group is not None:
                        groups.append(group)
        if term:
            views = await anyio.to_thread.run_sync(
                saved_views.views_named,
                request,
                self.sync_sessions,
                self.list_names(request),
                term,
            )
            groups.append(global_search.page_group(request, self._menu.items, views, term))
        context = {
            "term": term,
            "groups": groups,
            "short": 0 < len(term) < global_search.MIN_RECORD_TERM,
            "min_record_term": global_search.MIN_RECORD_TERM,
            "title": "Search",
        }
        fragment = request.query_params.get("fragment") == "1"
        template = SEARCH_FRAGMENT if fragment else SEARCH_TEMPLATE
        return await self.templates.TemplateResponse(request, template, context)

    @login_required
    async def save_view(self, request: Request) -> Response:
        """A list's saved views, found by name (GET); save the list as it stands (filters,
        search, sort, page size, columns) under a name (POST)."""
        view = self._list_view(request)
        if not await view.check_can_list(request):
            raise HTTPException(status_code=403)
        if request.method == "GET":
            return await self._saved_views_page(request, view)
        form = await text_form(request)
        return await saved_views.save(request, view, self.sync_sessions, form)

    async def _saved_views_page(self, request: Request, view: Any) -> Response:
        search = " ".join(request.query_params.get("search", "").split())[:VIEW_NAME_MAX_LENGTH]
        found = await anyio.to_thread.run_sync(
            saved_views.views_of_list,
            request,
            self.sync_sessions,
            self.list_names(request),
            view.identity,
            search,
        )
        context = {
            "model_view": view,
            "views": found[: saved_views.SEARCH_LIMIT],
            "more": len(found) > saved_views.SEARCH_LIMIT,
            "search": search,
            "title": f"Saved views of {view.name_plural}",
        }
        return await self.templates.TemplateResponse(request, SAVED_VIEWS_TEMPLATE, context)

    @login_required
    async def saved_view(self, request: Request) -> Response:
        """A saved view's stable URL: opens the list (GET); renames, shares, deletes (POST)."""
        view = self._list_view(request)
        form = await text_form(request) if request.method == "POST" else None
        names = self.list_names(request)
        return await saved_views.open_or_change(request, view, self.sync_sessions, names, form)

    @login_required
    async def choose_columns(self, request: Request) -> Response:
        """The column chooser: its form (GET, for the list at `back`), and this staff member's
        columns for the list remembered (POST)."""
        view = self._list_view(request)
        list_path = URL(str(request.url_for("admin:list", identity=view.identity))).path
        if request.method != "POST":
            back = _list_location(request.query_params.get("back", ""), list_path)
            shown = shown_columns(view, QueryParams(back.query), preferences_of(request))
            context = {
                "model_view": view,
                "shown_columns": shown,
                "hidden_columns": hidden_columns(view, shown),
                "back": str(back),
                "on_page": True,
                "title": f"{view.name_plural}: columns",
            }
            return await self.templates.TemplateResponse(request, COLUMNS_TEMPLATE, context)
        form = await text_form(request)
        back = _list_location(str(form.get("back", "")), list_path).remove_query_params([COLUMNS])
        try:
            chosen = chosen_in_form(view, form)
        except ColumnChoiceRefused as refused:
            flash(request, f"The columns were not changed: {refused}", category="danger")
            return RedirectResponse(str(back), status_code=303)
        staff_id = int(request.session[STAFF_STATE])

        def save() -> None:
            with self.sync_sessions() as session:
                preferences.choose_columns(
                    session, staff_id=staff_id, identity=view.identity, columns=chosen
                )

        await anyio.to_thread.run_sync(save)
        if not form.get("move"):
            return RedirectResponse(str(back), status_code=303)
        if form.get("on_page"):  # moved on the chooser's own page (no scripts): back there
            here = request.url.path + "?" + urlencode({"back": str(back)})
            return RedirectResponse(here, status_code=303)
        return RedirectResponse(f"{back}#column-chooser", status_code=303)

    @login_required
    async def display(self, request: Request) -> Response:
        """Theme (follow the system, light, dark) and whether single-key shortcuts are on."""
        current = preferences_of(request)
        if request.method != "POST":
            context = {"current": current, "themes": THEMES, "title": "Display and shortcuts"}
            return await self.templates.TemplateResponse(request, DISPLAY_TEMPLATE, context)
        form = await text_form(request)
        theme = str(form.get("theme", current.theme))
        if theme not in THEMES:
            raise HTTPException(
                status_code=400, detail=f"Choose a theme among {', '.join(THEMES)}."
            )
        shortcuts = current.single_key_shortcuts
        if "shortcuts" in form:
            shortcuts = form.get("shortcuts") == "on"
        staff_id = int(request.session[STAFF_STATE])

        def save() -> None:
            with self.sync_sessions() as session:
                preferences.choose_display(
                    session, staff_id=staff_id, theme=theme, single_key_shortcuts=shortcuts
                )

        await anyio.to_thread.run_sync(save)
        back = safe_next_path(str(form.get("back", ""))) or str(request.url_for("admin:display"))
        return RedirectResponse(back, status_code=303)
