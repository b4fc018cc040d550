"""A CSV export too large to stream in one request runs as a background job: the list's export
link leads to a page that counts the rows and starts the job (a POST: a GET never makes one);
the worker writes the file into the database in chunks, and the jobs page offers it.

Cancel keeps nothing: an export is a whole file or none.
"""

import asyncio
import logging
import threading
import time
from datetime import timedelta
from typing import Any

import anyio.to_thread
from sqlalchemy.orm import Session, sessionmaker
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from admin_app.admin.actions.confirmation import in_words
from admin_app.admin.actions.copy_out import CopyOut, compiled_for, on_postgresql
from admin_app.admin.actions.export import (
    BATCH_SIZE,
    csv_lines,
    inert_csv,
    inert_select,
    record_export,
)
from admin_app.admin.changelist.selection import Selection, count_rows, more_than
from admin_app.admin.forms.feedback import flash
from admin_app.admin.site.roles import active_role, job_owner, role_may
from admin_app.admin.views.base import PanelModelView
from admin_app.jobs import store
from admin_app.jobs.beside import Beside
from admin_app.jobs.files import FileWriter
from admin_app.jobs.queue import JobQueue
from admin_app.jobs.runner import JobRefused, JobRun, Kind, job_link
from admin_app.models import Job
from admin_app.web.form_bodies import text_form

KIND = "export"
log = logging.getLogger("admin_app.jobs")
# Progress is written (and Cancel read) once per this many rows.
PROGRESS_EVERY = 10 * BATCH_SIZE
# COPY reports its progress (and reads Cancel) this often: a million rows take seconds.
PROGRESS_SECONDS = 0.5
# What COPY sends is gathered up to this size before it is written into the file.
COPY_WRITE_BYTES = 1024 * 1024


def job_params(view: PanelModelView, params: QueryParams) -> dict[str, Any]:
    return {"identity": view.identity, "query": str(params), "format": "csv"}


def title(job: Job, views: dict[str, PanelModelView]) -> str:
    view = views.get(str(job.params.get("identity")))
    noun = view.name_plural.lower() if view else "rows"
    # A planner's estimate is no count to name the export by (it may be far off).
    counted = job.total is not None and not job.total_is_estimate
    return f"Export of {job.total:,} {noun}" if counted else f"Export of {noun}"


def may_export(session: Session, staff_id: int | None, identity: str) -> bool:
    """The owner's role as it is now (a role lowered since the job was asked refuses it)."""
    role = active_role(session, staff_id)
    return role is not None and role_may(role, identity, "export")


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
        stmt = view.export_statement(asyncio.run(list_statement(view, selection)))
        with factory() as session:
            # COPY writes the file on PostgreSQL; the rows go through Python elsewhere.
            as_text = inert_select(stmt) if on_postgresql(session) else None
        counter = _total_beside(factory, job_run.job.id, stmt, estimated=as_text is not None)
        name = f"{view.name_plural.lower()}.csv"
        writer = FileWriter(
            factory,
            job_id=job_run.job.id,
            name=name,
            media_type="text/csv; charset=utf-8",
            keep_for=self.keep_for,
        )
        try:
            written = (
                _write_rows(factory, stmt, writer, job_run)
                if as_text is None
                else _copy_rows(factory, as_text, writer, job_run)
            )
        except BaseException:
            writer.discard()
            raise
        finally:
            if counter is not None:
                counter.join()
        writer.close()
        job_run.progress(written, written)  # the rows written, whatever the count saw
        record_export(
            factory, target=identity, export_type="csv", filters=selection.filter_query_string()
        )
        return f"{written:,} rows in {name} ({size_in_words(writer.size)})."


def size_in_words(size: int) -> str:
    if size >= 1_048_576:
        return f"{size / 1_048_576:.1f} MiB"
    return f"{max(1, round(size / 1024))} KiB"


async def list_statement(view: PanelModelView, selection: Selection) -> Any:
    """The rows of the list a whole-filter selection names (unticked rows left out): what an
    export writes, and what decides whether it is large."""
    matching = await view.matching_query(selection.list_params)
    return selection.leave_out_excluded(matching, view.pk_columns[0])


def _total_beside(
    factory: sessionmaker[Session], job_id: int, stmt: Any, *, estimated: bool
) -> threading.Thread | None:
    """The progress bar's total: where COPY writes the file (`estimated`), the planner's
    estimate until the end (counting a million rows first took a third of the export's time);
    elsewhere the rows counted beside the export, not before it."""
    if estimated:
        with factory() as session:
            store.set_total(factory, job_id, _planned_rows(session, stmt), estimate=True)
        return None
    counter = threading.Thread(target=_count_total, args=(factory, job_id, stmt), daemon=True)
    counter.start()
    return counter


def _planned_rows(session: Session, stmt: Any) -> int:
    compiled, driver = compiled_for(session, stmt)
    with driver.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {compiled}", compiled.params)
        row = cursor.fetchone()
    return int(row[0][0]["Plan"]["Plan Rows"]) if row else 0


def _count_total(factory: sessionmaker[Session], job_id: int, stmt: Any) -> None:
    try:
        with factory() as session:
            total = count_rows(session, stmt.order_by(None))
        store.set_total(factory, job_id, total)
    except Exception:  # the total only draws the progress bar; the export goes on without it
        log.warning("job %s: could not count its rows", job_id, exc_info=True)


def _write_rows(
    factory: sessionmaker[Session], stmt: Any, writer: FileWriter, job_run: JobRun
) -> int:
    written = 0
    # The result is closed however the loop ends: an unfinished read left open on SQLite keeps
    # its connection's transaction, and the next write (the job's end) waits for it in vain.
    with (
        factory() as session,
        session.execute(stmt.execution_options(yield_per=BATCH_SIZE)) as result,
    ):
        writer.write(csv_lines([list(result.keys())]).encode())
        while rows := result.fetchmany(BATCH_SIZE):
            writer.write(inert_csv(rows).encode())
            written += len(rows)
            if written % PROGRESS_EVERY < BATCH_SIZE:
                job_run.progress(written)
    job_run.progress(written)
    return written


def _copy_rows(
    factory: sessionmaker[Session], stmt: Any, writer: FileWriter, job_run: JobRun
) -> int:
    """PostgreSQL writes the CSV itself (copy_out): the rows never become Python objects."""
    lines = 0
    reported_at = time.monotonic()
    with factory() as session:
        copy = CopyOut(session, stmt, block_bytes=COPY_WRITE_BYTES)
        # The file is stored by a second thread while COPY is read (8 mebibytes in between).
        # On Cancel or an error the loop's exit cancels the COPY.
        with Beside(writer.write, depth=8) as beside:
            for block in copy.blocks():
                beside.put(block)
                # Lines, for progress (a text with a line break in it counts twice here).
                lines += block.count(b"\n")
                if time.monotonic() - reported_at >= PROGRESS_SECONDS:
                    job_run.progress(max(0, lines - 1))
                    reported_at = time.monotonic()
    job_run.progress(copy.rows)
    return copy.rows


async def rows_past(view: PanelModelView, params: QueryParams, threshold: int) -> bool:
    """Whether the list's export has more rows than `threshold` (counting one past it only)."""
    stmt = await list_statement(view, Selection.whole_filter_of(params))
    ids = stmt.with_only_columns(view.pk_columns[0])

    def past() -> bool:
        with view.sync_sessions() as session:
            return more_than(session, ids, threshold)

    return await anyio.to_thread.run_sync(past)


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
    owner = job_owner(request)
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
