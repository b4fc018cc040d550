"""A list page's rows as HTML, written in Python from the values rows.py gathered.

They were a Jinja template (list_rows.html) until the list's CPU was measured under load: its
loop over 25 rows and their cells, each value through Jinja's escaping and attribute lookups,
was a tenth of a list page's CPU, the largest part left in the page's templates. Here each row
is one joined string, written once per row. list.html includes it as markup (`list_rows_html`),
having worked out what the rows depend on (boxes, the all-matching selection, editable cells).

Rows are written flush left, links are paths, and the row icons carry their name in `title` (the
browser's own tooltip): a page of 25 rows was mostly indentation and repeated attributes. The
row's id is its box's value; the icons are drawn by CSS (panel.css, .row-links, told apart by
their links), and the delete link opens the dialog, which names the row from its box (panel.js).
"""

from collections.abc import Collection, Iterable
from typing import Any

from markupsafe import Markup, escape
from sqladmin import gettext

from admin_app.admin.changelist.rows import Cell, Row
from admin_app.admin.core.formatters import wrap_points


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
            _row(row, labels, compact, can_select, can_edit_cells, all_matching, excluded)
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


def _row(
    row: Row,
    labels: _Labels,
    compact: bool,
    can_select: bool,
    can_edit_cells: bool,
    all_matching: bool,
    excluded: Collection[str],
) -> str:
    pk = escape(row.pk)
    opening = "<tr"
    if can_edit_cells:
        opening += f' data-version="{escape(row.version)}"'
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
        parts.append(f'<a href="{escape(row.details)}" title="{labels.view}"></a>')
    if row.edit:
        parts.append(f'<a href="{escape(row.edit)}" title="{labels.edit}"></a>')
    if row.delete:
        parts.append(
            f'<a class="row-delete" href="#" data-url="{escape(row.delete)}"'
            f' title="{labels.delete}"></a>'
        )
    parts.append("</td>\n")
    parts.extend(_cell(cell, compact) for cell in row.cells)
    parts.append("</tr>\n")
    return "".join(parts)


def _cell(cell: Cell, compact: bool) -> str:
    if cell.items is not None:
        return (
            "<td>"
            + "".join(_item(item.href, item.text, compact) for item in cell.items)
            + "</td>\n"
        )
    if cell.link:
        return f'<td><a href="{escape(cell.link)}">{_shown(cell.text)}</a></td>\n'
    return f"<td>{_shown(cell.text)}</td>\n"


def _item(href: str, text: Any, compact: bool) -> str:
    """One related record in a to-many cell: linked when it has a page, on a line of its own
    unless the list is compact."""
    if href:
        linked = f'<a href="{escape(href)}">'
        return f"{linked}({_shown(text)})</a>\n" if compact else f"{linked}{_shown(text)}</a><br>\n"
    return f"({escape(text)})\n" if compact else f"{escape(text)}<br>\n"


def _shown(value: Any) -> Markup:
    """A value as the template wrote it: None as "None", emails with their wrap points."""
    return escape(wrap_points(value))
