"""Case-insensitive substring matching where what staff type is text, never a LIKE pattern."""

from typing import Any

from sqlalchemy import ColumnElement
from starlette.exceptions import HTTPException

# Characters of a search term (list search, organizer picker). Longer is no search a person types,
# and SQLite refuses LIKE patterns past 50,000 bytes with an error that looks like an outage.
MAX_TERM_LENGTH = 1_000


def contains(column: Any, term: str) -> ColumnElement[bool]:
    """`column ILIKE '%term%'` with `%`, `_` and `\\` in the term escaped: "50%" finds "50%".

    No CAST around the column, so PostgreSQL can use a trigram index on it. A term longer than
    MAX_TERM_LENGTH is a 400.
    """
    if len(term) > MAX_TERM_LENGTH:
        raise HTTPException(
            status_code=400,
            detail=f"Search for at most {MAX_TERM_LENGTH:,} characters (this was {len(term):,}).",
        )
    escaped = term.replace("\x00", "").replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    result: ColumnElement[bool] = column.ilike(f"%{escaped}%", escape="\\")
    return result
