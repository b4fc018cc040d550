"""A CSV export too large to stream in one request runs as a background job: the list's export
link leads to a page that counts the rows and starts the job (a POST: a GET never makes one);
the worker writes the file into the database in chunks, and the jobs page offers it.

Cancel keeps nothing: an export is a whole file or none.
"""

import asyncio
from datetime import timedelta
from typing import Any

import anyio.to_thread
from sqlalchemy.orm import Session, sessionmaker
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from admin_app import audit
from admin_app.admin.base import PanelModelView
from admin_app.admin.confirmation import in_words
from admin_app.admin.export import BATCH_SIZE, csv_lines, inert_cell, record_export
from admin_app.admin.feedback import flash
from admin_app.admin.roles import acting, role_may
from admin_app.admin.selection import Selection, count_rows
from admin_app.jobs import store
from admin_app.jobs.files import FileWriter
from admin_app.jobs.queue import JobQueue
from admin_app.jobs.runner import JobRefused, JobRun, Kind, job_link
from admin_app.jobs.store import Owner
from admin_app.models import Job, Staff
from admin_app.web.form_bodies import text_form

KIND = "export"
# Progress is written (and Cancel read) once per this many rows.
PROGRESS_EVERY = 10 * BATCH_SIZE


def job_params(view: PanelModelView, params: QueryParams) -> dict[str, Any]:
    return {"identity": view.identity, "query": str(params), "format": "csv"}


def title(job: Job, views: dict[str, PanelModelView]) -> str:
    view = views.get(str(job.params.get("identity")))
    noun = view.name_plural.lower() if view else "rows"
    return f"Export of {job.total:,} {noun}" if job.total is not None else f"Export of {noun}"


def may_export(session: Session, staff_id: int | None, identity: str) -> bool:
    """The owner's role as it is now (a role lowered since the job was asked refuses it)."""
    if staff_id is None:
        return False
    staff = session.get(Staff, staff_id)
    if staff is None or not staff.is_active:
        return False
    return role_may(staff.role, identity, "export")


class ExportKind:
    """The export job, run by a worker: the list's statement, rebuilt from its parameters."""

    def __init__(self, views: dict[str, PanelModelView], *, keep_for: timedelta) -> None:
        self.views = views
        self.keep_for = keep_for

    def kind(self) -> Kind:
        return Kind(
            title=lambda job: title(job, self.views),
            run=self.run,
            on_cancel="nothing was kept (an export is a whole file or none).",
            link=job_link,
        )

    def run(self, job_run: JobRun) -> str:
        params = job_run.params
        identity = str(params.get("identity"))
        view = self.views.get(identity)
        if view is None:
            raise JobRefused(f"there is no list {identity!r} to export.")
        factory = job_run.factory
        with factory() as session:
            if not may_export(session, job_run.job.owner_id, identity):
                raise JobRefused("your role may no longer export this list.")
        selection = Selection.whole_filter_of(QueryParams(str(params.get("query", ""))))
        matching = asyncio.run(view.matching_query(selection.list_params))
        stmt = view.export_statement(selection.leave_out_excluded(matching, view.pk_columns[0]))
        with factory() as session:
            total = count_rows(session, stmt.order_by(None))
        job_run.progress(0, total)
        name = f"{view.name_plural.lower()}.csv"
        writer = FileWriter(
            factory,
            job_id=job_run.job.id,
            name=name,
            media_type="text/csv; charset=utf-8",
            keep_for=self.keep_for,
        )
        try:
            written = _write_rows(factory, stmt, writer, job_run)
        except BaseException:
            writer.discard()
            raise
        writer.close()
        record_export(
            factory, target=identity, export_type="csv", filters=selection.filter_query_string()
        )
        return f"{written:,} rows in {name} ({size_in_words(writer.size)})."


def size_in_words(size: int) -> str:
    if size >= 1_048_576:
        return f"{size / 1_048_576:.1f} MiB"
    return f"{max(1, round(size / 1024))} KiB"


def _write_rows(
    factory: sessionmaker[Session], stmt: Any, writer: FileWriter, job_run: JobRun
) -> int:
    written = 0
    with factory() as session:
        result = session.execute(stmt.execution_options(yield_per=BATCH_SIZE))
        writer.write(csv_lines([list(result.keys())]).encode())
        while rows := result.fetchmany(BATCH_SIZE):
            writer.write(csv_lines([[inert_cell(v) for v in row] for row in rows]).encode())
            written += len(rows)
            if written % PROGRESS_EVERY < BATCH_SIZE:
                job_run.progress(written)
    job_run.progress(written)
    return written


async def rows_past(view: PanelModelView, params: QueryParams, threshold: int) -> bool:
    """Whether the list's export has more rows than `threshold` (counting one past it only)."""
    selection = Selection.whole_filter_of(params)
    matching = await view.matching_query(selection.list_params)
    stmt = selection.leave_out_excluded(matching, view.pk_columns[0]).order_by(None)
    ids = stmt.with_only_columns(view.pk_columns[0]).limit(threshold + 1)

    def count() -> int:
        with view.sync_sessions() as session:
            return count_rows(session, ids)

    return await anyio.to_thread.run_sync(count) > threshold


async def start_page(
    view: PanelModelView, request: Request, *, jobs: JobQueue, templates: Any, threshold: int
) -> Response:
    """GET: what the export covers and a Start button; POST: the job, asked once per key."""
    params = QueryParams([(k, v) for k, v in request.query_params.multi_items()])
    if request.method == "GET":
        context = {
            "model_view": view,
            "threshold": threshold,
            "filter_in_words": in_words(view, params),
            "state": str(params),
            "idempotency_key": store.new_idempotency_key(),
            "title": f"Export {view.name_plural.lower()}",
        }
        page: Response = await templates.TemplateResponse(request, "export_start.html", context)
        return page
    form = await text_form(request)
    who = acting(request)
    owner = Owner(staff_id=who.staff_id, email=_email())
    job_id, created = await anyio.to_thread.run_sync(
        lambda: store.ask(
            view.sync_sessions,
            kind=KIND,
            owner=owner,
            params=job_params(view, params),
            total=None,
            idempotency_key=str(form.get("idempotency_key", ""))[:64] or None,
        )
    )
    if created:
        await anyio.to_thread.run_sync(jobs.send, job_id)
        flash(
            request,
            f"Started: export of more than {threshold:,} {view.name_plural.lower()}, as job "
            f"#{job_id}. You will be notified when the file is ready.",
        )
    return RedirectResponse(job_link(job_id), status_code=303)


def _email() -> str:
    actor = audit.current_actor()
    return actor.email if actor else ""
