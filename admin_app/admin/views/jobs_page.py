"""The jobs page (each staff member's jobs; admins see everyone's), one job with its progress,
Cancel and Retry, its result file, and the notifications behind the bell."""

from datetime import timedelta
from typing import Any

import anyio.to_thread
from sqladmin import expose
from sqlalchemy import select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse

from admin_app import clock
from admin_app.admin.actions.export_job import size_in_words
from admin_app.admin.forms.feedback import flash
from admin_app.admin.site.panel import PanelPage
from admin_app.admin.site.roles import acting, owned_or_404
from admin_app.jobs import files, notifications, store
from admin_app.jobs.runner import title_of
from admin_app.models import Job, JobFile, JobState
from admin_app.web.form_bodies import text_form

PAGE_SIZE = 50


def elapsed(job: Job) -> timedelta | None:
    if job.started_at is None:
        return None
    return (job.finished_at or clock.now()) - job.started_at


def estimate(job: Job) -> timedelta | None:
    """Time left, from the pace so far (None until there is a pace to go by)."""
    spent = elapsed(job)
    if job.state is not JobState.RUNNING or not spent or not job.done or not job.total:
        return None
    return spent * (job.total - job.done) / job.done


def duration_in_words(span: timedelta | None) -> str:
    if span is None:
        return ""
    seconds = int(span.total_seconds())
    return f"{seconds // 60} min {seconds % 60} s" if seconds >= 60 else f"{seconds} s"


class JobsView(PanelPage):
    name = "Jobs"
    icon = "fa-solid fa-gears"

    @expose("/jobs", methods=["GET"], identity="jobs")
    async def jobs(self, request: Request) -> Response:
        rows = await anyio.to_thread.run_sync(self._jobs, request)
        context = {
            "jobs": rows,
            "title": "Jobs",
            "mine_only": not acting(request).is_admin,
            "job_title": self._title,
        }
        return await self.templates.TemplateResponse(request, "jobs.html", context)

    @expose("/jobs/{job_id}", methods=["GET", "POST"], identity="job")
    async def job(self, request: Request) -> Response:
        job = await anyio.to_thread.run_sync(self._job, request)
        if request.method == "POST":
            return await self._act(request, job)
        result = await anyio.to_thread.run_sync(self._file, job.id)
        context = {
            "job": job,
            "file": result,
            "elapsed": duration_in_words(elapsed(job)),
            "estimate": duration_in_words(estimate(job)),
            "title": f"Job #{job.id}",
            "job_title": self._title,
            "finished": job.state in store.FINISHED,
            "file_size": size_in_words,
            "next_link": self._next_link(job),
        }
        return await self.templates.TemplateResponse(request, "job.html", context)

    @expose("/jobs/{job_id}/file", methods=["GET"], identity="job-file")
    async def job_file(self, request: Request) -> Response:
        job = await anyio.to_thread.run_sync(self._job, request)
        result = await anyio.to_thread.run_sync(self._file, job.id)
        if result is None or not result.complete:
            raise HTTPException(status_code=404, detail="This job has no file (or it expired).")
        factory = self.panel.sync_sessions

        async def body() -> Any:
            stream = files.chunks(factory, result.id)
            while chunk := await anyio.to_thread.run_sync(next, stream, b""):
                yield chunk

        return StreamingResponse(
            body(),
            media_type=result.media_type,
            headers={
                "Content-Disposition": f'attachment; filename="{result.name}"',
                "Content-Length": str(result.size),
            },
        )

    @expose("/notifications", methods=["GET", "POST"], identity="notifications")
    async def notifications(self, request: Request) -> Response:
        staff_id = acting(request).staff_id
        if staff_id is None:
            raise HTTPException(status_code=403)
        if request.method == "POST":
            await anyio.to_thread.run_sync(self._mark_read, staff_id)
            flash(request, "Every notification is marked read.")
            return RedirectResponse(request.url, status_code=303)
        rows = await anyio.to_thread.run_sync(self._notifications, staff_id)
        context = {"notifications": rows, "title": "Notifications"}
        return await self.templates.TemplateResponse(request, "notifications.html", context)

    # --- Steps ----------------------------------------------------------------------------------

    def _title(self, job: Job) -> str:
        return title_of(self.panel.jobs.kinds, job)

    def _next_link(self, job: Job) -> tuple[str, str] | None:
        """Where the job's work goes on (an import's page), with its words, if elsewhere."""
        kind = self.panel.jobs.kinds.get(job.kind)
        return (kind.link(job), kind.link_text) if kind and kind.link_text else None

    async def _act(self, request: Request, job: Job) -> Response:
        form = await text_form(request)
        action = form.get("action")
        factory = self.panel.sync_sessions
        if action == "cancel":
            state = await anyio.to_thread.run_sync(store.request_cancel, factory, job.id)
            flash(request, _cancel_message(state), "success" if state else "error")
        elif action == "retry":
            if await anyio.to_thread.run_sync(store.requeue, factory, job.id):
                await anyio.to_thread.run_sync(self.panel.jobs.send, job.id)
                flash(request, f"Started again: job #{job.id}.")
            else:
                flash(request, "Only a failed or cancelled job can be retried.", "error")
        else:
            raise HTTPException(status_code=400, detail="Choose cancel or retry.")
        return RedirectResponse(request.url, status_code=303)

    def _jobs(self, request: Request) -> list[Job]:
        statement = select(Job).order_by(Job.id.desc()).limit(PAGE_SIZE)
        who = acting(request)
        if not who.is_admin:
            statement = statement.where(Job.owner_id == who.staff_id)
        with self.panel.sync_sessions() as session:
            return list(session.scalars(statement))

    def _job(self, request: Request) -> Job:
        return owned_or_404(request, self.panel.sync_sessions, Job, "job_id", "job")

    def _file(self, job_id: int) -> JobFile | None:
        with self.panel.sync_sessions() as session:
            return session.scalar(select(JobFile).where(JobFile.job_id == job_id))

    def _notifications(self, staff_id: int) -> list[Any]:
        with self.panel.sync_sessions() as session:
            return notifications.latest(session, staff_id)

    def _mark_read(self, staff_id: int) -> None:
        with self.panel.sync_sessions() as session, session.begin():
            notifications.mark_read(session, staff_id)


def _cancel_message(state: JobState | None) -> str:
    if state is JobState.CANCELLED:
        return "Cancelled before it started: nothing was done."
    if state is JobState.RUNNING:
        return "Cancelling: the job stops after its current chunk."
    return "This job has already finished: there is nothing to cancel."
