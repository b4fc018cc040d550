"""Background jobs under faults, with the real server and real worker processes.

    .venv/bin/python -m reliability.jobs --db sqlite|postgresql [--jobs 200] [--staff 10]

On a fresh database (20,000 events), one server (uvicorn) and two worker processes
(`python -m admin_app worker`):

1. `--staff` staff members log in and ask for `--jobs` CSV exports between them over HTTP,
   each through its page's POST with its own idempotency key (JOBS_EXPORT_ROWS is 100 here, so
   every export of the private events is a job);
2. once a third of them are done, one worker is SIGKILLed and another started in its place; on
   PostgreSQL every connection of the workers is also terminated once, as a database restart
   does to them;
3. once the queue is empty, the sweep runs (as the workers' scheduler runs it every minute;
   JOBS_STALE_SECONDS is 5 here): a job the killed worker held is failed, never left running;
4. each staff member retries their failed jobs over HTTP, and they drain.

Checked: every job ends done, none runs twice at once (attempts above 1 only for retried jobs);
every file is complete and holds exactly the filter's rows; each staff member has a
notification for each of their jobs; the server logged no unhandled exception. Exit status 1
when a check fails.
"""

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import Engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from admin_app.db import make_session_factory
from admin_app.jobs import store
from admin_app.models import Event, Job, JobFile, JobState, Notification, SocialStatus, Staff
from reliability.load_server import (
    APP_DIR,
    STAFF_PASSWORD,
    AppServer,
    LoadDatabase,
    fresh_database,
)

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]*)"')
KEY = re.compile(r'name="idempotency_key" value="([^"]+)"')
EXPORT_ROWS = 100
STALE_SECONDS = 5
WORKER_APP_NAME = "events-admin-worker"
Factory = sessionmaker[Session]
DEADLINE_SECONDS = 300


class Staffer:
    """One staff member's browser session."""

    def __init__(self, base_url: str, email: str) -> None:
        self.email = email
        self.http = httpx.Client(base_url=base_url, timeout=60.0, follow_redirects=False)
        page = self.http.get("/admin/login")
        token = CSRF_META.search(page.text) or CSRF.search(page.text)
        form = {
            "username": email,
            "password": STAFF_PASSWORD,
            "csrf_token": token[1] if token else "",
        }
        if self.http.post("/admin/login", data=form).status_code != 302:
            raise RuntimeError(f"{email} could not log in")

    def ask_export(self) -> int:
        page = self.http.get("/admin/event/export-job?social_status=private")
        token, key = CSRF.search(page.text), KEY.search(page.text)
        if page.status_code != 200 or token is None or key is None:
            raise RuntimeError(f"the export page answered {page.status_code}")
        started = self.http.post(
            "/admin/event/export-job?social_status=private",
            data={"csrf_token": token[1], "idempotency_key": key[1]},
        )
        location = started.headers.get("location", "")
        if started.status_code != 303 or "/admin/jobs/" not in location:
            raise RuntimeError(f"starting an export answered {started.status_code}")
        return int(location.rsplit("/", 1)[1])

    def retry(self, job_id: int) -> None:
        page = self.http.get(f"/admin/jobs/{job_id}")
        token = CSRF.search(page.text)
        answer = self.http.post(
            f"/admin/jobs/{job_id}",
            data={"csrf_token": token[1] if token else "", "action": "retry"},
        )
        if answer.status_code != 303:
            raise RuntimeError(f"retry of job #{job_id} answered {answer.status_code}")

    def close(self) -> None:
        self.http.close()


def _worker_url(database: LoadDatabase) -> str:
    if database.backend != "postgresql":
        return database.url
    url = make_url(database.url)
    return url.update_query_dict({"application_name": WORKER_APP_NAME}).render_as_string(
        hide_password=False
    )


Workers = list[subprocess.Popen[bytes]]


