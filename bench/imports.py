"""Imports, measured side by side in one run on the benchmark data (docs/BENCHMARKS.md).

    python -m bench.imports [--database sqlite|postgresql] [--users N --events N] [--rows N]

A CSV of `--rows` events (default 1,000,000): half update existing events (a new title and
status), half create new ones; every organizer named by email. Three phases, each against the
raw way of doing the same work on the same data:

1. **Dry run**: the worker's own job (`jobs.runner.run` of `import_check`: the file read back
   from the database, every cell checked with the forms' rules, the staging table written, the
   set-based rules, the counts), against raw SQL that loads the file into a staging table
   (`COPY ... FROM STDIN WITH CSV` on PostgreSQL; `csv.reader` + `executemany` on SQLite) and
   classifies it with one query (organizers by email, rows found, rows that differ).
2. **Commit**: the `import_commit` job (chunks of 5,000, each its own transaction with its
   checkpoint, before-images of updated rows, images of created ones, one change set, the version
   check), against one `INSERT ... ON CONFLICT (id) DO UPDATE ... WHERE ... IS DISTINCT FROM`
   from the raw staging table (SQLite: the same statement through `executemany`, one
   transaction).
3. **Undo** of the import's change set (`history.undo.undo`), against the raw statements that
   put it back: one `UPDATE ... FROM` a copy of the updated rows taken before, one `DELETE` of
   the created ones.

The raw arms run first, in one transaction rolled back at the end; then the project's import
runs for real and is undone, which puts the data back (new ids are spent, versions move on).
Peak RSS growth of this process is sampled during the project's phases (psutil, every 5 ms).
"""

import argparse
import csv
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import select

from admin_app import audit
from admin_app.admin.actions.imports import upload as stored
from admin_app.admin.actions.imports.fields import guess_mapping
from admin_app.admin.actions.imports.jobs import CHECK, COMMIT
from admin_app.admin.actions.imports.reading import header_of
from admin_app.admin.actions.imports.staged import discard
from admin_app.history import undo
from admin_app.jobs import runner, store
from admin_app.main import create_app
from admin_app.models import Import, Job, JobState, Staff, User
from bench.jobs import RssSampler, _settings
from bench.layout import Layout
from bench.seed import BENCH_STAFF_EMAIL, ensure_data
from bench.targets import DEFAULT_SIZE, Size, Target, postgres_target, sqlite_target

HEADER = ["id", "title", "date_of", "social_status", "organizer"]
MIB = 1024 * 1024


def write_file(path: Path, target: Target, layout: Layout, rows: int) -> int:
    """The benchmark's CSV: rows/2 updates of events spread over the table, rows/2 creates."""
    emails = _emails(target, 10_000)
    updates = rows // 2
    step = max(1, layout.size.events // updates)
    with path.open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(HEADER)
        for n in range(updates):
            event_id = 1 + n * step
            status = "public" if n % 2 else "private"
            writer.writerow(
                [event_id, f"Imported {n}", "2027-01-01", status, emails[n % len(emails)]]
            )
        for n in range(rows - updates):
            writer.writerow(["", f"New {n}", "2027-02-02", "public", emails[n % len(emails)]])
    return updates


def _emails(target: Target, limit: int) -> list[str]:
    app = create_app(_settings(target))
    with app.state.session_factory() as session:
        found = list(session.scalars(select(User.email).order_by(User.id).limit(limit)))
    app.state.engine.dispose()
    return found


@contextmanager
def timed(results: dict[str, float], name: str) -> Iterator[None]:
    start = time.perf_counter()
    yield
    results[name] = time.perf_counter() - start


# --- Raw arms ----------------------------------------------------------------------------------


def raw_postgres(target: Target, path: Path) -> dict[str, float]:
    results: dict[str, float] = {}
    url = target.url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url) as conn:
        max_id = conn.execute("SELECT max(id) FROM events").fetchone()[0]  # type: ignore[index]
        with timed(results, "dry run"):
            conn.execute(
                "CREATE TEMP TABLE staging (id int, title text, date_of date, "
                "social_status text, organizer text) ON COMMIT DROP"
            )
            with (
                path.open("rb") as source,
                conn.cursor().copy(
                    "COPY staging FROM STDIN WITH (FORMAT csv, HEADER true)"
                ) as copy,
            ):
                while block := source.read(MIB):
                    copy.write(block)
            conn.execute(
                "SELECT count(*) FILTER (WHERE e.id IS NULL), count(*) FILTER (WHERE e.id IS NOT "
                "NULL AND (e.title, e.date_of, e.social_status::text, e.organizer_id) IS DISTINCT "
                "FROM (s.title, s.date_of, s.social_status, u.id)), count(*) FILTER (WHERE u.id IS "
                "NULL) FROM staging s LEFT JOIN users u ON u.email = lower(trim(s.organizer)) "
                "LEFT JOIN events e ON e.id = s.id"
            ).fetchone()
        conn.execute(
            "CREATE TEMP TABLE before ON COMMIT DROP AS SELECT e.* FROM events e "
            "JOIN staging s ON s.id = e.id"
        )
        with timed(results, "commit"):
            conn.execute(
                "INSERT INTO events (id, title, date_of, social_status, organizer_id, version, "
                "created_at, updated_at) SELECT coalesce(s.id, nextval('events_id_seq')), s.title, "
                "s.date_of, s.social_status::social_status, u.id, 1, now(), now() FROM staging s "
                "JOIN users u ON u.email = lower(trim(s.organizer)) ON CONFLICT (id) DO UPDATE SET "
                "title = EXCLUDED.title, date_of = EXCLUDED.date_of, social_status = "
                "EXCLUDED.social_status, organizer_id = EXCLUDED.organizer_id, version = "
                "events.version + 1, updated_at = now() WHERE (events.title, events.date_of, "
                "events.social_status, events.organizer_id) IS DISTINCT FROM (EXCLUDED.title, "
                "EXCLUDED.date_of, EXCLUDED.social_status, EXCLUDED.organizer_id)"
            )
        with timed(results, "undo"):
            conn.execute(
                "UPDATE events e SET title = b.title, date_of = b.date_of, social_status = "
                "b.social_status, organizer_id = b.organizer_id, version = e.version + 1 "
                "FROM before b WHERE e.id = b.id"
            )
            conn.execute("DELETE FROM events WHERE id > %s", (max_id,))
        conn.rollback()
    return results


