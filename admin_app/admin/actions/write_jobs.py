"""Large writes as background jobs: bulk work on a whole filter (delete, set status, batch
edit), undo and restore of a change set, and purge, past `jobs_write_rows` rows. Smaller ones
keep running in the request.

Each job runs the same code the page would, as its owner, in one transaction that is one change
set. Cancel stops it before that transaction commits and rolls it back whole: nothing is
changed, never half of it (jobs/runner.py checks the job at the commit). The worker checks the
owner's role again before it starts, and the page's own refusals (a referenced user, rows
changed since) fail the job with the same words.
"""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import anyio.to_thread
from sqladmin.authorization import custom_action
from sqlalchemy import Select, select
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from admin_app import audit
from admin_app.admin.actions import confirmation
from admin_app.admin.actions.batch import BatchInputError
from admin_app.admin.changelist.selection import Selection, count_rows, more_than
from admin_app.admin.core.bulk_kinds import BULK_KINDS
from admin_app.admin.core.errors import ActionRefused
from admin_app.admin.forms.feedback import flash
from admin_app.admin.site.roles import DATA_TARGETS, active_role, role_may
from admin_app.admin.views.base import PanelModelView
from admin_app.history import images, undo
from admin_app.history.purge import purge_deleted, purgeable
from admin_app.history.refusals import Acting, Refusal, not_theirs
from admin_app.history.restore import by_change_set, pending, restore_deleted, restored_in_words
from admin_app.jobs import store
from admin_app.jobs.queue import JobQueue
from admin_app.jobs.runner import JobRefused, JobRun, Kind, job_link
from admin_app.jobs.store import Owner
from admin_app.models import ChangeSet, Job, RowImage, StaffRole

BULK, UNDO, RESTORE, PURGE = "bulk", "undo", "restore", "purge"
ON_CANCEL = "nothing was changed (the work is one transaction, rolled back whole)."
LOST_RIGHT = "your role may no longer do this."


async def start(
    request: Request,
    jobs: JobQueue,
    *,
    kind: str,
    params: dict[str, Any],
    total: int | None,
    title: str,
    key: str | None,
) -> Response:
    """Ask for the job (once per form: a double submit finds the first) and say so at once."""
    actor = audit.current_actor()
    owner = Owner(staff_id=actor.staff_id if actor else None, email=actor.email if actor else "")
    job_id, created = await anyio.to_thread.run_sync(
        lambda: store.ask(
            jobs.factory,
            kind=kind,
            owner=owner,
            params=params,
            total=total,
            idempotency_key=(key or "")[:64] or None,
        )
    )
    if created:
        await anyio.to_thread.run_sync(jobs.send, job_id)
        flash(
            request,
            f"Started: {title}, as job #{job_id}. You will be notified when it is done.",
            category="success",
        )
    return RedirectResponse(job_link(job_id), status_code=303)


@dataclass(frozen=True)
class _Checked:
    role: StaffRole
    acting: Acting


def _allowed(job_run: JobRun, *grants: tuple[str, str]) -> _Checked:
    """The owner's role as it is now: a role lowered since the job was asked refuses it."""
    with job_run.factory() as session:
        role = active_role(session, job_run.job.owner_id)
    if role is None or not all(role_may(role, view, action) for view, action in grants):
        raise JobRefused(LOST_RIGHT)
    return _Checked(role, Acting(job_run.job.owner_id, is_admin=role is StaffRole.ADMIN))


def _rows_of(total: int | None) -> str:
    return f" of {total:,} rows" if total is not None else ""


class WriteJobs:
    """The kinds of write job, run by a worker through the lists' own views."""

    def __init__(self, views: dict[str, PanelModelView]) -> None:
        self.views = views

    def kinds(self) -> dict[str, Kind]:
        def kind(title: Callable[[Job], str], run: Callable[[JobRun], str]) -> Kind:
            return Kind(title=title, run=run, on_cancel=ON_CANCEL, link=job_link, done="is done")

        return {
            BULK: kind(self.bulk_title, self.run_bulk),
            UNDO: kind(undo_title, run_undo),
            RESTORE: kind(restore_title, run_restore),
            PURGE: kind(purge_title, run_purge),
        }

    # --- Bulk work on a whole filter -------------------------------------------------------------

    def bulk_title(self, job: Job) -> str:
        view = self.views.get(str(job.params.get("identity")))
        noun = view.name_plural.lower() if view else "rows"
        found = BULK_KINDS.get(str(job.params.get("action")))
        what = found.job_title if found else "Bulk work"
        return f"{what} of {job.total:,} {noun}" if job.total is not None else f"{what} of {noun}"

    def run_bulk(self, job_run: JobRun) -> str:
        params = job_run.params
        identity, action = str(params.get("identity")), str(params.get("action"))
        view = self.views.get(identity)
        if view is None or action not in BULK_KINDS:
            raise JobRefused("there is no such list or action.")
        form = QueryParams(str(params.get("form", "")))
        cascade = form.get("cascade") == "yes"
        grants = [(identity, custom_action(BULK_KINDS[action].action))]
        if cascade:
            grants.append((identity, custom_action(confirmation.CASCADE)))
        _allowed(job_run, *grants)
        selection = Selection.from_params(form)
        ids = asyncio.run(selection.ids_query(view))
        with job_run.factory() as session:
            total = count_rows(session, ids)
        job_run.progress(0, total)
        try:
            message = confirmation.apply(view, ids, selection, action, form)
        except (ActionRefused, BatchInputError) as refused:
            raise JobRefused(str(refused)) from refused
        # A large delete's images are unpacked here, in the background, so that the first page
        # to read images (Recently deleted, a history) does not pay for a million of them.
        with job_run.factory() as session, session.begin():
            images.unpack(session)
        job_run.progress(total)
        return message


