"""Which columns a list shows, in which order: `?columns=` (a saved view's), else the staff
member's choice for that list, else the view's `column_list`. Only the rendering changes: the
list's query is the same whatever is shown, so its statements never depend on the choice."""

from typing import Any

from starlette.datastructures import FormData, QueryParams
from starlette.exceptions import HTTPException

from admin_app.staff.preferences import Preferences

COLUMNS = "columns"


def _deduplicated(names: list[str]) -> list[str]:
    return list(dict.fromkeys(names))


def shown_columns(view: Any, params: QueryParams, preferences: Preferences) -> list[str]:
    """The list's visible column names in order; an unknown name in `?columns=` is a 400."""
    known: list[str] = list(view._list_prop_names)  # SQLAdmin's (private) list columns
    if COLUMNS in params:
        chosen = _deduplicated([name for name in params[COLUMNS].split(",") if name])
        unknown = [name for name in chosen if name not in known]
        if unknown or not chosen:
            raise HTTPException(
                status_code=400,
                detail=f"Unknown column {unknown[0]!r}."
                if unknown
                else "Show at least one column.",
            )
        return chosen
    stored = [name for name in preferences.columns.get(view.identity, []) if name in known]
    return _deduplicated(stored) or known


def hidden_columns(view: Any, shown: list[str]) -> list[str]:
    return [name for name in view._list_prop_names if name not in shown]


def is_default(view: Any, shown: list[str]) -> bool:
    return shown == list(view._list_prop_names)


class ColumnChoiceRefused(ValueError):
    """The chooser's form asked for something impossible; the message is fit to show."""


def chosen_in_form(view: Any, form: FormData) -> list[str] | None:
    """The columns the chooser's form asks for, in order (None: back to the list's own).

    The form lists every column in its current order (`order`), the ticked ones (`show`), and
    perhaps a move (`move=title:up`) from a button, so it works without scripts.
    """
    if form.get("reset"):
        return None
    known = list(view._list_prop_names)
    order = _deduplicated([str(name) for name in form.getlist("order") if name in known])
    order += [name for name in known if name not in order]
    move = str(form.get("move", ""))
    name, _, direction = move.partition(":")
    if name in order and direction in ("up", "down"):
        index = order.index(name)
        other = index - 1 if direction == "up" else index + 1
        if 0 <= other < len(order):
            order[index], order[other] = order[other], order[index]
    shown = {str(name) for name in form.getlist("show")}
    chosen = [name for name in order if name in shown]
    if not chosen:
        raise ColumnChoiceRefused("Show at least one column.")
    return chosen
