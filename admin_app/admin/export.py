"""Export exactly what a list shows (filters, search, sort) as CSV or JSON, streamed in batches."""

import csv
import io
import json
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

import anyio.to_thread
from sqlalchemy import Result
from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import Request
from starlette.responses import StreamingResponse

from admin_app import audit
from admin_app.admin.base import PanelModelView
from admin_app.admin.paging import AnySelect
from admin_app.admin.selection import Selection, list_state
from admin_app.audit import jsonable

BATCH_SIZE = 1000
# A spreadsheet runs a cell starting with these as a formula; a leading quote keeps it text.
# The fullwidth forms and "|" too: some spreadsheets read them as the ASCII ones (DDE with "|").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "|", "\uff1d", "\uff0b", "\uff0d", "\uff20")
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


def inert_cell(value: Any) -> str:
    text = "" if value is None else str(jsonable(value))
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


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
) -> AsyncIterator[str]:
    """Run the export query now and return its body, one batch of rows at a time.

    The query runs before the response starts, so a refused filter or an outage is the request's
    answer (a 400 or 503 page), not a 200 cut off after its headers. `on_open` (the audit entry)
    runs only once the query has. Memory stays flat for any number of rows.
    """
    session = factory()
    try:
        result = await anyio.to_thread.run_sync(
            lambda: session.execute(stmt.execution_options(yield_per=BATCH_SIZE))
        )
        await anyio.to_thread.run_sync(on_open)
    except BaseException:
        await anyio.to_thread.run_sync(session.close)
        raise
    return _stream(session, result, export_type)


async def _stream(session: Session, result: Result[Any], export_type: str) -> AsyncIterator[str]:
    try:
        names = list(result.keys())
        yield csv_lines([names]) if export_type == "csv" else "["
        first = True
        while rows := await anyio.to_thread.run_sync(result.fetchmany, BATCH_SIZE):
            if export_type == "csv":
                yield csv_lines([[inert_cell(value) for value in row] for row in rows])
            else:
                yield _json_rows(names, rows, first)
                first = False
        if export_type == "json":
            yield "]"
    finally:
        await anyio.to_thread.run_sync(session.close)


def csv_lines(rows: Sequence[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()


def _json_rows(names: list[str], rows: Sequence[Sequence[Any]], first: bool) -> str:
    objects = (
        json.dumps(dict(zip(names, map(jsonable, row), strict=True)), ensure_ascii=False)
        for row in rows
    )
    return ("" if first else ",") + ",".join(objects)


async def export_response(view: PanelModelView, request: Request) -> StreamingResponse:
    """Exactly what the list shows (its filters, search and sort), streamed and audited."""
    export_type = request.path_params["export_type"]
    selection = Selection.whole_filter_of(request.query_params)
    matching = await view.matching_query(selection.list_params)
    stmt = view.export_statement(selection.leave_out_excluded(matching, view.pk_columns[0]))
    filters = list_state(request.query_params)
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