# --- Undo, restore and purge ---------------------------------------------------------------------


def undo_title(job: Job) -> str:
    return f"Undo of change set #{job.params.get('change_set')}{_rows_of(job.total)}"


def restore_title(job: Job) -> str:
    return f"Restore of change set #{job.params.get('change_set')}{_rows_of(job.total)}"


def purge_title(job: Job) -> str:
    days = job.params.get("days")
    return f"Purge of deleted rows older than {days} days{_rows_of(job.total)}"


def _finish_counting(job_run: JobRun) -> None:
    with job_run.factory() as session:
        done = session.scalar(select(Job.total).where(Job.id == job_run.job.id))
    job_run.progress(done or 0)


def run_undo(job_run: JobRun) -> str:
    checked = _allowed(job_run, ("change-set", custom_action("undo")))
    change_set_id = int(job_run.params.get("change_set", 0))
    job_run.progress(0)
    try:
        with job_run.factory() as session, session.begin():
            change_set = session.get(ChangeSet, change_set_id)
            readable = change_set is not None and (
                checked.acting.is_admin or change_set.target in DATA_TARGETS
            )
            if change_set is None or not readable:
                raise Refusal(f"There is no change set #{change_set_id}.")
            if forbidden := not_theirs(change_set, checked.acting, verb="undo"):
                raise Refusal(forbidden)
            new_id, rows = undo.undo(
                session,
                change_set_id=change_set_id,
                accept_conflicts=bool(job_run.params.get("accept_conflicts")),
                reason=str(job_run.params.get("reason", "")),
            )
    except Refusal as refusal:
        raise JobRefused(str(refusal)) from refusal
    _finish_counting(job_run)
    return f"undid {rows:,} rows; the undo is change set #{new_id}, and can be undone in turn."


def run_restore(job_run: JobRun) -> str:
    checked = _allowed(job_run, ("recently-deleted", custom_action("restore")))
    change_set_id = int(job_run.params.get("change_set", 0))
    job_run.progress(0)
    try:
        with job_run.factory() as session, session.begin():
            restored = restore_deleted(
                session,
                which=by_change_set(change_set_id),
                reason=str(job_run.params.get("reason", "")),
                acting=checked.acting,
            )
    except Refusal as refusal:
        raise JobRefused(str(refusal)) from refusal
    _finish_counting(job_run)
    return f"restored {restored_in_words(restored)}, with their ids, dates and organizers."


def run_purge(job_run: JobRun) -> str:
    _allowed(job_run, ("recently-deleted", custom_action("purge")))
    days = int(job_run.params.get("days", 0))
    job_run.progress(0)
    with job_run.factory() as session, session.begin():
        removed = purge_deleted(session, older_than_days=days)
    _finish_counting(job_run)
    return f"purged {removed:,} deleted rows older than {days} days, for good."


def restorable_rows(change_set_id: int) -> Select[Any]:
    """The rows a restore of this change set would bring back (its own; organizers aside)."""
    return select(RowImage.id).where(pending(by_change_set(change_set_id))(RowImage))


def purgeable_rows(days: int) -> Select[Any]:
    return select(RowImage.id).where(purgeable(days))


# --- Starting them from the pages ------------------------------------------------------------


def _form_state(params: QueryParams) -> str:
    # What the worker needs of the form: the selection, the change and the reason.
    return str(
        QueryParams(
            [(k, v) for k, v in params.multi_items() if k not in ("csrf_token", "idempotency_key")]
        )
    )


def bulk_starter(
    jobs: JobQueue, threshold: int, view: PanelModelView, action: str
) -> confirmation.LargeWork:
    """For confirmation.perform: a whole filter past `threshold` rows starts a job (the count
    stops one past it, so the click answers at once whatever the size)."""

    async def large(
        request: Request, selection: Selection, ids: Select[Any], params: QueryParams
    ) -> Response | None:
        if not selection.whole_filter:
            return None  # ticked rows: at most a page's worth, done in the request

        def past() -> bool:
            with view.session_maker() as session:
                return more_than(session, ids, threshold)

        if not await anyio.to_thread.run_sync(past):
            return None
        noun = view.name_plural.lower()
        return await start(
            request,
            jobs,
            kind=BULK,
            params={"identity": view.identity, "action": action, "form": _form_state(params)},
            total=None,
            title=f"{BULK_KINDS[action].job_title.lower()} of more than {threshold:,} {noun}",
            key=params.get("idempotency_key"),
        )

    return large
