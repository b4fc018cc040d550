"""Real worker processes (`python -m admin_app worker`) on the real queue, on both databases:
a worker killed mid-export or mid-restore leaves nothing half-written and Retry completes the
job; two workers drain 200 jobs of 10 staff members, each job run exactly once; a database
connection cut mid-job leaves a failed job, never a stuck "running" one.

The test's own app runs jobs in the request (jobs_immediate); these tests send to the queue the
workers read, through a second JobQueue on the same database.
"""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from admin_app.config import Settings
from admin_app.jobs import store
from admin_app.jobs.queue import JobQueue, huey_for
from admin_app.models import (
    ChangeSet,
    Event,
    Job,
    JobFile,
    JobFileChunk,
    JobState,
    RowImage,
    SocialStatus,
    Staff,
    StaffRole,
)
from tests import factories
from tests.conftest import ClockMover

WORKER_APP_NAME = "events-admin-test-worker"
# Longest wait for a worker to reach a point (a deadline, not a sleep: the loops poll).
DEADLINE_SECONDS = 120


@pytest.fixture
def queue(settings: Settings, session_factory: sessionmaker[Session]) -> Iterator[JobQueue]:
    """The queue the worker processes read (the app's own runs jobs in place)."""
    jobs = JobQueue(
        huey_for(settings.model_copy(update={"jobs_immediate": False})), session_factory
    )
    jobs.huey.flush()
    yield jobs
    jobs.huey.flush()
    jobs.huey.storage.close()


