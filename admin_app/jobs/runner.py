"""What a worker does with a job id: claim the job, run its kind chunk by chunk, and leave it
done, failed or cancelled, with a notification for its owner. Kinds register here (the panel
registers its kinds on the queue); a kind says what Cancel keeps.

A job acts as its owner: the audit trail names them (from "job #N"), and every change set the
job commits is linked from it. A transaction that writes a change set is the job's chunk: it
commits only while the job is not cancelled, so Cancel never leaves half a chunk behind.
"""

import contextvars
import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session, sessionmaker

from admin_app import audit
from admin_app.jobs import store
from admin_app.jobs.notifications import notify
from admin_app.models import ChangeSet, Job, JobState
from admin_app.web.edge.redirects import ADMIN_PREFIX

log = logging.getLogger("admin_app.jobs")
# A running job's heartbeat, written while it runs whatever it is doing (a sixth of the default
# JOBS_STALE_SECONDS).
HEARTBEAT_SECONDS = 20.0


class JobRefused(Exception):
    """The job cannot run as asked (its owner lost the permission, the list is gone): it fails
    with this message, and no traceback is logged."""


@dataclass
class JobRun:
    """What a kind gets: the job's row, and the way to report progress (which also stops the
    job with store.Cancelled when its owner cancels)."""

    job: Job
    factory: sessionmaker[Session]

    @property
    def params(self) -> dict[str, Any]:
        return dict(self.job.params or {})

    def progress(self, done: int, total: int | None = None) -> None:
        store.progress(self.factory, self.job.id, done=done, total=total)


@dataclass(frozen=True)
class Kind:
    # "Export of 812,000 events": the job's name in messages.
    title: Callable[[Job], str]
    # Runs the job; returns the message of a job done ("812,000 rows written").
    run: Callable[[JobRun], str]
    # What Cancel leaves ("nothing kept: an export is all or nothing").
    on_cancel: str
    # Where the owner goes from the notification.
    link: Callable[[Job], str]
    # "Export of 812,000 events is ready: ..."; "Delete of 12,000 events is done: ...".
    done: str = "is ready"
    # The job page's link to `link` when that is another page ("Back to the import").
    link_text: str = ""


@dataclass
class _Watch:
    """The job a worker thread is running: its change sets, and whether to stop."""

    job_id: int
    factory: sessionmaker[Session]
    change_set_ids: list[int] = field(default_factory=list)


_watching: contextvars.ContextVar[_Watch | None] = contextvars.ContextVar("job_watch", default=None)


@event.listens_for(Session, "before_commit")
def _commit_only_if_not_cancelled(session: Session) -> None:
    # Every session's commit passes here; only a job's change-set transaction is checked.
    watch = _watching.get()
    change_set_id = audit.change_set_of(session)
    if watch is None or change_set_id is None:
        return
    if store.cancel_requested(watch.factory, watch.job_id):
        raise store.Cancelled  # the caller's transaction rolls the chunk back
    watch.change_set_ids.append(change_set_id)


def run(factory: sessionmaker[Session], kinds: Mapping[str, Kind], job_id: int) -> None:
    job = store.claim(factory, job_id)
    if job is None:
        return  # taken by another worker, cancelled while waiting, or gone
    # A context of its own: the owner as the actor, and the watch, end with the run.
    contextvars.copy_context().run(_run_claimed, factory, kinds, job)