def _start_worker(
    running: Workers, database: LoadDatabase, env: dict[str, str], logs: Path
) -> None:
    with (logs / f"worker-{len(running)}.log").open("ab") as log:
        running.append(
            subprocess.Popen(
                [sys.executable, "-m", "admin_app", "worker"],
                cwd=APP_DIR[0],
                env={**env, "DATABASE_URL": _worker_url(database)},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )


@contextmanager
def _workers(database: LoadDatabase, env: dict[str, str], logs: Path) -> Iterator[Workers]:
    running: Workers = []
    _start_worker(running, database, env, logs)
    _start_worker(running, database, env, logs)
    try:
        yield running
    finally:
        for process in running:
            if process.poll() is None:
                process.terminate()
                process.wait(15)


def _wait(what: str, done: Callable[[], bool]) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not done():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(0.2)


def run(backend: str, jobs: int, staff: int) -> list[str]:
    problems: list[str] = []
    env = {
        **os.environ,
        "JOBS_EXPORT_ROWS": str(EXPORT_ROWS),
        "JOBS_STALE_SECONDS": str(STALE_SECONDS),
        "JOBS_EMBEDDED_WORKER": "false",
    }
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        with (
            fresh_database(backend, users=500, events=20_000, staff=staff) as database,
            tempfile.TemporaryDirectory(prefix="events_jobs_") as folder,
        ):
            log_dir = Path(folder)
            engine = database.engine()
            factory = make_session_factory(engine)
            with factory() as session:
                expected = session.scalar(
                    select(func.count(Event.id)).where(Event.social_status == SocialStatus.PRIVATE)
                )
            server = AppServer(database.url, workers=1, log_path=log_dir / "server.log")
            with server:
                env["SECRET_KEY"] = server.secret_key
                staffers = [Staffer(server.base_url, email) for email in database.staff]
                started = time.monotonic()
                with _workers(database, env, log_dir) as running:
                    asked = [staffers[n % staff].ask_export() for n in range(jobs)]
                    click = (time.monotonic() - started) / jobs
                    print(
                        f"{backend}: {jobs} jobs asked by {staff} staff, "
                        f"{click * 1000:.1f} ms a click"
                    )

                    def finished() -> int:
                        with factory() as session:
                            return int(
                                session.scalar(
                                    select(func.count(Job.id)).where(Job.state.in_(store.FINISHED))
                                )
                                or 0
                            )

                    _wait("a third of the jobs", lambda: finished() >= jobs // 3)
                    running[0].send_signal(signal.SIGKILL)
                    running[0].wait()
                    print(f"  {finished()} finished: worker 0 killed (SIGKILL), another started")
                    _start_worker(running, database, env, log_dir)
                    if backend == "postgresql":
                        cut = _terminate_workers(engine, database.name)
                        print(
                            f"  {cut} worker connections terminated (as a database restart would)"
                        )

                    # Settled: nothing queued, and nothing running but the killed worker's job
                    # (its heartbeat stopped); then the sweep fails that one.
                    _wait("the queue to drain", lambda: _settled(factory))
                    time.sleep(STALE_SECONDS + 1)  # the killed worker's heartbeat goes stale
                    swept = _sweep(database.url)
                    print(
                        f"  the sweep failed {len(swept)} more job(s) of the killed worker: {swept}"
                    )
                    with factory() as session:
                        failed = list(
                            session.execute(
                                select(Job.id, Staff.email, Job.message)
                                .join(Staff, Staff.id == Job.owner_id)
                                .where(Job.state == JobState.FAILED)
                            )
                        )
                    by_email = {s.email: s for s in staffers}
                    for job_id, email, message in failed:
                        print(f"  job #{job_id} failed: {message}")
                        by_email[email].retry(job_id)
                    print(f"  {len(failed)} failed job(s) retried over HTTP")
                    _wait("every job to finish", lambda: finished() == jobs)
                    took = time.monotonic() - started
                for member in staffers:
                    member.close()
                problems += _check(factory, asked, expected or 0, staff, jobs)
                problems += [f"server: {line}" for line in server.unhandled_errors()]
            print(f"  drained in {took:.1f} s; files checked: {jobs} x {expected:,} rows")
            engine.dispose()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return problems


def _terminate_workers(engine: Engine, name: str) -> int:
    with engine.connect() as connection:
        cut = connection.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = :name AND application_name = :app"
            ),
            {"name": name, "app": WORKER_APP_NAME},
        ).scalar_one()
        connection.commit()
    return int(cut)


def _settled(factory: Factory) -> bool:
    # A live job here takes milliseconds: one running with a heartbeat older than 3 s is the
    # killed worker's.
    cutoff = datetime.now(UTC) - timedelta(seconds=3)
    with factory() as session:
        queued = session.scalar(select(func.count(Job.id)).where(Job.state == JobState.QUEUED))
        live = session.scalar(
            select(func.count(Job.id)).where(
                Job.state == JobState.RUNNING, Job.heartbeat_at >= cutoff
            )
        )
    return not queued and not live


def _sweep(database_url: str) -> list[int]:
    """The sweep, as the workers' scheduler runs it: in a process of its own, with the
    environment's JOBS_STALE_SECONDS."""
    code = (
        "from admin_app.config import Settings; from admin_app.main import create_app; "
        "from admin_app.jobs import runner; app = create_app(Settings()); q = app.state.jobs; "
        "print(runner.reap(q.factory, q.kinds, q.stale_after))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=APP_DIR[0],
        env={**os.environ, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        check=True,
    )
    return [int(n) for n in re.findall(r"\d+", result.stdout.strip().splitlines()[-1])]


def _check(factory: Factory, asked: list[int], expected: int, staff: int, jobs: int) -> list[str]:
    problems: list[str] = []
    with factory() as session:
        rows = list(session.scalars(select(Job).where(Job.id.in_(asked))))
        states = Counter(job.state for job in rows)
        if states != Counter({JobState.DONE: jobs}):
            problems.append(f"job states: {dict(states)}")
        wrong = [job.id for job in rows if job.done != expected]
        if wrong:
            problems.append(f"jobs with other than {expected} rows: {wrong[:10]}")
        files = session.scalar(
            select(func.count(JobFile.id)).where(JobFile.job_id.in_(asked), JobFile.complete)
        )
        if files != jobs:
            problems.append(f"{files} complete files for {jobs} jobs")
        per_staff = Counter(
            session.scalars(select(Notification.staff_id).where(Notification.job_id.in_(asked)))
        )
        if len(per_staff) != staff or min(per_staff.values()) < jobs // staff:
            problems.append(f"notifications per staff member: {dict(per_staff)}")
        attempts = Counter(job.attempts for job in rows)
        print(f"  attempts: {dict(sorted(attempts.items()))}")
    return problems


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--staff", type=int, default=10)
    args = parser.parse_args(argv)
    problems = run(args.db, args.jobs, args.staff)
    for problem in problems:
        print(f"FAILED: {problem}")
    print("jobs under faults: " + ("FAILED" if problems else "passed"))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