@contextmanager
def workers(
    settings: Settings, folder: Path, count: int = 1
) -> Iterator[list[subprocess.Popen[bytes]]]:
    assert settings.secret_key is not None
    env = {
        **os.environ,
        "DATABASE_URL": _as_worker(settings.database_url),
        "SECRET_KEY": settings.secret_key.get_secret_value(),
        "JOBS_IMMEDIATE": "false",
        "JOBS_EXPORT_ROWS": str(settings.jobs_export_rows),
        "JOBS_WRITE_ROWS": str(settings.jobs_write_rows),
    }
    logs = [(folder / f"worker-{n}.log").open("wb") for n in range(count)]
    started = [
        subprocess.Popen(
            [sys.executable, "-m", "admin_app", "worker"],
            env=env,
            cwd=folder,  # no .env of the working tree
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        for log in logs
    ]
    try:
        yield started
    finally:
        for process in started:
            process.kill()
            process.wait()
        for log in logs:
            log.close()


def _as_worker(url: str) -> str:
    """The workers' URL: on PostgreSQL their connections are named, so a test can cut them."""
    if not url.startswith("postgresql"):
        return url
    named = make_url(url).update_query_dict({"application_name": WORKER_APP_NAME})
    return named.render_as_string(hide_password=False)


def until(check: Callable[[], bool], what: str, running: list[subprocess.Popen[bytes]]) -> None:
    """Poll `check`, pausing on the workers between looks: one that exits fails the test."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        try:
            code = running[0].wait(timeout=0.01)
        except subprocess.TimeoutExpired:
            continue
        raise AssertionError(f"a worker exited ({code}) before {what}")


def _admin(db: Session) -> Staff:
    admin = db.scalars(select(Staff).where(Staff.role == StaffRole.ADMIN)).first()
    assert admin is not None
    return admin


def _many_events(db: Session, count: int) -> None:
    organizer = factories.make_user(db, email="org@example.org")
    rows = [
        {
            "title": f"Event {n}",
            "date_of": date(2026, 1, 1) + timedelta(days=n % 300),
            "social_status": SocialStatus.PUBLIC,
            "organizer_id": organizer.id,
        }
        for n in range(count)
    ]
    db.execute(insert(Event), rows)
    db.commit()


def _ask(factory: sessionmaker[Session], owner: Staff, kind: str, params: dict[str, object]) -> int:
    job_id, _ = store.ask(
        factory,
        kind=kind,
        owner=store.Owner(staff_id=owner.id, email=owner.email),
        params=params,
        total=None,
        idempotency_key=None,
    )
    return job_id


def _job(factory: sessionmaker[Session], job_id: int) -> Job:
    with factory() as session:
        job = session.get(Job, job_id)
        assert job is not None
        return job


def _scalar(factory: sessionmaker[Session], statement: object) -> int:
    with factory() as session:
        return int(session.scalar(statement) or 0)  # type: ignore[call-overload]


def _reap_and_retry(
    client: TestClient,
    app: FastAPI,
    factory: sessionmaker[Session],
    job_id: int,
    move_clock: ClockMover,
) -> Job:
    assert _job(factory, job_id).state is JobState.RUNNING  # as the killed worker left it
    move_clock(store.STALE_AFTER + timedelta(seconds=1))
    app.state.jobs.sweep()
    failed = _job(factory, job_id)
    assert failed.state is JobState.FAILED and "worker stopped" in failed.message
    move_clock(timedelta(0))
    retried = client.post(f"/admin/jobs/{job_id}", data={"action": "retry"})
    assert retried.status_code == 200 and "Started again" in retried.text
    return _job(factory, job_id)


def test_a_worker_killed_mid_export_leaves_no_file_and_retry_completes_it(
    app: FastAPI,
    client: TestClient,
    db: Session,
    settings: Settings,
    queue: JobQueue,
    tmp_path: Path,
    move_clock: ClockMover,
) -> None:
    rows = 40_000
    _many_events(db, rows)
    factory = app.state.session_factory
    job_id = _ask(
        factory, _admin(db), "export", {"identity": "event", "query": "", "format": "csv"}
    )
    queue.send(job_id)
    chunks = select(func.count(JobFileChunk.seq))
    with workers(settings, tmp_path) as running:
        until(lambda: _scalar(factory, chunks) >= 1, "the first chunk of the file", running)
        [worker] = running
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    assert _job(factory, job_id).state is JobState.RUNNING
    assert client.get(f"/admin/jobs/{job_id}/file").status_code == 404  # half a file is no file
    job = _reap_and_retry(client, app, factory, job_id, move_clock)
    assert job.state is JobState.DONE and job.attempts == 2
    download = client.get(f"/admin/jobs/{job_id}/file")
    assert download.status_code == 200 and download.text.count("\n") == rows + 1
    assert _scalar(factory, select(func.count(JobFile.id))) == 1


def test_a_worker_killed_mid_restore_leaves_nothing_restored_and_retry_completes_it(
    app: FastAPI,
    client: TestClient,
    db: Session,
    settings: Settings,
    queue: JobQueue,
    tmp_path: Path,
    move_clock: ClockMover,
) -> None:
    rows = 20_000
    _many_events(db, rows)
    client.post("/admin/event/bulk/delete", data={"scope": "filter"})
    deleted = db.scalars(select(ChangeSet)).one()
    factory = app.state.session_factory
    assert _scalar(factory, select(func.count(Event.id))) == 0
    job_id = _ask(factory, _admin(db), "restore", {"change_set": deleted.id, "reason": ""})
    queue.send(job_id)
    postgres = settings.database_url.startswith("postgresql")
    restoring = text(
        "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' "
        "AND query ILIKE 'INSERT INTO events%'"
    )
    with workers(settings, tmp_path) as running:
        until(lambda: _job(factory, job_id).state is JobState.RUNNING, "the job to start", running)
        if postgres:  # in the restore's INSERT itself
            until(lambda: _scalar(factory, restoring) >= 1, "the restore's insert", running)
        [worker] = running
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    # The transaction died with the worker: no event back, no image claimed, no change set.
    assert _scalar(factory, select(func.count(Event.id))) == 0
    assert (
        _scalar(factory, select(func.count(RowImage.id)).where(RowImage.restored_by.is_not(None)))
        == 0
    )
    assert _scalar(factory, select(func.count(ChangeSet.id))) == 1
    job = _reap_and_retry(client, app, factory, job_id, move_clock)
    assert job.state is JobState.DONE, job.message
    assert _scalar(factory, select(func.count(Event.id))) == rows


def test_two_workers_drain_200_jobs_of_10_staff_running_each_once(
    app: FastAPI, db: Session, settings: Settings, queue: JobQueue, tmp_path: Path
) -> None:
    factories.make_event(db, organizer=factories.make_user(db, email="org@example.org"))
    staff = [
        factories.make_staff(db, email=f"staff{n}@example.org", role=StaffRole.EDITOR)
        for n in range(10)
    ]
    factory = app.state.session_factory
    params: dict[str, object] = {"identity": "event", "query": "", "format": "csv"}
    ids = [_ask(factory, staff[n % 10], "export", params) for n in range(200)]
    for job_id in ids:
        queue.send(job_id)
    finished = select(func.count(Job.id)).where(Job.state.in_(store.FINISHED))
    with workers(settings, tmp_path, count=2) as running:
        until(lambda: _scalar(factory, finished) == 200, "200 finished jobs", running)
    with factory() as session:
        jobs = list(session.scalars(select(Job)))
    assert {job.state for job in jobs} == {JobState.DONE}
    assert {job.attempts for job in jobs} == {1}  # none claimed twice
    assert _scalar(factory, select(func.count(JobFile.id)).where(JobFile.complete)) == 200
    # Each staff member is told of their own 20.
    for member in staff:
        with factory() as session:
            assert (
                session.scalar(
                    select(func.count()).select_from(Job).where(Job.owner_id == member.id)
                )
                == 20
            )


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_connection_cut_mid_job_leaves_a_failed_job_never_a_running_one(
    app: FastAPI,
    client: TestClient,
    db: Session,
    settings: Settings,
    queue: JobQueue,
    tmp_path: Path,
) -> None:
    """What a database restart does to a worker (PostgreSQL: its connections are terminated;
    SQLite has no server to restart)."""
    rows = 40_000
    _many_events(db, rows)
    factory = app.state.session_factory
    job_id = _ask(
        factory, _admin(db), "export", {"identity": "event", "query": "", "format": "csv"}
    )
    url = settings.database_url
    database = url.rsplit("/", 1)[-1].split("?")[0]
    db.commit()  # the test's own session is left idle, out of the cut
    terminator = create_engine(url, isolation_level="AUTOCOMMIT")
    holder = create_engine(url)
    blocked = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = :name "
        "AND application_name = :worker AND wait_event_type = 'Lock'"
    )
    names = {"name": database, "worker": WORKER_APP_NAME}
    with (
        holder.connect() as holding,
        terminator.connect() as connection,
        workers(settings, tmp_path) as running,
    ):
        # The file's first chunk waits on this lock: the job is certainly in its middle (the
        # COPY read, the file half stored) when every connection of the workers is cut.
        holding.execute(text("LOCK TABLE job_file_chunks IN EXCLUSIVE MODE"))
        queue.send(job_id)
        until(
            lambda: connection.execute(blocked, names).scalar_one() >= 1,
            "the job to wait on the lock",
            running,
        )
        connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :name AND application_name = :worker"
            ),
            names,
        )
        holding.rollback()
        until(
            lambda: _job(factory, job_id).state is not JobState.RUNNING, "the job to end", running
        )
    holder.dispose()
    terminator.dispose()
    job = _job(factory, job_id)
    assert job.state is JobState.FAILED and "Retry it" in job.message
    assert client.get(f"/admin/jobs/{job_id}/file").status_code == 404
    retried = client.post(f"/admin/jobs/{job_id}", data={"action": "retry"})
    assert retried.status_code == 200 and _job(factory, job_id).state is JobState.DONE