def raw_sqlite(target: Target, path: Path) -> dict[str, float]:
    results: dict[str, float] = {}
    assert target.path is not None
    conn = sqlite3.connect(target.path, isolation_level=None)
    try:
        max_id = conn.execute("SELECT max(id) FROM events").fetchone()[0]
        conn.execute("BEGIN")
        with timed(results, "dry run"):
            conn.execute(
                "CREATE TEMP TABLE staging (id int, title text, date_of text, "
                "social_status text, organizer text)"
            )
            with path.open(newline="") as source:
                reader = csv.reader(source)
                next(reader)
                conn.executemany(
                    "INSERT INTO staging VALUES (?, ?, ?, ?, ?)",
                    ((int(r[0]) if r[0] else None, r[1], r[2], r[3], r[4]) for r in reader),
                )
            conn.execute(
                "SELECT sum(e.id IS NULL), sum(e.id IS NOT NULL AND (e.title IS NOT s.title OR "
                "e.date_of IS NOT s.date_of OR e.social_status IS NOT s.social_status OR "
                "e.organizer_id IS NOT u.id)), sum(u.id IS NULL) FROM staging s LEFT JOIN users u "
                "ON u.email = lower(trim(s.organizer)) LEFT JOIN events e ON e.id = s.id"
            ).fetchone()
        conn.execute(
            "CREATE TEMP TABLE before AS SELECT e.* FROM events e JOIN staging s ON s.id = e.id"
        )
        now = "2026-12-07T00:00:00+00:00"
        with timed(results, "commit"), path.open(newline="") as source:
            reader = csv.reader(source)
            next(reader)
            conn.executemany(
                "INSERT INTO events (id, title, date_of, social_status, organizer_id, "
                "version, created_at, updated_at) VALUES (?, ?, ?, ?, (SELECT id FROM users "
                "WHERE email = lower(trim(?))), 1, ?, ?) ON CONFLICT (id) DO UPDATE SET "
                "title = excluded.title, date_of = excluded.date_of, social_status = "
                "excluded.social_status, organizer_id = excluded.organizer_id, version = "
                "events.version + 1, updated_at = excluded.updated_at WHERE events.title IS "
                "NOT excluded.title OR events.date_of IS NOT excluded.date_of OR "
                "events.social_status IS NOT excluded.social_status OR events.organizer_id "
                "IS NOT excluded.organizer_id",
                ((int(r[0]) if r[0] else None, r[1], r[2], r[3], r[4], now, now) for r in reader),
            )
        with timed(results, "undo"):
            conn.execute(
                "UPDATE events SET title = b.title, date_of = b.date_of, social_status = "
                "b.social_status, organizer_id = b.organizer_id, version = events.version + 1 "
                "FROM before b WHERE events.id = b.id"
            )
            conn.execute("DELETE FROM events WHERE id > ?", (max_id,))
        conn.execute("ROLLBACK")
    finally:
        conn.close()
    return results


# --- The project's import ---------------------------------------------------------------------