def _run_claimed(factory: sessionmaker[Session], kinds: Mapping[str, Kind], job: Job) -> None:
    audit.set_actor(
        audit.Actor(staff_id=job.owner_id, email=job.owner_email, client=f"job #{job.id}")
    )
    watch = _Watch(job_id=job.id, factory=factory)
    _watching.set(watch)
    kind = kinds.get(job.kind)
    if kind is None:
        _end(factory, job, JobState.FAILED, f"Unknown kind of job {job.kind!r}.", None)
        return
    try:
        try:
            with _heartbeat(factory, job.id):
                message = kind.run(JobRun(job=job, factory=factory))
        finally:
            _link_change_sets(factory, watch)
    except store.Cancelled:
        _end(factory, job, JobState.CANCELLED, f"Cancelled: {kind.on_cancel}", kind)
    except JobRefused as refused:
        _end(
            factory,
            job,
            JobState.FAILED,
            f"{_title_now(factory, kinds, job)} failed: {refused}",
            kind,
        )
    except Exception as error:
        log.exception("job %s (%s) failed", job.id, job.kind)
        text = (
            f"{_title_now(factory, kinds, job)} failed: {type(error).__name__}. Retry it; if it "
            "fails again, tell an admin."
        )
        _end(factory, job, JobState.FAILED, text, kind)
    else:
        _end(
            factory,
            job,
            JobState.DONE,
            f"{_title_now(factory, kinds, job)} {kind.done}: {message}",
            kind,
        )


@contextmanager
def _heartbeat(factory: sessionmaker[Session], job_id: int) -> Iterator[None]:
    """While the job runs, its heartbeat is written every HEARTBEAT_SECONDS on a connection of
    its own: a write job's one long transaction reports no progress, and the sweep must not take
    a live worker's job for a dead one. (On SQLite the beat waits while that transaction holds
    the write lock; a transaction longer than JOBS_STALE_SECONDS would be taken for dead.)"""
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(HEARTBEAT_SECONDS):
            try:
                store.beat(factory, job_id)
            except Exception:  # the next beat tries again; the sweep judges the silence
                log.warning("job %s: heartbeat not written", job_id, exc_info=True)

    beating = threading.Thread(target=beat, daemon=True)
    beating.start()
    try:
        yield
    finally:
        stop.set()
        beating.join()


def reap(
    factory: sessionmaker[Session], kinds: Mapping[str, Kind], stale_after: timedelta
) -> list[int]:
    """Jobs whose worker stopped are failed (store.reap), and their owners told."""
    stale = store.reap(factory, stale_after)
    if stale:
        with factory() as session, session.begin():
            for job in session.scalars(select(Job).where(Job.id.in_(stale))):
                if job.owner_id is None:
                    continue
                kind = kinds.get(job.kind)
                notify(
                    session,
                    staff_id=job.owner_id,
                    text=f"{title_of(kinds, job)} failed: {job.message}",
                    link=kind.link(job) if kind else job_link(job),
                    job_id=job.id,
                )
    return stale


def job_link(job: Job | int) -> str:
    """The job's page, where its notification leads."""
    return f"{ADMIN_PREFIX}/jobs/{job if isinstance(job, int) else job.id}"


def _link_change_sets(factory: sessionmaker[Session], watch: _Watch) -> None:
    # The newest change set the job committed (one per job for every kind so far); a commit
    # that failed after its check left no row behind.
    with factory() as session:
        committed = session.scalars(
            select(ChangeSet.id).where(ChangeSet.id.in_(watch.change_set_ids))
        ).all()
    if committed:
        store.link_change_set(factory, watch.job_id, max(committed))


def title_of(kinds: Mapping[str, Kind], job: Job) -> str:
    """ "Export of 812,000 events": a job in its kind's words (an unknown kind: its code, as
    words). The one place a job is named: its page, the jobs list, its messages, the sweep's."""
    kind = kinds.get(job.kind)
    return kind.title(job) if kind else job.kind.replace("_", " ").capitalize()


def _title_now(factory: sessionmaker[Session], kinds: Mapping[str, Kind], job: Job) -> str:
    # The job as it is now: the run has counted its rows since it was claimed.
    with factory() as session:
        return title_of(kinds, session.get(Job, job.id) or job)


def _end(
    factory: sessionmaker[Session], job: Job, state: JobState, message: str, kind: Kind | None
) -> None:
    store.finish(factory, job.id, state, message)
    if job.owner_id is None:
        return
    with factory() as session, session.begin():
        link = kind.link(job) if kind else ""
        notify(session, staff_id=job.owner_id, text=message, link=link, job_id=job.id)
