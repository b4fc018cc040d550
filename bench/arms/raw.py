"""The raw arm: for each page, the minimal SQL it needs (SQLAlchemy Core), answered as JSON.

It serves the same paths and query parameters as the admin, so one request list drives all
three arms. No login, no templates: the floor that the admin's overhead is measured against.
"""

import csv
import io
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Engine, Select, Table, delete, func, select
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import ASGIApp

from admin_app.db import Base, engine_at
from admin_app.models import Event, User

EVENTS: Table = Base.metadata.tables[Event.__tablename__]
USERS: Table = Base.metadata.tables[User.__tablename__]
SORTABLE = frozenset({"id", "title", "date_of", "social_status"})
DEFAULT_PAGE_SIZE = 25
DETAIL_EVENTS = 20
LOOKUP_LIMIT = 10
EXPORT_BATCH = 5_000
# The project's columns, so both arms write the same cells (timestamps as Python writes them).
EXPORT_HEADER = [
    "id",
    "title",
    "date_of",
    "social_status",
    "organizer",
    "created_at",
    "updated_at",
]

Handler = Callable[[Engine, Request], Any]


def _event_filters(params: QueryParams) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if (status := params.get("social_status")) in ("public", "private"):
        where.append(EVENTS.c.social_status == status)
    if term := params.get("search"):
        where.append(EVENTS.c.title.ilike(f"%{term}%"))
    if day := params.get("date_from"):
        where.append(EVENTS.c.date_of >= date.fromisoformat(day))
    if day := params.get("date_to"):
        where.append(EVENTS.c.date_of <= date.fromisoformat(day))
    return where


def _event_rows() -> Select[Any]:
    return select(
        EVENTS.c.id,
        EVENTS.c.title,
        EVENTS.c.date_of,
        EVENTS.c.social_status,
        EVENTS.c.organizer_id,
        USERS.c.email,
    ).join_from(EVENTS, USERS, EVENTS.c.organizer_id == USERS.c.id)


def _jsonable(row: Any) -> dict[str, Any]:
    return {
        key: value.isoformat() if hasattr(value, "isoformat") else value
        for key, value in row._mapping.items()
    }


