"""The list route's page, rendered by synchronous Jinja (partials.py).

SQLAdmin's `Admin.list`, step for step (keep in step on upgrade), except that everything
list.html would await is awaited here first: permission checks, the filters' lookups, the saved
views, and each row's values and links (rows.py). The page then renders without Jinja's
async runtime, which was most of a list page's CPU.
"""

from collections.abc import Iterable
from typing import Any, cast

from sqladmin import Admin, ModelView
from sqladmin.pagination import Pagination
from starlette import status
from starlette.datastructures import URL
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from admin_app.admin.changelist.rows import gather
from admin_app.admin.changelist.state import ChangeList
from admin_app.admin.core.formatters import QueryPaths, path_only
from admin_app.admin.core.partials import SynchronousPartials
from admin_app.web.serving.route_paths import link

FACETS_TEMPLATE = "list_facets_page.html"
COUNT_TEMPLATE = "list_count_page.html"


async def _page_values(view: ModelView, request: Request) -> dict[str, Any]:
    return {
        "can_export": view.can_export and await view.check_can_export(request),
        "can_create": view.can_create and await view.check_can_create(request),
    }


async def _row_values(
    view: ModelView, request: Request, rows: list[Any], context: dict[str, Any]
) -> dict[str, Any]:
    """What the rows and the filters beside them show (only when the list may be read)."""
    columns = context.get("shown_columns") or view._list_prop_names
    # Columns editable in place are offered when the staff member may edit the rows.
    can_edit_cells = (
        bool(getattr(view, "editable_names", None))
        and bool(rows)
        and await view.check_can_edit(request, rows[0])
    )
    return {
        "filter_lookups": {
            f.parameter_name: list(await f.lookups(request, view.model, view._run_arbitrary_query))
            for f in view.get_filters()
            if hasattr(f, "lookups")
        },
        "columns_shown": columns,
        "can_edit_cells": can_edit_cells,
        "list_rows": await gather(view, request, rows, columns),
    }


async def render(
    admin: Admin, request: Request, *, saved_views: Iterable[Any], pages: SynchronousPartials
) -> Response:
    can_list = await admin._list(request)
    query_paths = QueryPaths(request.url)
    view = admin._find_model_view(request.path_params["identity"])
    context: dict[str, Any] = {
        **await view.list_context(request),
        "request": request,
        "model_view": view,
        "can_list": can_list,
        "can_import": view.can_import and await view.check_can_import(request),
        "saved_views": saved_views,
        # The sort headers', page sizes' and pager's links (about 20 a page).
        "query_paths": query_paths,
        **await _page_values(view, request),
    }
    if can_list:
        pagination = await view.list(request)
        # The pager asks its base for `include_query_params` only, which QueryPaths answers.
        pagination.add_pagination_urls(cast(URL, query_paths))
        request_page = view.validate_page_number(request.query_params.get("page"), 1)
        if request_page != pagination.page:
            return RedirectResponse(
                request.url.include_query_params(page=pagination.page),
                status_code=status.HTTP_302_FOUND,
            )
        context["pagination"] = pagination
        context.update(await _row_values(view, request, pagination.rows, context))
    # SQLAdmin's `?error=` never gets here: PanelAdmin.list redirects it away.
    # Its templates carry no indentation (core/partials.FlushLeft).
    return HTMLResponse(pages.render(view.list_template, context))


async def facets_page(view: Any, request: Request, *, templates: Any) -> Response:
    """The list's facets on a page of their own, for the list's state in the query string: the
    list shows its rows first and its script fetches this page's #facets (a first view paid
    for the facets' sample before any row was shown); without scripts the list links here."""
    changelist = ChangeList.of(view, request)
    list_location = _list_location(view, request)
    context = {
        "model_view": view,
        "list_facets": await changelist.facets(),
        "list_path": list_location.path,
        "list_url": path_only(list_location),
        "title": f"{view.name_plural}: matching rows by",
    }
    page: Response = await templates.TemplateResponse(request, FACETS_TEMPLATE, context)
    return page


async def count_page(view: Any, request: Request, *, templates: Any) -> Response:
    """The list's count and pager on a page of their own, for the list's state in the query
    string: a list whose first page showed its rows before counting them (ChangeList.count)
    names this page; its script fetches #list-count from it, and without scripts it links here."""
    changelist = ChangeList.of(view, request)
    count = await view.list_count(request)
    page, size = changelist.page, changelist.page_size
    pagination = Pagination(rows=[], page=page, page_size=size, count=count)
    list_location = _list_location(view, request)
    pagination.add_pagination_urls(list_location)
    context = {
        "model_view": view,
        "changelist": changelist,
        "pagination": pagination,
        "list_location": list_location,
        "list_url": path_only(list_location),
        "title": f"{view.name_plural}: how many match",
    }
    page_response: Response = await templates.TemplateResponse(request, COUNT_TEMPLATE, context)
    return page_response


def _list_location(view: Any, request: Request) -> URL:
    """The list with this page's query string (the facets and count pages share the list's):
    where their back, value, pager and recount links lead."""
    list_path = path_only(link(request, "admin:list", identity=view.identity))
    return request.url.replace(path=list_path)
