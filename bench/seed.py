"""Create the benchmark database once per size and reuse it: COPY on PostgreSQL, one
executemany transaction on SQLite, with a progress bar."""

import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy import Column, Engine, MetaData, String, Table, delete, func, inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from admin_app.config import Settings
from admin_app.db import engine_at
from admin_app.migrate import upgrade_to_head
from admin_app.models import Event, LoginAttempt, Staff, StaffRole, User
from admin_app.staff.accounts import create_staff
from bench.layout import Layout, batched, event_rows, user_rows, utc_now
from bench.progress import ProgressBar
from bench.targets import Target

BATCH_ROWS = 50_000
BENCH_STAFF_EMAIL = "bench-admin@example.com"
BENCH_STAFF_PASSWORD = "bench run password, not a secret"

_meta = MetaData()
bench_meta = Table(
    "bench_meta",
    _meta,
    Column("key", String(64), primary_key=True),
    Column("value", String(200), nullable=False),
)
USER_COLUMNS = ("id", "email", "created_at", "updated_at")
EVENT_COLUMNS = (
    "id",
    "title",
    "date_of",
    "social_status",
    "organizer_id",
    "created_at",
    "updated_at",
)


def libpq_url(url: str) -> str:
    """A SQLAlchemy PostgreSQL URL as psycopg wants it (no +driver)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def ensure_data(target: Target, layout: Layout, *, reseed: bool = False) -> None:
    """Make `target` hold exactly `layout`'s data, reusing what is there when it matches."""
    if reseed or not _exists(target):
        _recreate(target)
    upgrade_to_head(Settings(_env_file=None, database_url=target.url))
    engine = engine_at(target.url)
    try:
        if not reseed and _matches(engine, layout):
            print(f"  reusing {target.kind} data ({layout.size.label})")
            if target.kind == "postgresql":
                _vacuum_analyze(target)
        else:
            engine.dispose()
            _recreate(target)
            upgrade_to_head(Settings(_env_file=None, database_url=target.url))
            engine = engine_at(target.url)
            _load(target, engine, layout)
        _ensure_staff(engine)
    finally:
        engine.dispose()


def _exists(target: Target) -> bool:
    if target.path is not None:
        return target.path.exists()
    with _server_connection(target) as conn:
        found = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (target.database,)
        ).fetchone()
    return found is not None


def _recreate(target: Target) -> None:
    if target.path is not None:
        target.path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            target.path.with_name(target.path.name + suffix).unlink(missing_ok=True)
        return
    assert target.database is not None and target.database.startswith("events_bench_")
    name = sql.Identifier(target.database)
    with _server_connection(target) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(name))


def _server_connection(target: Target) -> psycopg.Connection[Any]:
    assert target.server_url is not None
    return psycopg.connect(libpq_url(target.server_url), autocommit=True)


def _matches(engine: Engine, layout: Layout) -> bool:
    if not inspect(engine).has_table(bench_meta.name):
        return False
    with engine.connect() as conn:
        stored = dict(conn.execute(select(bench_meta.c.key, bench_meta.c.value)).tuples().all())
        if stored != layout.as_meta():
            return False
        users = conn.scalar(select(func.count()).select_from(User))
        events = conn.scalar(select(func.count()).select_from(Event))
    return users == layout.size.users and events == layout.size.events


def _load(target: Target, engine: Engine, layout: Layout) -> None:
    print(f"  seeding {target.kind}: {layout.size.label}")
    started = time.perf_counter()
    now = utc_now()
    if target.kind == "postgresql":
        _copy_postgres(target, engine, layout, now)
    else:
        _insert_sqlite(engine, layout, now)
    _meta.create_all(engine)
    with engine.begin() as conn:
        conn.execute(bench_meta.delete())
        conn.execute(
            bench_meta.insert(), [{"key": k, "value": v} for k, v in layout.as_meta().items()]
        )
    print(f"  seeded in {time.perf_counter() - started:.1f} s")


