"""The queue engine, Huey, behind one small interface: `send(job_id)` from the web, and a
consumer that runs what arrives (docs/JOBS.md says why Huey).

The queue carries job ids only: what a job is, its state and its progress live in the jobs
table. SQLite keeps the queue in a file beside the database (Huey's SQLite storage); PostgreSQL
in Huey's tables of the same database, woken by LISTEN/NOTIFY: no Redis, one API for both.
"""

import logging
from pathlib import Path

from huey import Huey, PostgresHuey, SqliteHuey, crontab
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from admin_app.config import Settings
from admin_app.jobs import files, runner
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

    def __init__(self, huey: Huey, factory: sessionmaker[Session]) -> None:
        self.huey = huey
        self.factory = factory
        self.kinds: dict[str, Kind] = {}
        self._run = huey.task(name="run_job")(self._run_job)
        huey.periodic_task(crontab(minute="*"), name="every_minute")(self.sweep)

    def _run_job(self, job_id: int) -> None:
        runner.run(self.factory, self.kinds, job_id)

    def sweep(self) -> None:
        if stale := runner.reap(self.factory):
            log.warning("jobs %s: their worker stopped; marked failed", stale)
        files.purge_expired(self.factory)

    def send(self, job_id: int) -> None:
        """Queue a job's id (in immediate mode: run it now, in this thread)."""
        self._run(job_id)
