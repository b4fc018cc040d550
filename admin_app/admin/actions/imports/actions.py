"""What the import page's buttons do: run the dry run or Confirm (asking for their jobs, once
per form), save or apply a mapping, and discard the import. Each answers with a redirect and a
message saying what it did."""

from typing import Any

import anyio.to_thread
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from admin_app.admin.actions.imports import jobs as import_jobs
from admin_app.admin.actions.imports.findings import RUNNING
from admin_app.admin.actions.imports.staged import discard
from admin_app.admin.actions.imports.upload import mapping_from
from admin_app.admin.core.formatters import path_only
from admin_app.admin.forms.feedback import flash
from admin_app.jobs import store
from admin_app.jobs.queue import JobQueue
from admin_app.jobs.runner import job_link
from admin_app.jobs.store import Owner
from admin_app.models import Import, Job
from admin_app.staff import preferences

Factory = sessionmaker[Session]


async def start(
    request: Request,
    factory: Factory,
    jobs: JobQueue,
    who: Owner,
    found: Import,
    kind: str,
    form: Any,
) -> Response:
    """Ask for the dry run's or the commit's job (once per form) and go to its page."""

    def ask() -> tuple[int, bool] | str:
        with factory() as session, session.begin():
            current = session.get(Import, found.id, with_for_update=True)
            assert current is not None
            if refusal := _refusal(session, current, kind):
                return refusal
            job_id, created = store.ask(
                factory,
                kind=kind,
                owner=who,
                params={"import": found.id, "file": found.file_name},
                total=None,
                idempotency_key=str(form.get("idempotency_key", ""))[:64] or None,
            )
            column = "check_job_id" if kind == import_jobs.CHECK else "commit_job_id"
            values: dict[str, Any] = {column: job_id}
            if kind == import_jobs.CHECK:
                values.update(checked=None, counts=None)
            session.execute(update(Import).where(Import.id == found.id).values(**values))
        return job_id, created

    asked = await anyio.to_thread.run_sync(ask)
    if isinstance(asked, str):
        flash(request, asked, "error")
        return RedirectResponse(request.url, status_code=303)
    job_id, created = asked
    if created:
        await anyio.to_thread.run_sync(jobs.send, job_id)
        what = "dry run" if kind == import_jobs.CHECK else "import"
        flash(request, f"Started the {what} of {found.file_name}, as job #{job_id}.")
    return RedirectResponse(job_link(job_id), status_code=303)


def set_mapping(
    factory: Factory, import_id: int, mapping: list[str], mode: str, skip: bool
) -> None:
    with factory() as session, session.begin():
        session.execute(
            update(Import)
            .where(Import.id == import_id, Import.committed_at.is_(None))
            .values(mapping=mapping, mode=mode, skip_unchanged=skip)
        )


async def save_mapping(
    request: Request, factory: Factory, who: Owner, found: Import, mapping: list[str], form: Any
) -> Response:
    name = str(form.get("mapping_name", "")).strip()
    staff_id = who.staff_id
    if not name or staff_id is None:
        flash(request, "Name the mapping to save it.", "error")
        return RedirectResponse(request.url, status_code=303)
    by_header = {
        header.casefold(): field
        for header, field in zip(found.headers, mapping, strict=True)
        if header
    }

    def save() -> None:
        with factory() as session:
            preferences.save_import_mapping(
                session,
                staff_id=staff_id,
                identity=found.identity,
                name=name,
                mapping=by_header,
            )

    await anyio.to_thread.run_sync(save)
    flash(request, f"Saved the mapping as \u201c{name}\u201d: files with these columns use it.")
    return RedirectResponse(request.url, status_code=303)


async def apply_mapping(
    request: Request, factory: Factory, who: Owner, found: Import, name: str
) -> Response:
    staff_id = who.staff_id

    def apply() -> bool:
        with factory() as session, session.begin():
            if staff_id is None:
                return False
            saved = preferences.load(session, staff_id=staff_id).import_mappings
            named = saved.get(found.identity, {}).get(name)
            if named is None:
                return False
            mapping = mapping_from(found.identity, found.headers, named)
            session.execute(
                update(Import)
                .where(Import.id == found.id)
                .values(mapping=mapping, checked=None, counts=None)
            )
            return True

    if await anyio.to_thread.run_sync(apply):
        flash(request, f"Applied the mapping \u201c{name}\u201d. Run the dry run to check it.")
    else:
        flash(request, "There is no saved mapping of that name.", "error")
    return RedirectResponse(request.url, status_code=303)


async def forget(request: Request, factory: Factory, found: Import) -> Response:
    def forget() -> str | None:
        with factory() as session, session.begin():
            current = session.get(Import, found.id, with_for_update=True)
            if current is None:
                return None
            if _job_running(session, current.check_job_id, current.commit_job_id):
                return "A job of this import is running: cancel it first."
            discard(session, found.id)
            return None

    if refusal := await anyio.to_thread.run_sync(forget):
        flash(request, refusal, "error")
        return RedirectResponse(request.url, status_code=303)
    kept = " The rows it imported stay (undo its change set)." if found.committed_at else ""
    flash(request, f"Discarded import #{found.id} ({found.file_name}) and its file.{kept}")
    return RedirectResponse(path_only(request.url_for("admin:view-imports")), status_code=303)


def _job_running(session: Session, *job_ids: int | None) -> bool:
    ids = [job_id for job_id in job_ids if job_id is not None]
    if not ids:
        return False
    running = session.scalar(select(func.count()).where(Job.id.in_(ids), Job.state.in_(RUNNING)))
    return bool(running)


def _refusal(session: Session, found: Import, kind: str) -> str | None:
    if _job_running(session, found.check_job_id, found.commit_job_id):
        return "A job of this import is running already: wait for it, or cancel it."
    if kind == import_jobs.COMMIT:
        if found.counts is None or not import_jobs.dry_run_current(found):
            return "Run the dry run first: Confirm writes what it checked."
        if not (found.counts.get("create") or found.counts.get("update")):
            return "The dry run found nothing to create or update."
    return None
