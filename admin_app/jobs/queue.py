"""The queue engine, Huey, behind one small interface: `send(job_id)` from the web, and a
consumer that runs what arrives (docs/JOBS.md says why Huey).

The queue carries job ids only: what a job is, its state and its progress live in the jobs
table. SQLite keeps the queue in a file beside the database (Huey's SQLite storage); PostgreSQL
in Huey's tables of the same database, woken by LISTEN/NOTIFY: no Redis, one API for both.
"""

import logging
from datetime import timedelta
from pathlib import Path

from huey import Huey, PostgresHuey, SqliteHuey, crontab
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from admin_app import clock
from admin_app.config import Settings
from admin_app.jobs import files, notifications, runner, store
from admin_app.jobs.runner import Kind

QUEUE_NAME = "events_admin"
log = logging.getLogger("admin_app.jobs")


def queue_file(database_url: str) -> str:
    """The SQLite queue's file: beside the database ("events_admin.db-jobs")."""
    database = make_url(database_url).database or ""
    if database in ("", ":memory:"):
        raise ValueError("Background jobs need a database file, not an in-memory database.")
    return str(Path(database).with_name(Path(database).name + "-jobs"))


def huey_for(settings: Settings) -> Huey:
    """The engine for this database; `jobs_immediate` runs each job inside the call that sends
    it (in memory), for tests and debugging."""
    url = settings.database_url
    immediate = settings.jobs_immediate
    if url.startswith("sqlite"):
        filename = queue_file(url) if not immediate else "unused"
        return SqliteHuey(QUEUE_NAME, filename=filename, immediate=immediate, utc=True)
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    # Migration 0014 made Huey's tables (queue_tables.py): building the app never connects.
    options: dict[str, object] = {"create_tables": False}
    if settings.database_transaction_pooler:
        # Through PgBouncer in transaction mode: no LISTEN (a session feature), so workers poll,
        # and no prepared statements (each transaction may get another server connection).
        options.update(blocking=False, prepare_threshold=None)
    return PostgresHuey(QUEUE_NAME, dsn=dsn, immediate=immediate, utc=True, **options)


class JobQueue:
    """What the web and the CLI know of the engine: `send` a job's id; the kinds of work the
    worker runs (the panel registers them); a periodic sweep (stale jobs, expired files)."""

    def __init__(
        self,
        huey: Huey,
        factory: sessionmaker[Session],
        *,
        stale_after: timedelta = store.STALE_AFTER,
    ) -> None:
        self.huey = huey
        self.factory = factory
        # A running job whose heartbeat is older than this is failed by the sweep.
        self.stale_after = stale_after
        self.kinds: dict[str, Kind] = {}
        self._run = huey.task(name="run_job")(self._run_job)
        huey.periodic_task(crontab(minute="*"), name="every_minute")(self.sweep)

    def _run_job(self, job_id: int) -> None:
        runner.run(self.factory, self.kinds, job_id)

    def sweep(self) -> None:
        if stale := runner.reap(self.factory, self.kinds, self.stale_after):
            log.warning("jobs %s: their worker stopped; marked failed", stale)
        if lost := self.resend_lost():
            log.warning("jobs %s: their message was lost; sent again", lost)
        files.purge_expired(self.factory)
        notifications.purge_read(self.factory)

    def resend_lost(self) -> list[int]:
        """Jobs queued for longer than `stale_after` whose id is no longer in the queue: the
        engine hands a message out once, so a worker that died between taking it and claiming
        the job lost it. Sent again; the claim makes sure a job still runs once."""
        waiting = store.waiting_since(self.factory, clock.now() - self.stale_after)
        if not waiting:
            return []
        pending = {task.args[0] for task in self.huey.pending() if task.args}
        lost = [job_id for job_id in waiting if job_id not in pending]
        for job_id in lost:
            self.send(job_id)
        return lost

    def send(self, job_id: int) -> None:
        """Queue a job's id (in immediate mode: run it now, in this thread)."""
        self._run(job_id)
