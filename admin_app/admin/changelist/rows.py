"""A list page's rows, gathered for row_markup.py, which writes them as HTML (page.py).

In SQLAdmin's async template every call in the row loop (three permission checks, a value per
column, three links) was an awaited coroutine wrapped by Jinja's runtime: about 35 per row, the
largest part of a list page's CPU. Here the same hooks are awaited in plain Python (a view's
overrides still apply), and row_markup.py writes the gathered values.
"""

from dataclasses import dataclass
from typing import Any

from sqladmin import ModelView
from sqladmin.helpers import get_object_identifier
from starlette.requests import Request

from admin_app.admin.core.formatters import path_only


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


async def gather(
    view: ModelView, request: Request, rows: list[Any], columns: list[str]
) -> list[Row]:
    return [await _row(view, request, row, columns) for row in rows]
