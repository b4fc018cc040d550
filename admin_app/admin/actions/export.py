"""Export exactly what a list shows (filters, search, sort) as CSV or JSON, streamed in batches."""

import csv
import io
import json
from collections.abc import AsyncIterator, Callable, Generator, Iterable, Sequence
from datetime import UTC, date, datetime
from operator import methodcaller
from typing import Any

import anyio.to_thread
from sqlalchemy import Result, TypeDecorator, case, cast, false, func, literal, true
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql import sqltypes
from starlette.requests import Request
from starlette.responses import StreamingResponse

from admin_app import audit
from admin_app.admin.actions.copy_out import CopyOut, on_postgresql
from admin_app.admin.changelist.paging import AnySelect
from admin_app.admin.changelist.state import ChangeList
from admin_app.admin.views.base import PanelModelView
from admin_app.audit import jsonable

BATCH_SIZE = 1000
# A streamed COPY is sent in pieces of about this size (each one a hop to a thread and back).
STREAMED_BLOCK_BYTES = 256 * 1024
# A spreadsheet runs a cell starting with these as a formula; a leading quote keeps it text.
# The fullwidth forms and "|" too: some spreadsheets read them as the ASCII ones (DDE with "|").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "|", "\uff1d", "\uff0b", "\uff0d", "\uff20")
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


def inert_cell(value: Any) -> str:
    if isinstance(value, datetime):
        return iso_moment(value)  # never a formula's first character
    text = "" if value is None else str(jsonable(value))
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


def iso_moment(value: datetime) -> str:
    """ISO 8601 in UTC (as the panel shows times), written as PostgreSQL writes a timestamp in
    UTC, so that COPY's text can be used as it is: "2026-01-05T10:00:00.12+00:00" (the
    fraction without trailing zeros, none at all on the second)."""
    text = (value.astimezone(UTC) if value.tzinfo else value).isoformat()
    if not value.microsecond:
        return text
    dot = text.index(".", 19)
    return text[: dot + 1] + text[dot + 1 : dot + 7].rstrip("0") + text[dot + 7 :]


def inert_select(stmt: AnySelect) -> AnySelect | None:
    """The export statement with each column turned into the text `inert_cell` writes for it,
    by SQL (PostgreSQL), so that a large export can be written by `COPY ... TO STDOUT WITH CSV`
    with no row passing through Python; None when a column's type has no such SQL here."""
    columns = []
    for column in stmt.selected_columns:
        text = _inert_sql(column)
        if text is None:
            return None
        columns.append(text if text is column else text.label(column.name))
    return stmt.with_only_columns(*columns)


def _inert_sql(column: Any) -> Any:
    kind = column.type
    if isinstance(kind, TypeDecorator):
        kind = kind.impl_instance
    if isinstance(kind, sqltypes.Enum):
        safe = not any(str(value).startswith(FORMULA_PREFIXES) for value in kind.enums)
        return column if safe else _inert_text_sql(cast(column, sqltypes.Text))
    if isinstance(kind, sqltypes.String):
        return _inert_text_sql(column)
    if isinstance(kind, sqltypes.Boolean):
        return case((column.is_(true()), "True"), (column.is_(false()), "False"))
    if isinstance(kind, sqltypes.Integer):
        if getattr(column, "primary_key", False):
            return column  # an id: never negative, so never a formula
        as_text = cast(column, sqltypes.Text)
        return case((column < 0, literal("'") + as_text), else_=as_text)
    if isinstance(kind, sqltypes.Date):
        return column  # COPY writes it in ISO, as the export sets DateStyle
    if isinstance(kind, sqltypes.DateTime):
        # "2026-01-05 10:00:00.12+00" with the export's TimeZone of UTC: iso_moment's text once
        # the space is a "T" and the offset has its minutes.
        iso = func.replace(cast(column, sqltypes.Text), " ", "T")
        return iso + ":00" if kind.timezone else iso
    return None


def _inert_text_sql(text: Any) -> Any:
    quoted = case((func.left(text, 1).in_(FORMULA_PREFIXES), literal("'") + text), else_=text)
    # COPY quotes an empty text ("") where csv writes nothing: as NULL, COPY writes nothing too.
    return func.nullif(quoted, "")


def record_export(
    factory: sessionmaker[Session], *, target: str, export_type: str, filters: str
) -> None:
    with factory() as session, session.begin():
        audit.record(
            session,
            action="export",
            target=target,
            summary=f"Exported {target} list as {export_type.upper()}"
            + (f" ({filters})" if filters else ""),
            changes={"filter": filters, "format": export_type},
        )


