"""Case-insensitive substring matching where what staff type is text, never a LIKE pattern."""

from typing import Any

from sqlalchemy import ColumnElement


def contains(column: Any, term: str) -> ColumnElement[bool]:
    """`column ILIKE '%term%'` with `%`, `_` and `\\` in the term escaped: "50%" finds "50%".

    No CAST around the column, so PostgreSQL can use a trigram index on it.
    """
    escaped = term.replace("\x00", "").replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    result: ColumnElement[bool] = column.ilike(f"%{escaped}%", escape="\\")
    return result
