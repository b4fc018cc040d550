"""Background jobs, measured side by side in one run on the benchmark data (docs/BENCHMARKS.md).

    python -m bench.jobs [--database sqlite|postgresql] [--users N --events N] [--rounds 3]

1. **Export as a job** of the CSV export's filter (a tenth of the events), run by the worker's
   own code (`jobs.runner.run`: the statement, the CSV, the file written into the database in
   chunks), against the raw way on the same statement: `COPY (SELECT ...) TO STDOUT WITH CSV`
   on PostgreSQL, a `csv.writer` loop over sqlite3 on SQLite. Arms alternate; medians, and the
   peak RSS growth of the process running the job (psutil, every 5 ms).
2. **Click to "Started"**: the export page's POST against a real server (`bench.serve`, the
   project arm), whatever the size of the export: p50 of 20.
3. **The panel while workers work**: the events list's p50 idle, then while two worker
   processes (`python -m admin_app worker`) run an export of the filter and a restore of a
   100,000-row change set at full speed; the ratio of the two.
"""

import argparse
import asyncio
import csv
import os
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psutil
import psycopg
from pydantic import SecretStr
from sqlalchemy import Engine, delete, select, update
from sqlalchemy.engine import make_url
from starlette.datastructures import QueryParams

from admin_app import audit
from admin_app.admin.actions.export_job import list_statement
from admin_app.admin.changelist.selection import Selection
from admin_app.admin.views.base import PanelModelView
from admin_app.config import Settings
from admin_app.history import images
from admin_app.jobs import runner, store
from admin_app.main import create_app
from admin_app.models import ChangeSet, Event, Job, JobState, RowImage, Staff
from bench.arms.project import BENCH_SECRET_KEY
from bench.client import ArmClient
from bench.layout import Layout
from bench.seed import BENCH_STAFF_EMAIL, BENCH_STAFF_PASSWORD, ensure_data
from bench.servers import ArmServer
from bench.targets import DEFAULT_SIZE, RESULTS_DIR, Size, Target, postgres_target, sqlite_target

CLICKS = 20
LIST_REQUESTS = 30
RESTORE_ROWS = 100_000


class RssSampler:
    """The peak resident memory of this process while a block runs, above its start."""

    def __init__(self) -> None:
        self.process = psutil.Process()
        self.start = self.peak = self.process.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, self.process.memory_info().rss)

    def __enter__(self) -> "RssSampler":
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def growth(self) -> int:
        return self.peak - self.start


def _settings(target: Target) -> Settings:
    return Settings(
        _env_file=None,
        database_url=target.url,
        jobs_embedded_worker=False,
        secret_key=SecretStr(BENCH_SECRET_KEY),
    )


def _event_view(app: Any) -> PanelModelView:
    panel = app.state.panel
    return next(v for v in panel.views if isinstance(v, PanelModelView) and v.identity == "event")


def _query(layout: Layout) -> str:
    return f"date_from={layout.export_from}&date_to={layout.export_to}"


def _statement(view: PanelModelView, query: str) -> Any:
    # As the export job builds it (admin/actions/export_job.py).
    selection = Selection.whole_filter_of(QueryParams(query))
    return view.export_statement(asyncio.run(list_statement(view, selection)))


def _sql(engine: Engine, statement: Any) -> str:
    return str(statement.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True}))


def raw_copy(url: str, sql: str) -> tuple[float, int]:
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    size = 0
    started = time.perf_counter()
    statement = f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER)"
    with (
        psycopg.connect(dsn) as connection,
        connection.cursor() as cursor,
        cursor.copy(statement) as copy,
    ):
        for block in copy:
            size += len(block)
    return time.perf_counter() - started, size


class _Counting:
    def __init__(self) -> None:
        self.size = 0

    def write(self, text: str) -> int:
        self.size += len(text.encode())
        return len(text)


def raw_csv_writer(path: Path, sql: str) -> tuple[float, int]:
    sink = _Counting()
    started = time.perf_counter()
    connection = sqlite3.connect(path)
    try:
        cursor = connection.execute(sql)
        writer = csv.writer(sink)
        writer.writerow([column[0] for column in cursor.description])
        while rows := cursor.fetchmany(1000):
            writer.writerows(rows)
    finally:
        connection.close()
    return time.perf_counter() - started, sink.size


def _owner(app: Any) -> store.Owner:
    with app.state.session_factory() as session:
        staff_id = session.scalar(select(Staff.id).where(Staff.email == BENCH_STAFF_EMAIL))
    return store.Owner(staff_id=staff_id, email=BENCH_STAFF_EMAIL)


