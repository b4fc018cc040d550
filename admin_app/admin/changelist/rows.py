"""A list page's rows: their values gathered (the view's hooks awaited), then written as HTML.

In SQLAdmin's async template every call in the row loop (three permission checks, a value per
column, three links) was an awaited coroutine wrapped by Jinja's runtime: about 35 per row, the
largest part of a list page's CPU. Here the same hooks are awaited in plain Python (a view's
overrides still apply): `gather`.

The gathered rows were then a Jinja template (list_rows.html) until the list's CPU was measured
under load: its loop over 25 rows and their cells, each value through Jinja's escaping and
attribute lookups, was a tenth of the page's CPU. Each row is now one joined string
(`list_rows_html`), which list.html includes as markup, having worked out what the rows depend
on (boxes, the all-matching selection, editable cells).

Rows are written flush left, links are paths, and the row icons carry their name in `title` (the
browser's own tooltip): a page of 25 rows was mostly indentation and repeated attributes. The
row's id is its box's value; the icons are drawn by CSS (panel.css, .row-links, told apart by
their links), and the delete link opens the dialog, which names the row from its box (panel.js).
"""

from collections.abc import Collection, Iterable
from typing import Any, NamedTuple

from markupsafe import Markup, escape
from sqladmin import ModelView, gettext
from sqladmin.authorization import GrantsAuthorizationBackend
from starlette.requests import Request

from admin_app.admin.changelist.links import RowPaths
from admin_app.admin.core.formatters import wrap_points


class Link(NamedTuple):
    href: str
    text: Any


# Tuples, not frozen dataclasses: a page makes about 150 (a frozen dataclass's __init__ sets
# each field through object.__setattr__, three times slower).
class Cell(NamedTuple):
    text: Any = ""
    # A relation shown as a link to its record's details.
    link: str | None = None
    # A to-many relation: one entry per related record (with a link when it has one).
    items: tuple[Link, ...] | None = None


class Row(NamedTuple):
    pk: str
    version: Any
    details: str | None
    edit: str | None
    delete: str | None
    cells: tuple[Cell, ...]


class _Rights(NamedTuple):
    """Which of a row's links a staff member may follow."""

    details: bool
    edit: bool
    delete: bool


_ROW_CHECKS = ("check_can_view_details", "check_can_edit", "check_can_delete", "has_permission")


def _same_for_every_row(view: ModelView) -> bool:
    """Whether a row's links cannot depend on the row: SQLAdmin's own checks, asking a grants
    backend, which reads the request's grants only. Then they are asked once a page, not three
    times a row; a view with checks of its own, or another backend, is asked row by row."""
    backend = getattr(getattr(view, "_admin_ref", None), "authorization_backend", None)
    return (
        all(getattr(type(view), name) is getattr(ModelView, name) for name in _ROW_CHECKS)
        and backend is not None
        and type(backend).has_permission is GrantsAuthorizationBackend.has_permission
    )


async def _rights(view: ModelView, request: Request, row: Any) -> _Rights:
    return _Rights(
        details=await view.check_can_view_details(request, row),
        edit=await view.check_can_edit(request, row),
        delete=await view.check_can_delete(request, row),
    )


async def _cell(view: ModelView, request: Request, paths: RowPaths, row: Any, name: str) -> Cell:
    value, shown = await view.get_list_value(row, name, request)
    if name not in view._relation_names:
        return Cell(shown)
    as_link = name not in view._non_link_related_fields
    if isinstance(value, (list, set)):
        return Cell(
            items=tuple(
                Link(paths.details(elem) if as_link else "", text)
                for elem, text in zip(value, shown, strict=False)
            )
        )
    if as_link:
        # SQLAdmin's _url_for_details_with_prop: no link to a missing related row.
        target = getattr(row, name, None)
        return Cell(shown, None if target is None else paths.details(target))
    return Cell(shown)