def project(target: Target, path: Path) -> tuple[dict[str, float], dict[str, int], str]:
    app = create_app(_settings(target))
    factory = app.state.session_factory
    kinds = app.state.jobs.kinds
    results: dict[str, float] = {}
    memory: dict[str, int] = {}
    with factory() as session:
        staff = session.scalars(select(Staff).where(Staff.email == BENCH_STAFF_EMAIL)).one()
        owner = store.Owner(staff_id=staff.id, email=staff.email)
        actor = audit.Actor(staff_id=staff.id, email=staff.email, client="bench")
    import_id = _upload(factory, path, owner)

    def job(kind: str) -> Job:
        job_id, _ = store.ask(
            factory,
            kind=kind,
            owner=owner,
            params={"import": import_id, "file": path.name},
            total=None,
            idempotency_key=None,
        )
        runner.run(factory, kinds, job_id)
        with factory() as session:
            done = session.get(Job, job_id)
        assert done is not None and done.state is JobState.DONE, done and done.message
        return done  # type: ignore[no-any-return]

    for name, kind in (("dry run", CHECK), ("commit", COMMIT)):
        with RssSampler() as rss, timed(results, name):
            finished = job(kind)
        memory[name] = rss.growth
        print(f"  project {name}: {results[name]:.1f} s; {finished.message}")
    with factory() as session:
        change_set_id = session.scalars(
            select(Import.change_set_id).where(Import.id == import_id)
        ).one()
    audit.set_actor(actor)
    with RssSampler() as rss, timed(results, "undo"), factory() as session, session.begin():
        _, rows = undo.undo(
            session, change_set_id=change_set_id, accept_conflicts=False, reason="bench"
        )
    memory["undo"] = rss.growth
    audit.set_actor(None)
    print(f"  project undo: {results['undo']:.1f} s; {rows:,} rows")
    with factory() as session, session.begin():
        discard(session, import_id)
    app.state.engine.dispose()
    return results, memory, f"change set #{change_set_id}"


def _upload(factory: Any, path: Path, owner: store.Owner) -> int:
    """What the upload page does with the file (stored.receive, header_of, stored.store)."""
    with path.open("rb") as source:
        received = stored.receive(source, path.name, max_bytes=1024 * MIB)
    try:
        headers, examples = header_of(received.path, received.layout)
        with factory() as session, session.begin():
            for stale in session.scalars(
                select(Import.id).where(Import.file_hash == received.sha256)
            ).all():
                discard(session, stale)
            found = Import(
                identity="event",
                owner_id=owner.staff_id,
                owner_email=owner.email,
                file_name=path.name,
                file_hash=received.sha256,
                file_size=received.size,
                file_format="csv",
                headers=headers,
                preview=examples,
                mapping=guess_mapping("event", headers),
            )
            session.add(found)
            session.flush()
            stored.store(session, found.id, received.path)
            return int(found.id)
    finally:
        received.path.unlink()


def report(raw: dict[str, float], mine: dict[str, float], memory: dict[str, int]) -> None:
    print()
    print("| phase | project | raw | ratio | project peak RSS growth |")
    print("|---|---:|---:|---:|---:|")
    for phase in ("dry run", "commit", "undo"):
        ratio = mine[phase] / raw[phase]
        print(
            f"| {phase} | {mine[phase]:.2f} s | {raw[phase]:.2f} s | {ratio:.2f}x "
            f"| {memory[phase] / MIB:.0f} MiB |"
        )
    total_mine = mine["dry run"] + mine["commit"]
    total_raw = raw["dry run"] + raw["commit"]
    ratio = total_mine / total_raw
    print(f"| dry run + commit | {total_mine:.2f} s | {total_raw:.2f} s | {ratio:.2f}x | |")


def main(argv: list[str] | None = None) -> None:
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--users", type=int, default=DEFAULT_SIZE.users)
    parser.add_argument("--events", type=int, default=DEFAULT_SIZE.events)
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    size = Size(users=args.users, events=args.events)
    target = sqlite_target(size) if args.database == "sqlite" else postgres_target(size)
    layout = Layout(size)
    ensure_data(target, layout)
    print(f"# Imports, {target.kind}, {size.label}: {args.rows:,} rows, half updates")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "events-import.csv"
        write_file(path, target, layout, args.rows)
        print(f"  file: {path.stat().st_size / MIB:.1f} MiB")
        raw = (raw_postgres if target.kind == "postgresql" else raw_sqlite)(target, path)
        print(f"  raw: {', '.join(f'{k} {v:.1f} s' for k, v in raw.items())}")
        mine, memory, _ = project(target, path)
    report(raw, mine, memory)


if __name__ == "__main__":
    main()
