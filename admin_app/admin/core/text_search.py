"""Case-insensitive substring matching where what staff type is text, never a LIKE pattern."""

from collections.abc import Iterable
from contextvars import ContextVar
from typing import Any

import anyio.to_thread
from sqlalchemy import ColumnElement, Integer, Select, func, literal_column, select
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException

from admin_app.search_index import INDEXED, SEARCH_TABLES

# Characters of a search term (list search, organizer picker). Longer is no search a person types,
# and SQLite refuses LIKE patterns past 50,000 bytes with an error that looks like an outage.
MAX_TERM_LENGTH = 1_000
ESCAPE = "\\"
# A term with fewer matches than this is looked up in SQLite's trigram index; a commoner one is
# found faster by walking the list's own order and stopping after a page (a plain LIKE), since
# the index would hand over, and the page then sort, every one of its matches.
SPARSE_BELOW = 1_000
# (table, column, term) found sparse for this request by `prepare` (read when a search is built).
SparseTerms = frozenset[tuple[str, str, str]]
_sparse: ContextVar[SparseTerms] = ContextVar("sparse_terms", default=frozenset())


def _escaped(term: str) -> str:
    text = term.replace("\x00", "")
    return text.replace(ESCAPE, ESCAPE * 2).replace("%", "\\%").replace("_", "\\_")


def _indexed_match(column: Any, term: str) -> ColumnElement[bool]:
    # The row ids the column's FTS5 trigram table matches: an index lookup (the term has three
    # characters or more and no LIKE characters, see _may_use_index), the same answers as LIKE
    # on the column itself.
    searched = _column(column)
    rowids = select(literal_column("rowid", Integer)).select_from(_fts(searched))
    rowids = rowids.where(_fts_like(searched, term))
    match: ColumnElement[bool] = searched.table.c.id.in_(rowids)
    return match


def _column(column: Any) -> Any:
    return getattr(column, "expression", column)  # a model attribute's column


def _key(column: Any, term: str) -> tuple[str, str, str]:
    searched = _column(column)
    return (
        getattr(getattr(searched, "table", None), "name", ""),
        getattr(searched, "key", ""),
        term,
    )


def _fts(searched: Any) -> Any:
    return SEARCH_TABLES[INDEXED[(searched.table.name, searched.key)]]


def _fts_like(searched: Any, term: str) -> ColumnElement[bool]:
    # No ESCAPE clause: `prepare` only sends terms without LIKE characters (FTS5 ignores its
    # index for LIKE ... ESCAPE).
    like: ColumnElement[bool] = _fts(searched).c[searched.key].like(f"%{term}%")
    return like


def _may_use_index(column: Any, term: str) -> bool:
    indexed = _key(column, term)[:2] in INDEXED
    literal_text = not any(char in term for char in (ESCAPE, "%", "_", "\x00"))
    # Three characters make the first trigram; shorter terms gain nothing from the index.
    return indexed and literal_text and len(term) >= 3


def _is_sparse(session: Session, column: Any, term: str) -> bool:
    searched = _column(column)
    first: Select[Any] = select(literal_column("1")).select_from(_fts(searched))
    first = first.where(_fts_like(searched, term)).limit(SPARSE_BELOW)
    found = session.scalar(select(func.count()).select_from(first.subquery())) or 0
    return found < SPARSE_BELOW


async def prepare(session_maker: Any, columns: Iterable[Any], term: str) -> None:
    """Before a search is built on SQLite: ask each column's trigram index, with at most
    SPARSE_BELOW matches read, whether the term is rare enough to look up there."""
    # Only SQLite has these tables: elsewhere no session is opened at all.
    if session_maker.kw["bind"].dialect.name != "sqlite":
        return
    candidates = [column for column in columns if _may_use_index(column, term)]
    if not candidates:
        return

    def probe() -> SparseTerms:
        with session_maker() as session:
            sparse = [c for c in candidates if _is_sparse(session, c, term)]
            return frozenset(_key(column, term) for column in sparse)

    _sparse.set(_sparse.get() | await anyio.to_thread.run_sync(probe))


def contains(column: Any, term: str) -> ColumnElement[bool]:
    """`column` contains `term` as text, case-insensitively: "50%" finds "50%".

    An `ILIKE` on the bare column (no CAST: PostgreSQL's trigram index serves it), or, where
    `prepare` found the term rare in SQLite's FTS5 trigram table (search_index.py), a lookup
    there. A term longer than MAX_TERM_LENGTH is a 400.
    """
    if len(term) > MAX_TERM_LENGTH:
        raise HTTPException(
            status_code=400,
            detail=f"Search for at most {MAX_TERM_LENGTH:,} characters (this was {len(term):,}).",
        )
    if _key(column, term) in _sparse.get():
        return _indexed_match(column, term)
    result: ColumnElement[bool] = column.ilike(f"%{_escaped(term)}%", escape=ESCAPE)
    return result