def _full_rows(
    engine: Engine, table: Table, columns: Sequence[str], rows: Iterator[Any]
) -> tuple[list[str], Iterator[tuple[Any, ...]]]:
    """The generated columns plus any other NOT NULL column the schema has, at its default.

    The project's schema keeps growing (e.g. a `version` column); rows stay loadable as long as
    the new columns have a constant default, a server default or accept NULL.
    """
    extras: list[tuple[str, Any]] = []
    for reflected in inspect(engine).get_columns(table.name):
        name = reflected["name"]
        if name in columns or reflected["nullable"] or reflected.get("default") is not None:
            continue
        model_column = table.c.get(name)
        default = model_column.default if model_column is not None else None
        if default is None or not getattr(default, "is_scalar", False):
            raise RuntimeError(f"{table.name}.{name} is NOT NULL without a constant default")
        extras.append((name, getattr(default, "arg", None)))
    values = tuple(value for _, value in extras)
    names = [*columns, *(name for name, _ in extras)]
    return names, (row + values for row in rows)


def _with_progress(label: str, total: int, batches: Iterator[list[Any]]) -> Iterator[list[Any]]:
    bar = ProgressBar(label, total)
    done = 0
    for batch in batches:
        yield batch
        done += len(batch)
        bar.update(done)


def _insert_sqlite(engine: Engine, layout: Layout, now: Any) -> None:
    dialect = engine.dialect

    def processor(column: Any) -> Callable[[Any], Any]:
        process = column.type.dialect_impl(dialect).bind_processor(dialect)
        return process if process is not None else (lambda value: value)

    def formatted(table: Table, columns: Sequence[str], rows: Iterator[Any]) -> Iterator[Any]:
        processors = [processor(table.c[name]) for name in columns]
        for row in rows:
            yield tuple(p(value) for p, value in zip(processors, row, strict=True))

    users_table, events_table = User.__table__, Event.__table__
    assert isinstance(users_table, Table) and isinstance(events_table, Table)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for table, generated, generated_rows, total in (
            (users_table, USER_COLUMNS, user_rows(layout, now), layout.size.users),
            (events_table, EVENT_COLUMNS, event_rows(layout, now), layout.size.events),
        ):
            columns, rows = _full_rows(engine, table, generated, generated_rows)
            statement = (
                f"INSERT INTO {table.name} ({', '.join(columns)}) "
                f"VALUES ({', '.join('?' for _ in columns)})"
            )
            batches = batched(formatted(table, columns, rows), BATCH_ROWS)
            for batch in _with_progress(table.name, total, batches):
                cursor.executemany(statement, batch)
        raw.commit()
    finally:
        raw.close()


def _copy_postgres(target: Target, engine: Engine, layout: Layout, now: Any) -> None:
    users_table, events_table = User.__table__, Event.__table__
    assert isinstance(users_table, Table) and isinstance(events_table, Table)
    with psycopg.connect(libpq_url(target.url)) as conn:
        with conn.cursor() as cursor:
            for table, generated, generated_rows, total in (
                (users_table, USER_COLUMNS, user_rows(layout, now), layout.size.users),
                (events_table, EVENT_COLUMNS, event_rows(layout, now), layout.size.events),
            ):
                columns, rows = _full_rows(engine, table, generated, generated_rows)
                statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
                    sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, columns))
                )
                with cursor.copy(statement) as copy:
                    for batch in _with_progress(table.name, total, batched(rows, BATCH_ROWS)):
                        for row in batch:
                            copy.write_row(row)
                cursor.execute(
                    sql.SQL("SELECT setval(pg_get_serial_sequence({}, 'id'), {})").format(
                        sql.Literal(table.name), sql.Literal(total)
                    )
                )
        conn.commit()
    _vacuum_analyze(target)


def _vacuum_analyze(target: Target) -> None:
    """What autovacuum does in production, done now: plans, statistics and index-only scans
    must not depend on how many delete/restore rounds earlier runs left unvacuumed."""
    with psycopg.connect(libpq_url(target.url), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE users")
        conn.execute("VACUUM ANALYZE events")


def _ensure_staff(engine: Engine) -> None:
    """The admin account the harness logs in with; no throttling left over from earlier runs."""
    with Session(engine) as session:
        session.execute(delete(LoginAttempt))
        session.commit()
        if session.scalar(select(Staff.id).where(Staff.email == BENCH_STAFF_EMAIL)) is None:
            create_staff(
                session,
                email=BENCH_STAFF_EMAIL,
                password=BENCH_STAFF_PASSWORD,
                role=StaffRole.ADMIN,
            )
