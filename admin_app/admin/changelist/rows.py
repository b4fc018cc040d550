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

from admin_app.admin.changelist.links import RowPaths


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


async def _cell(view: ModelView, request: Request, paths: RowPaths, row: Any, name: str) -> Cell:
    value, shown = await view.get_list_value(row, name, request)
    if name not in view._relation_names:
        return Cell(text=shown)
    as_link = name not in view._non_link_related_fields
    if isinstance(value, (list, set)):
        return Cell(
            items=tuple(
                Link(href=paths.details(elem) if as_link else "", text=text)
                for elem, text in zip(value, shown, strict=False)
            )
        )
    if as_link:
        # SQLAdmin's _url_for_details_with_prop: no link to a missing related row.
        target = getattr(row, name, None)
        return Cell(text=shown, link=None if target is None else paths.details(target))
    return Cell(text=shown)


async def _row(
    view: ModelView, request: Request, paths: RowPaths, row: Any, columns: list[str], back: str
) -> Row:
    return Row(
        pk=str(get_object_identifier(row)),
        version=getattr(row, "version", None),
        details=paths.details(row) if await view.check_can_view_details(request, row) else None,
        edit=paths.edit(row) + back if await view.check_can_edit(request, row) else None,
        delete=paths.delete(row) if await view.check_can_delete(request, row) else None,
        cells=tuple([await _cell(view, request, paths, row, name) for name in columns]),
    )


async def gather(
    view: ModelView, request: Request, rows: list[Any], columns: list[str]
) -> list[Row]:
    paths = RowPaths(view, request)
    query = request.url.query  # the edit page returns to the list as it was
    back = f"?{query}" if query else ""
    return [await _row(view, request, paths, row, columns, back) for row in rows]