def project_job(app: Any, query: str) -> tuple[float, int, int]:
    factory = app.state.session_factory
    job_id, _ = store.ask(
        factory,
        kind="export",
        owner=_owner(app),
        params={"identity": "event", "query": query, "format": "csv"},
        total=None,
        idempotency_key=None,
    )
    with RssSampler() as rss:
        started = time.perf_counter()
        runner.run(factory, app.state.jobs.kinds, job_id)
        seconds = time.perf_counter() - started
    with factory() as session, session.begin():
        job = session.get(Job, job_id)
        assert job is not None and job.state is JobState.DONE, job and job.message
        rows = job.done
        session.execute(delete(Job).where(Job.id == job_id))  # and its file, by cascade
    return seconds, rows, rss.growth


def export_arms(target: Target, layout: Layout, rounds: int) -> None:
    app = create_app(_settings(target))
    view = _event_view(app)
    query = _query(layout)
    sql = _sql(app.state.engine, _statement(view, query))
    raw_name = "COPY ... TO STDOUT" if target.kind == "postgresql" else "csv.writer loop"
    times: dict[str, list[float]] = {"job": [], "raw": []}
    growth: list[int] = []
    rows = size = 0
    for _ in range(rounds):
        if target.kind == "postgresql":
            seconds, size = raw_copy(target.url, sql)
        else:
            assert target.path is not None
            seconds, size = raw_csv_writer(target.path, sql)
        times["raw"].append(seconds)
        seconds, rows, grew = project_job(app, query)
        times["job"].append(seconds)
        growth.append(grew)
    app.state.engine.dispose()
    job, raw = statistics.median(times["job"]), statistics.median(times["raw"])
    print(f"\n## Export of {rows:,} rows as a job, {target.kind}, median of {rounds}\n")
    print("| arm | median | all runs | peak RSS growth |")
    print("| --- | --- | --- | --- |")
    print(
        f"| job (worker code, file into the database) | {job:.2f} s | "
        f"{', '.join(f'{t:.2f}' for t in times['job'])} | {max(growth) / 2**20:.1f} MiB |"
    )
    print(
        f"| raw {raw_name} ({size / 2**20:.0f} MiB) | {raw:.2f} s | "
        f"{', '.join(f'{t:.2f}' for t in times['raw'])} | |"
    )
    print(f"\njob / raw: **{job / raw:.2f}x**")


@contextmanager
def _server(target: Target) -> Iterator[ArmClient]:
    env_before = dict(os.environ)
    os.environ["JOBS_EMBEDDED_WORKER"] = "false"
    try:
        with ArmServer("project", target.url, RESULTS_DIR / "logs") as server:
            client = ArmClient(server.base_url, needs_login=True)
            client.login(BENCH_STAFF_EMAIL, BENCH_STAFF_PASSWORD)
            try:
                yield client
            finally:
                client.close()
    finally:
        os.environ.clear()
        os.environ.update(env_before)


def _p50(send: Callable[[], float], count: int) -> float:
    return statistics.median(send() for _ in range(count)) * 1000


def click_to_started(client: ArmClient, layout: Layout, factory: Any) -> None:
    path = f"/admin/event/export-job?{_query(layout)}"

    def click() -> float:
        key = os.urandom(12).hex()
        started = time.perf_counter()
        response = client.http.post(path, data={"csrf_token": client.csrf, "idempotency_key": key})
        seconds = time.perf_counter() - started
        assert response.status_code == 303 and "/admin/jobs/" in response.headers["location"]
        return seconds

    p50 = _p50(click, CLICKS)
    # The clicks' jobs are not run: no worker was started, and they are cancelled here.
    with factory() as session, session.begin():
        session.execute(
            update(Job).where(Job.state == JobState.QUEUED).values(state=JobState.CANCELLED)
        )
    print(f'\n## Click to "Started" (export of {layout.export_rows:,} rows)\n')
    print(f"p50 of {CLICKS}: **{p50:.1f} ms** (target under 100 ms)")


def _list_p50(client: ArmClient) -> float:
    def get() -> float:
        timed = client.request("GET", "/admin/event/list?page=2", timeout=60)
        assert timed.status == 200
        return timed.seconds

    return _p50(get, LIST_REQUESTS)


