"""What a worker does with a job id: claim the job, run its kind chunk by chunk, and leave it
done, failed or cancelled, with a notification for its owner. Kinds register here (the panel
registers "export" on the queue); a kind says what Cancel keeps."""

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from admin_app.jobs import store
from admin_app.jobs.notifications import notify
from admin_app.models import Job, JobState

log = logging.getLogger("admin_app.jobs")


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


def run(factory: sessionmaker[Session], kinds: Mapping[str, Kind], job_id: int) -> None:
    job = store.claim(factory, job_id)
    if job is None:
        return  # taken by another worker, cancelled while waiting, or gone
    kind = kinds.get(job.kind)
    if kind is None:
        _end(factory, job, JobState.FAILED, f"Unknown kind of job {job.kind!r}.", None)
        return
    try:
        message = kind.run(JobRun(job=job, factory=factory))
    except store.Cancelled:
        _end(factory, job, JobState.CANCELLED, f"Cancelled: {kind.on_cancel}", kind)
    except JobRefused as refused:
        _end(factory, job, JobState.FAILED, f"{_title(factory, kind, job)} failed: {refused}", kind)
    except Exception as error:
        log.exception("job %s (%s) failed", job.id, job.kind)
        text = (
            f"{_title(factory, kind, job)} failed: {type(error).__name__}. Retry it; if it "
            "fails again, tell an admin."
        )
        _end(factory, job, JobState.FAILED, text, kind)
    else:
        _end(factory, job, JobState.DONE, f"{_title(factory, kind, job)} is ready: {message}", kind)


def _title(factory: sessionmaker[Session], kind: Kind, job: Job) -> str:
    # The job as it is now: the run has counted its rows since it was claimed.
    with factory() as session:
        return kind.title(session.get(Job, job.id) or job)


def _end(
    factory: sessionmaker[Session], job: Job, state: JobState, message: str, kind: Kind | None
) -> None:
    store.finish(factory, job.id, state, message)
    if job.owner_id is None:
        return
    with factory() as session, session.begin():
        link = kind.link(job) if kind else ""
        notify(session, staff_id=job.owner_id, text=message, link=link, job_id=job.id)