def event_list(engine: Engine, request: Request) -> dict[str, Any]:
    params = request.query_params
    page_size = int(params.get("pageSize", DEFAULT_PAGE_SIZE))
    where = _event_filters(params)
    sort_by = params.get("sortBy") or "date_of"
    if sort_by not in SORTABLE:
        sort_by = "date_of"
    descending = params.get("sort") == "desc" if params.get("sortBy") else True
    with engine.connect() as conn:
        count = int(conn.scalar(select(func.count()).select_from(EVENTS).where(*where)) or 0)
        last_page = max(1, -(-count // page_size))
        page = min(max(int(params.get("page", 1)), 1), last_page)
        # Page through events alone, then join the 25 organizers (not the skipped rows').
        page_ids = (
            select(EVENTS.c.id, EVENTS.c[sort_by].label("sort_key"))
            .where(*where)
            .order_by(*_order(EVENTS.c[sort_by], EVENTS.c.id, descending=descending))
            .limit(page_size)
            .offset((page - 1) * page_size)
            .subquery()
        )
        stmt = (
            _event_rows()
            .join(page_ids, page_ids.c.id == EVENTS.c.id)
            .order_by(*_order(page_ids.c.sort_key, page_ids.c.id, descending=descending))
        )
        rows = conn.execute(stmt).all()
    return {"count": count, "page": page, "rows": [_jsonable(row) for row in rows]}


def _order(key: Any, pk: Any, *, descending: bool) -> list[Any]:
    return [key.desc(), pk.desc()] if descending else [key.asc(), pk.asc()]


def event_form(_engine: Engine, _request: Request) -> dict[str, Any]:
    # The create form needs no data: the organizer is picked through the lookup.
    return {"form": "event", "fields": ["title", "date_of", "social_status", "organizer"]}


def event_edit(engine: Engine, request: Request) -> dict[str, Any]:
    with engine.connect() as conn:
        stmt = _event_rows().where(EVENTS.c.id == int(request.path_params["pk"]))
        row = conn.execute(stmt).one()
    return _jsonable(row)


def user_form(_engine: Engine, _request: Request) -> dict[str, Any]:
    return {"form": "user", "fields": ["email"]}


def user_edit(engine: Engine, request: Request) -> dict[str, Any]:
    with engine.connect() as conn:
        stmt = select(USERS.c.id, USERS.c.email).where(USERS.c.id == int(request.path_params["pk"]))
        row = conn.execute(stmt).one()
    return _jsonable(row)


def user_details(engine: Engine, request: Request) -> dict[str, Any]:
    user_id = int(request.path_params["pk"])
    event_count = (
        select(func.count())
        .select_from(EVENTS)
        .where(EVENTS.c.organizer_id == USERS.c.id)
        .scalar_subquery()
    )
    with engine.connect() as conn:
        user = conn.execute(
            select(
                USERS.c.id, USERS.c.email, USERS.c.created_at, event_count.label("events")
            ).where(USERS.c.id == user_id)
        ).one()
        latest = conn.execute(
            select(EVENTS.c.id, EVENTS.c.title, EVENTS.c.date_of, EVENTS.c.social_status)
            .where(EVENTS.c.organizer_id == user_id)
            .order_by(EVENTS.c.date_of.desc(), EVENTS.c.id.desc())
            .limit(DETAIL_EVENTS)
        ).all()
    return {"user": _jsonable(user), "latest_events": [_jsonable(row) for row in latest]}


def organizer_lookup(engine: Engine, request: Request) -> dict[str, Any]:
    term = request.query_params.get("term", "")
    with engine.connect() as conn:
        rows = conn.execute(
            select(USERS.c.id, USERS.c.email)
            .where(USERS.c.email.ilike(f"%{term}%"))
            .order_by(USERS.c.email)
            .limit(LOOKUP_LIMIT)
        ).all()
    return {"results": [{"id": str(row.id), "text": row.email} for row in rows]}


def dashboard(_engine: Engine, _request: Request) -> dict[str, Any]:
    return {"dashboard": "ok"}


def _json(handler: Handler) -> Callable[[Request], Any]:
    async def endpoint(request: Request) -> Response:
        engine: Engine = request.app.state.engine
        return JSONResponse(await run_in_threadpool(handler, engine, request))

    return endpoint


async def delete_events(request: Request) -> Response:
    engine: Engine = request.app.state.engine
    pks = [int(pk) for pk in request.query_params.get("pks", "").split(",") if pk]

    def run() -> int:
        with engine.begin() as conn:
            result = conn.execute(delete(EVENTS).where(EVENTS.c.id.in_(pks)))
            return int(result.rowcount)

    deleted = await run_in_threadpool(run)
    return PlainTextResponse(f"deleted {deleted}")


def _csv_chunks(engine: Engine, where: list[ColumnElement[bool]]) -> Iterator[str]:
    stmt = (
        select(
            EVENTS.c.id,
            EVENTS.c.title,
            EVENTS.c.date_of,
            EVENTS.c.social_status,
            USERS.c.email,
            EVENTS.c.created_at,
            EVENTS.c.updated_at,
        )
        .join_from(EVENTS, USERS, EVENTS.c.organizer_id == USERS.c.id)
        .where(*where)
        .order_by(EVENTS.c.id)
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_HEADER)
    with engine.connect() as conn:
        result = conn.execution_options(yield_per=EXPORT_BATCH).execute(stmt)
        for partition in result.partitions():
            writer.writerows(partition)
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


async def export_events(request: Request) -> Response:
    engine: Engine = request.app.state.engine
    chunks = _csv_chunks(engine, _event_filters(request.query_params))
    return StreamingResponse(chunks, media_type="text/csv; charset=utf-8")


def build_app(database_url: str) -> ASGIApp:
    app = Starlette(
        routes=[
            Route("/admin/", _json(dashboard)),
            Route("/admin/event/list", _json(event_list)),
            Route("/admin/event/create", _json(event_form)),
            Route("/admin/event/edit/{pk:int}", _json(event_edit)),
            Route("/admin/event/ajax/lookup", _json(organizer_lookup)),
            Route("/admin/event/delete", delete_events, methods=["DELETE"]),
            Route("/admin/event/export/csv", export_events),
            Route("/admin/user/create", _json(user_form)),
            Route("/admin/user/edit/{pk:int}", _json(user_edit)),
            Route("/admin/user/details/{pk:int}", _json(user_details)),
        ]
    )
    app.state.engine = engine_at(database_url)
    return app
