"""A list page's rows, rendered by a synchronous template (partials.py).

In SQLAdmin's async template every call in the row loop (three permission checks, a value per
column, three links) was an awaited coroutine wrapped by Jinja's runtime: about 35 per row, the
largest part of a list page's CPU. Here the same hooks are awaited in plain Python (a view's
overrides still apply), and `list_rows.html` writes the `<tr>`s from the gathered values.
"""

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup
from sqladmin import ModelView
from sqladmin.helpers import get_object_identifier
from starlette.requests import Request

from admin_app.admin.formatters import path_only
from admin_app.admin.partials import SynchronousPartials

ROWS_TEMPLATE = "list_rows.html"


@dataclass(frozen=True)
class Link:
    href: str
    text: Any


@dataclass(frozen=True)
class Cell:
    text: Any = ""
    # A relation shown as a link to its record's details.
    link: str | None = None
    # A to-many relation: one entry per related record (with a link when it has one).
    items: tuple[Link, ...] | None = None


@dataclass(frozen=True)
class Row:
    pk: str
    version: Any
    details: str | None
    edit: str | None
    delete: str | None
    cells: tuple[Cell, ...]


async def _cell(view: ModelView, request: Request, row: Any, name: str) -> Cell:
    value, shown = await view.get_list_value(row, name, request)
    as_link = name not in view._non_link_related_fields
    if name in view._relation_names and isinstance(value, (list, set)):
        return Cell(
            items=tuple(
                Link(
                    href=path_only(view._build_url_for("admin:details", request, elem))
                    if as_link
                    else "",
                    text=text,
                )
                for elem, text in zip(value, shown, strict=False)
            )
        )
    if name in view._relation_names and as_link:
        return Cell(text=shown, link=path_only(view._url_for_details_with_prop(request, row, name)))
    return Cell(text=shown)


async def _row(view: ModelView, request: Request, row: Any, columns: list[str]) -> Row:
    query = request.url.query  # the edit page returns to the list as it was
    edit = None
    if await view.check_can_edit(request, row):
        edit = path_only(view._build_url_for("admin:edit", request, row)) + (
            f"?{query}" if query else ""
        )
    return Row(
        pk=str(get_object_identifier(row)),
        version=getattr(row, "version", None),
        details=(
            path_only(view._build_url_for("admin:details", request, row))
            if await view.check_can_view_details(request, row)
            else None
        ),
        edit=edit,
        delete=(
            path_only(view._url_for_delete(request, row))
            if await view.check_can_delete(request, row)
            else None
        ),
        cells=tuple([await _cell(view, request, row, name) for name in columns]),
    )


class RowRenderer:
    def __init__(self, partials: SynchronousPartials) -> None:
        self.partials = partials

    async def __call__(
        self,
        request: Request,
        view: ModelView,
        rows: list[Any],
        columns: list[str],
        *,
        versions: bool,
        all_matching: bool,
        excluded: list[str],
    ) -> Markup:
        """The `<tr>`s of `rows`: `versions` marks each with its row version (for cells edited
        in place); with `all_matching`, every box starts ticked except the `excluded` keys."""
        gathered = [await _row(view, request, row, columns) for row in rows]
        return self.partials(
            ROWS_TEMPLATE,
            request=request,
            view=view,
            rows=gathered,
            versions=versions,
            all_matching=all_matching,
            excluded=set(excluded),
            compact=view.show_compact_lists,
        )
