"""The jobs table: one function per step of a job's life (ask, claim, progress, finish, cancel,
retry, reap). Every step is one short transaction; the state only moves forward."""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from admin_app import clock
from admin_app.models import JOB_MESSAGE_MAX_LENGTH, Job, JobFile, JobState

# A running job writes its heartbeat with every chunk; silent this long, its worker is gone.
STALE_AFTER = timedelta(minutes=2)
FINISHED = (JobState.DONE, JobState.FAILED, JobState.CANCELLED)
WORKER_STOPPED = (
    "The worker stopped while running this job (its heartbeat stopped): nothing it had not "
    "finished was kept. Retry runs it again."
)


def changed(result: Any) -> int:
    """Rows an UPDATE or DELETE changed (SQLAlchemy types a Result without rowcount)."""
    return int(result.rowcount)


class Cancelled(Exception):
    """Raised between chunks when the job's owner asked to cancel it."""


@dataclass(frozen=True)
class Owner:
    staff_id: int | None
    email: str


def new_idempotency_key() -> str:
    """One per form shown: the job its submit asks for is made once, however often it is sent."""
    return secrets.token_urlsafe(24)


def ask(
    factory: sessionmaker[Session],
    *,
    kind: str,
    owner: Owner,
    params: dict[str, Any],
    total: int | None,
    idempotency_key: str | None,
) -> tuple[int, bool]:
    """A new queued job, or the one this key already made (a double submit): (id, created)."""
    job = Job(
        kind=kind,
        owner_id=owner.staff_id,
        owner_email=owner.email,
        params=params,
        total=total,
        idempotency_key=idempotency_key or None,
        message="Waiting for a worker.",
    )
    try:
        with factory() as session, session.begin():
            session.add(job)
        return job.id, True
    except IntegrityError:
        with factory() as session:
            existing = session.scalar(select(Job.id).where(Job.idempotency_key == idempotency_key))
        if existing is None:
            raise
        return existing, False


def claim(factory: sessionmaker[Session], job_id: int) -> Job | None:
    """Queued -> running for this worker, or None: another worker has it, or it was cancelled
    while it waited. The guarded UPDATE makes two workers never run the same job."""
    now = clock.now()
    with factory() as session, session.begin():
        claimed = changed(
            session.execute(
                update(Job)
                .where(Job.id == job_id, Job.state == JobState.QUEUED)
                .values(
                    state=JobState.RUNNING,
                    started_at=now,
                    heartbeat_at=now,
                    attempts=Job.attempts + 1,
                    message="Running.",
                )
            )
        )
        return session.get(Job, job_id) if claimed else None


def progress(
    factory: sessionmaker[Session], job_id: int, *, done: int, total: int | None = None
) -> None:
    """Rows done so far, and the heartbeat; raises Cancelled when the owner asked to stop."""
    values: dict[str, Any] = {"done": done, "heartbeat_at": clock.now()}
    if total is not None:
        values.update(total=total, total_is_estimate=False)
    with factory() as session, session.begin():
        session.execute(update(Job).where(Job.id == job_id).values(**values))
        cancel = session.scalar(select(Job.cancel_requested).where(Job.id == job_id))
    if cancel:
        raise Cancelled


def beat(factory: sessionmaker[Session], job_id: int) -> None:
    """The running job's worker is alive."""
    with factory() as session, session.begin():
        session.execute(
            update(Job)
            .where(Job.id == job_id, Job.state == JobState.RUNNING)
            .values(heartbeat_at=clock.now())
        )


def set_total(
    factory: sessionmaker[Session], job_id: int, total: int, *, estimate: bool = False
) -> None:
    """The rows the job will do: counted, or (`estimate`) the planner's guess until it ends."""
    with factory() as session, session.begin():
        session.execute(
            update(Job).where(Job.id == job_id).values(total=total, total_is_estimate=estimate)
        )


def cancel_requested(factory: sessionmaker[Session], job_id: int) -> bool:
    """Whether the owner asked to stop (read on a connection of its own: a job's open write
    transaction would not see it, and on SQLite a reader never waits for a writer)."""
    with factory() as session:
        return bool(session.scalar(select(Job.cancel_requested).where(Job.id == job_id)))


def link_change_set(factory: sessionmaker[Session], job_id: int, change_set_id: int) -> None:
    with factory() as session, session.begin():
        session.execute(update(Job).where(Job.id == job_id).values(change_set_id=change_set_id))


def finish(factory: sessionmaker[Session], job_id: int, state: JobState, message: str) -> None:
    with factory() as session, session.begin():
        session.execute(
            update(Job)
            .where(Job.id == job_id, Job.state == JobState.RUNNING)
            .values(state=state, message=message[:JOB_MESSAGE_MAX_LENGTH], finished_at=clock.now())
        )


def request_cancel(factory: sessionmaker[Session], job_id: int) -> JobState | None:
    """A queued job is cancelled at once; a running one stops at its next chunk. Returns the
    state the job is left in, or None when it had already finished."""
    with factory() as session, session.begin():
        job = session.get(Job, job_id, with_for_update=True)
        if job is None or job.state in FINISHED:
            return None
        if job.state is JobState.QUEUED:
            job.state = JobState.CANCELLED
            job.message = "Cancelled before it started: nothing was done."
            job.finished_at = clock.now()
        else:
            job.cancel_requested = True
            job.message = "Cancelling: stops after the current chunk."
        return job.state


def requeue(factory: sessionmaker[Session], job_id: int) -> bool:
    """A failed or cancelled job queued again from the start (Retry)."""
    with factory() as session, session.begin():
        moved = changed(
            session.execute(
                update(Job)
                .where(Job.id == job_id, Job.state.in_([JobState.FAILED, JobState.CANCELLED]))
                .values(
                    state=JobState.QUEUED,
                    done=0,
                    cancel_requested=False,
                    message="Waiting for a worker (retry).",
                    started_at=None,
                    finished_at=None,
                )
            )
        )
    return bool(moved)


def waiting_since(factory: sessionmaker[Session], before: datetime) -> list[int]:
    """Jobs still queued that were asked (or retried) before `before`."""
    with factory() as session:
        return list(
            session.scalars(
                select(Job.id).where(Job.state == JobState.QUEUED, Job.created_at < before)
            )
        )


def reap(factory: sessionmaker[Session], stale_after: timedelta = STALE_AFTER) -> list[int]:
    """Running jobs whose worker stopped writing its heartbeat (killed, or the machine went
    away) are marked failed, so none stays "running" for ever; Retry runs them again. What such
    a job wrote in one transaction died with its connection; the part of a result file it left
    is removed here."""
    cutoff = clock.now() - stale_after
    with factory() as session, session.begin():
        stale = list(
            session.scalars(
                select(Job.id).where(Job.state == JobState.RUNNING, Job.heartbeat_at < cutoff)
            )
        )
        if stale:
            session.execute(
                update(Job)
                .where(Job.id.in_(stale), Job.state == JobState.RUNNING)
                .values(
                    state=JobState.FAILED,
                    finished_at=clock.now(),
                    message=WORKER_STOPPED,
                )
            )
            session.execute(
                delete(JobFile).where(JobFile.job_id.in_(stale), JobFile.complete.is_(False))
            )
    return stale