async def open_rows(
    factory: sessionmaker[Session],
    stmt: AnySelect,
    export_type: str,
    on_open: Callable[[], None],
) -> AsyncIterator[str | bytes]:
    """Run the export query now and return its body, one block of rows at a time.

    The query runs before the response starts, so a refused filter or an outage is the request's
    answer (a 400 or 503 page), not a 200 cut off after its headers. `on_open` (the audit entry)
    runs only once the query has. Memory stays flat for any number of rows. A CSV on PostgreSQL
    is written by the database itself (copy_out); elsewhere the rows go through Python.
    """
    session = factory()
    try:
        as_text = inert_select(stmt) if export_type == "csv" and on_postgresql(session) else None
        if as_text is None:
            result = await anyio.to_thread.run_sync(
                lambda: session.execute(stmt.execution_options(yield_per=BATCH_SIZE))
            )
            body: AsyncIterator[str | bytes] = _stream(session, result, export_type)
        else:
            blocks = CopyOut(session, as_text, block_bytes=STREAMED_BLOCK_BYTES).blocks()
            first = await anyio.to_thread.run_sync(next, blocks, b"")
            body = _stream_blocks(session, blocks, first)
        await anyio.to_thread.run_sync(on_open)
    except BaseException:
        await anyio.to_thread.run_sync(session.close)
        raise
    return body


async def _stream_blocks(
    session: Session, blocks: Generator[bytes], first: bytes
) -> AsyncIterator[bytes]:
    try:
        yield first
        while block := await anyio.to_thread.run_sync(next, blocks, b""):
            yield block
    finally:
        # A download stopped half way cancels the COPY on the server (CopyOut's exit).
        await anyio.to_thread.run_sync(blocks.close)
        await anyio.to_thread.run_sync(session.close)


async def _stream(session: Session, result: Result[Any], export_type: str) -> AsyncIterator[str]:
    try:
        names = list(result.keys())
        yield csv_lines([names]) if export_type == "csv" else "["
        first = True
        while rows := await anyio.to_thread.run_sync(result.fetchmany, BATCH_SIZE):
            if export_type == "csv":
                yield inert_csv(rows)
            else:
                yield _json_rows(names, rows, first)
                first = False
        if export_type == "json":
            yield "]"
    finally:
        # The result first: a download stopped half way leaves its read unfinished, and on
        # SQLite an unfinished read kept open holds its connection's transaction.
        await anyio.to_thread.run_sync(result.close)
        await anyio.to_thread.run_sync(session.close)


def csv_lines(rows: Iterable[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()


def inert_csv(rows: Sequence[Sequence[Any]]) -> str:
    """CSV of rows with every cell as `inert_cell` writes it, worked out a column at a time: a
    million-row export would otherwise call `inert_cell` for each of its millions of cells, where
    most columns (ids, dates, texts without a formula's first character) need nothing done."""
    if not rows:
        return ""
    return csv_lines(zip(*map(_inert_column, zip(*rows, strict=True)), strict=True))


def _inert_column(column: tuple[Any, ...]) -> Sequence[Any]:
    kinds = set(map(type, column)) - {type(None)}
    if not kinds:
        return column  # csv writes None as an empty cell, as inert_cell does
    if len(kinds) > 1:
        return [inert_cell(value) for value in column]
    (kind,) = kinds
    if kind is str:
        texts = filter(None, column)
        needs_quote = any(map(methodcaller("startswith", FORMULA_PREFIXES), texts))
        return [inert_cell(value) for value in column] if needs_quote else column
    if kind is int:
        negative = any(value < 0 for value in column if value is not None)
        return [inert_cell(value) for value in column] if negative else column
    if kind in (date, bool):
        return column  # str() is the ISO date / True, as inert_cell writes them
    if kind is datetime:
        return [None if value is None else inert_cell(value) for value in column]
    return [inert_cell(value) for value in column]


def _json_rows(names: list[str], rows: Sequence[Sequence[Any]], first: bool) -> str:
    objects = (
        json.dumps(dict(zip(names, map(jsonable, row), strict=True)), ensure_ascii=False)
        for row in rows
    )
    return ("" if first else ",") + ",".join(objects)


async def export_response(view: PanelModelView, request: Request) -> StreamingResponse:
    """Exactly what the list shows (its filters, search and sort), streamed and audited."""
    export_type = request.path_params["export_type"]
    changelist = ChangeList.of(view, request)
    selection = changelist.selection
    matching = await view.matching_query(selection.list_params)
    stmt = view.export_statement(selection.leave_out_excluded(matching, view.pk_columns[0]))
    filters = changelist.list_state
    body = await open_rows(
        view.sync_sessions,
        stmt,
        export_type,
        on_open=lambda: record_export(
            view.sync_sessions, target=view.identity, export_type=export_type, filters=filters
        ),
    )
    filename = f"{view.name_plural.lower()}.{export_type}"
    return StreamingResponse(
        body,
        media_type=MEDIA_TYPES[export_type],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