def _deleted_change_set(factory: Any) -> int:
    audit.set_actor(audit.Actor(staff_id=None, email=BENCH_STAFF_EMAIL, client="bench"))
    try:
        with factory() as session, session.begin():
            change_set_id = audit.begin_change_set(session, kind="bulk_delete", target="event")
            assert change_set_id is not None
            ids = select(Event.id).order_by(Event.id.desc()).limit(RESTORE_ROWS).scalar_subquery()
            chosen = select(Event.id).where(Event.id.in_(ids))
            images.delete_rows(session, change_set_id=change_set_id, target="event", ids=chosen)
            return int(change_set_id)
    finally:
        audit.set_actor(None)


@contextmanager
def _workers(target: Target, count: int) -> Iterator[None]:
    env = {
        **os.environ,
        "DATABASE_URL": target.url,
        "JOBS_IMMEDIATE": "false",
        "SECRET_KEY": "bench-only-signing-key-0123456789abcdef",
    }
    started = [
        subprocess.Popen(
            [sys.executable, "-m", "admin_app", "worker"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(count)
    ]
    try:
        yield
    finally:
        for process in started:
            process.terminate()
            process.wait()


def panel_under_work(client: ArmClient, target: Target, layout: Layout, factory: Any) -> None:
    idle = _list_p50(client)
    change_set_id = _deleted_change_set(factory)
    app = create_app(_settings(target).model_copy(update={"jobs_immediate": False}))
    owner = _owner(app)
    jobs = [
        store.ask(factory, kind=kind, owner=owner, params=params, total=None, idempotency_key=None)[
            0
        ]
        for kind, params in (
            ("export", {"identity": "event", "query": _query(layout), "format": "csv"}),
            ("restore", {"change_set": change_set_id, "reason": "bench"}),
        )
    ]

    def states() -> set[JobState]:
        with factory() as session:
            return set(session.scalars(select(Job.state).where(Job.id.in_(jobs))))

    busy: list[float] = []
    with _workers(target, 2):
        for job_id in jobs:
            app.state.jobs.send(job_id)
        while JobState.RUNNING not in states():
            time.sleep(0.05)
        # List requests one after another for as long as a job runs (both, most of the time).
        while (now := states()) & {JobState.QUEUED, JobState.RUNNING}:
            timed = client.request("GET", "/admin/event/list?page=2", timeout=60)
            assert timed.status == 200
            if now == {JobState.RUNNING}:
                busy.append(timed.seconds)
    with factory() as session, session.begin():
        done = list(
            session.execute(select(Job.kind, Job.state, Job.message).where(Job.id.in_(jobs)))
        )
        session.execute(delete(Job).where(Job.id.in_(jobs)))
        leftover = session.scalar(
            select(RowImage.id)
            .where(RowImage.change_set_id == change_set_id, RowImage.restored_by.is_(None))
            .limit(1)
        )
        assert leftover is None, "the restore left rows deleted"
        session.execute(delete(ChangeSet).where(ChangeSet.id == change_set_id))
    app.state.engine.dispose()
    print(
        f"\n## The events list while 2 workers export {layout.export_rows:,} rows and restore "
        f"{RESTORE_ROWS:,}\n"
    )
    busy_p50 = statistics.median(busy) * 1000 if busy else float("nan")
    print(
        f"list p50 idle: {idle:.1f} ms; while both jobs ran ({len(busy)} requests): "
        f"{busy_p50:.1f} ms; **{busy_p50 / idle:.2f}x** (target within 1.5x)"
    )
    for kind, state, message in done:
        print(f"- {kind}: {state.value}: {message}")


def main(argv: list[str] | None = None) -> None:
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--users", type=int, default=DEFAULT_SIZE.users)
    parser.add_argument("--events", type=int, default=DEFAULT_SIZE.events)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", nargs="*", default=["export", "click", "panel"])
    args = parser.parse_args(argv)
    size = Size(users=args.users, events=args.events)
    target = sqlite_target(size) if args.database == "sqlite" else postgres_target(size)
    layout = Layout(size)
    ensure_data(target, layout)
    print(f"# Background jobs, {target.kind}, {size.label}")
    if "export" in args.only:
        export_arms(target, layout, args.rounds)
    factory = create_app(_settings(target)).state.session_factory
    if {"click", "panel"} & set(args.only):
        with _server(target) as client:
            if "click" in args.only:
                click_to_started(client, layout, factory)
            if "panel" in args.only:
                panel_under_work(client, target, layout, factory)


if __name__ == "__main__":
    main()
