"""Case-insensitive substring matching where what staff type is text, never a LIKE pattern."""

from typing import Any

from sqlalchemy import Boolean, ColumnElement, Integer, literal_column, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from starlette.exceptions import HTTPException

from admin_app.search_index import INDEXED, SEARCH_TABLES

# Characters of a search term (list search, organizer picker). Longer is no search a person types,
# and SQLite refuses LIKE patterns past 50,000 bytes with an error that looks like an outage.
MAX_TERM_LENGTH = 1_000
ESCAPE = "\\"


class Contains(ColumnElement[bool]):
    """`column` contains `term` as text; compiled per database (see `_on_sqlite`)."""

    # The term is part of the element, so statements holding one are not cached by SQLAlchemy.
    inherit_cache = False
    type = Boolean()

    def __init__(self, column: Any, term: str) -> None:
        self.column = column
        self.term = term

    @property
    def escaped(self) -> str:
        text = self.term.replace("\x00", "")
        return text.replace(ESCAPE, ESCAPE * 2).replace("%", "\\%").replace("_", "\\_")

    @property
    def needs_escape(self) -> bool:
        return any(char in self.term for char in (ESCAPE, "%", "_"))

    def generic(self) -> ColumnElement[bool]:
        # No CAST around the column, so PostgreSQL can use a trigram index on it.
        result: ColumnElement[bool] = self.column.ilike(f"%{self.escaped}%", escape=ESCAPE)
        return result


@compiles(Contains)
def _generic(element: Contains, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.generic(), **kw)


@compiles(Contains, "sqlite")
def _on_sqlite(element: Contains, compiler: SQLCompiler, **kw: Any) -> str:
    # The row ids the column's FTS5 trigram table matches: an index lookup for three characters
    # or more without escapes (FTS5 ignores its index for LIKE ... ESCAPE), a scan of the
    # compact index table otherwise. The same answers as LIKE on the column itself.
    searched = getattr(element.column, "expression", element.column)  # a model attribute's column
    table = getattr(searched, "table", None)
    name = INDEXED.get((getattr(table, "name", ""), getattr(searched, "key", "")))
    if name is None or table is None:
        return compiler.process(element.generic(), **kw)
    fts = SEARCH_TABLES[name]
    pattern = f"%{element.escaped}%"
    column = fts.c[searched.key]
    like = column.like(pattern, escape=ESCAPE) if element.needs_escape else column.like(pattern)
    rowids = select(literal_column("rowid", Integer)).select_from(fts).where(like)
    return compiler.process(table.c.id.in_(rowids), **kw)


def contains(column: Any, term: str) -> ColumnElement[bool]:
    """`column` contains `term` as text, case-insensitively: "50%" finds "50%".

    On PostgreSQL an `ILIKE` a trigram index serves; on SQLite the column's FTS5 trigram table
    where it has one (search_index.py). A term longer than MAX_TERM_LENGTH is a 400.
    """
    if len(term) > MAX_TERM_LENGTH:
        raise HTTPException(
            status_code=400,
            detail=f"Search for at most {MAX_TERM_LENGTH:,} characters (this was {len(term):,}).",
        )
    return Contains(column, term)