async def gather(
    view: ModelView, request: Request, rows: list[Any], columns: list[str]
) -> list[Row]:
    paths = RowPaths(view, request)
    query = request.url.query  # the edit page returns to the list as it was
    back = f"?{query}" if query else ""
    page_rights = await _rights(view, request, None) if _same_for_every_row(view) else None
    gathered = []
    for row in rows:
        rights = page_rights if page_rights is not None else await _rights(view, request, row)
        gathered.append(
            Row(
                pk=paths.key(row),
                version=getattr(row, "version", None),
                details=paths.details(row) if rights.details else None,
                edit=paths.edit(row) + back if rights.edit else None,
                delete=paths.delete(row) if rights.delete else None,
                cells=tuple([await _cell(view, request, paths, row, name) for name in columns]),
            )
        )
    return gathered


def list_rows_html(
    rows: Iterable[Row],
    *,
    compact: bool,
    can_select: bool,
    can_edit_cells: bool,
    all_matching: bool,
    excluded: Collection[str],
) -> Markup:
    """The rows of a list's <tbody>. `compact`: to-many cells on one line (SQLAdmin's
    `show_compact_lists`); `excluded`: rows unticked from an all-matching selection."""
    labels = _Labels()
    return Markup(
        "".join(
            _row_html(row, labels, compact, can_select, can_edit_cells, all_matching, excluded)
            for row in rows
        )
    )


class _Labels:
    """The row's words, translated once per page."""

    def __init__(self) -> None:
        self.select = escape(gettext("Select item"))
        self.view = escape(gettext("View"))
        self.edit = escape(gettext("Edit"))
        self.delete = escape(gettext("Delete"))


def _row_html(
    row: Row,
    labels: _Labels,
    compact: bool,
    can_select: bool,
    can_edit_cells: bool,
    all_matching: bool,
    excluded: Collection[str],
) -> str:
    pk = _escaped(row.pk)
    opening = "<tr"
    if can_edit_cells:
        opening += f' data-version="{_escaped(row.version)}"'
        if not can_select:
            opening += f' data-pk="{pk}"'
    parts = [opening, ">"]
    if can_select:
        checked = " checked" if all_matching and row.pk not in excluded else ""
        parts.append(
            '<td><input class="form-check-input select-box" type="checkbox"'
            f' value="{pk}" aria-label="{labels.select} {pk}"{checked}></td>'
        )
    parts.append('<td class="row-links">')
    if row.details:
        parts.append(f'<a href="{_escaped(row.details)}" title="{labels.view}"></a>')
    if row.edit:
        parts.append(f'<a href="{_escaped(row.edit)}" title="{labels.edit}"></a>')
    if row.delete:
        parts.append(
            f'<a class="row-delete" href="#" data-url="{_escaped(row.delete)}"'
            f' title="{labels.delete}"></a>'
        )
    parts.append("</td>\n")
    parts.extend(_cell_html(cell, compact) for cell in row.cells)
    parts.append("</tr>\n")
    return "".join(parts)


def _cell_html(cell: Cell, compact: bool) -> str:
    if cell.items is not None:
        return (
            "<td>"
            + "".join(_item_html(item.href, item.text, compact) for item in cell.items)
            + "</td>\n"
        )
    if cell.link:
        return f'<td><a href="{_escaped(cell.link)}">{_shown(cell.text)}</a></td>\n'
    return f"<td>{_shown(cell.text)}</td>\n"


def _item_html(href: str, text: Any, compact: bool) -> str:
    """One related record in a to-many cell: linked when it has a page, on a line of its own
    unless the list is compact."""
    if href:
        linked = f'<a href="{_escaped(href)}">'
        return f"{linked}({_shown(text)})</a>\n" if compact else f"{linked}{_shown(text)}</a><br>\n"
    return f"({_escaped(text)})\n" if compact else f"{_escaped(text)}<br>\n"


def _shown(value: Any) -> str:
    """A value as the template wrote it: None as "None", emails with their wrap points."""
    return _escaped(wrap_points(value))


def _escaped(value: Any) -> str:
    """What markupsafe's escape() writes, as plain text: its Markup object for each of the
    page's 250 values (made in Python, with its checks) was a twentieth of the list's CPU.
    The rows' HTML becomes markup once, whole (list_rows_html)."""
    if hasattr(value, "__html__"):
        return str(value.__html__())
    text = value if type(value) is str else str(value)
    return (
        text.replace("&", "&amp;")
        .replace(">", "&gt;")
        .replace("<", "&lt;")
        .replace("'", "&#39;")
        .replace('"', "&#34;")
    )
