"""The time machine's cost, side by side in one run on the benchmark data (docs/BENCHMARKS.md).

    python -m bench.time_machine [--database sqlite|postgresql] [--users N --events N]

1. Bulk delete of 10,000 events with before-images (the panel's path: change set, one
   DELETE that packs the rows' JSON into one image pack, the audit entry) against one raw
   `DELETE ... WHERE id IN` of the same rows; then what the first reader of images pays once to
   unpack that pack into image rows (`images.unpack`), so the whole cost is on the page too.
2. Restore of a 100,000-row change set (`history.restore`, INSERT ... SELECT out of the JSON
   images, plus the images of the restored rows) against a raw `INSERT ... SELECT` of the same
   rows from a plain copy; Python's peak allocation during the restore at 10,000 and 100,000
   rows shows the memory does not grow with the change set.

Every arm runs in a transaction that is rolled back, arms alternate, and the median is printed.
On PostgreSQL every arm starts from the same state: VACUUM, then CHECKPOINT. Without it, the
first arm after the round's VACUUM paid for the whole round: a page's first change after a
checkpoint is written whole to the WAL (10,000 spread rows are about 10,000 pages), and the arms
after it found those pages already logged. That first arm was always the panel's, which is how
one run measured 2.01x and the same statements, each after a VACUUM, 1.16x.
"""

import argparse
import statistics
import time
import tracemalloc
from collections.abc import Callable

from sqlalchemy import Engine, TextClause, delete, func, literal_column, select, text
from sqlalchemy.orm import Session

from admin_app import audit
from admin_app.db import engine_at, make_session_factory
from admin_app.history import images, restore
from admin_app.models import Event
from bench.layout import Layout
from bench.seed import ensure_data
from bench.targets import DEFAULT_SIZE, Size, postgres_target, sqlite_target

ROUNDS = 5
BENCH_ACTOR = audit.Actor(staff_id=None, email="bench@example.com", client="bench")


def spread_ids(session: Session, count: int) -> list[int]:
    # Spread over the table, like a filter would pick them.
    total = session.scalar(select(Event.id).order_by(Event.id.desc()).limit(1)) or 0
    step = max(1, total // count)
    return list(session.scalars(select(Event.id).where(Event.id % step == 0).limit(count)))


def _timed(engine: Engine, work: Callable[[Session], None]) -> float:
    with make_session_factory(engine)() as session:
        session.begin()
        started = time.perf_counter()
        work(session)
        session.flush()
        elapsed = time.perf_counter() - started
        session.rollback()
    return elapsed


def _delete_with_images(ids: list[int]) -> Callable[[Session], None]:
    def work(session: Session) -> None:
        change_set_id = audit.begin_change_set(session, kind="bulk_delete", target="event")
        # As bulk.delete_selection hands over ticked rows: the list of ids.
        count = images.delete_rows(session, change_set_id=change_set_id, target="event", ids=ids)
        audit.record(session, action="delete", target="event", summary="bench", rows=count)

    return work


def _delete_with_image_rows(ids: list[int]) -> Callable[[Session], None]:
    # The layout before image packs (migration 0017), on PostgreSQL: one image row per deleted
    # row, written from what the DELETE returns, in the same statement.
    def work(session: Session) -> None:
        change_set_id = audit.begin_change_set(session, kind="bulk_delete", target="event")
        assert change_set_id is not None
        table = images.TABLES["event"]
        gone = delete(table).where(table.c.id.in_(ids)).returning(*table.c).cte("gone")
        data = func.row_to_json(literal_column(gone.name))
        rows = images._image_rows(change_set_id, "event", "delete", gone, gone.c.version, data)
        count = images._insert_images(session, rows)
        audit.record(session, action="delete", target="event", summary="bench", rows=count)

    return work


def _raw_delete(ids: list[int]) -> Callable[[Session], None]:
    def work(session: Session) -> None:
        session.connection().execute(delete(Event).where(Event.id.in_(ids)))

    return work


def _prepared_restore(ids: list[int]) -> Callable[[Session], None]:
    # Setup (not timed): delete the rows with images; then time the restore of that change set.
    def work(session: Session) -> None:
        change_set_id = audit.begin_change_set(session, kind="bulk_delete", target="event")
        assert change_set_id is not None
        chosen = select(Event.id).where(Event.id.in_(_id_table(session, ids)))
        images.delete_rows(session, change_set_id=change_set_id, target="event", ids=chosen)
        # Recently deleted has unpacked them by the time anyone restores from it.
        images.unpack(session)
        session.info.pop("change_set_id")
        new_id = audit.begin_change_set(session, kind="restore", target="event")
        assert new_id is not None
        _Clock.start()
        restore.restore(session, change_set_id=new_id, which=restore.by_change_set(change_set_id))
        _Clock.stop()

    return work


def _unpack_after_delete(ids: list[int]) -> Callable[[Session], None]:
    # Setup (not timed): the bulk delete; then time its first reader's unpack.
    def work(session: Session) -> None:
        _delete_with_images(ids)(session)
        _Clock.start()
        images.unpack(session)
        _Clock.stop()

    return work


def _raw_restore() -> Callable[[Session], None]:
    def work(session: Session) -> None:
        conn = session.connection()
        conn.execute(text("CREATE TEMP TABLE saved_events AS SELECT * FROM events WHERE 1 = 0"))
        saved = "SELECT * FROM events WHERE id IN (SELECT id FROM bench_ids)"
        conn.execute(text(f"INSERT INTO saved_events {saved}"))
        conn.execute(text("DELETE FROM events WHERE id IN (SELECT id FROM bench_ids)"))
        _Clock.start()
        conn.execute(text("INSERT INTO events SELECT * FROM saved_events"))
        _Clock.stop()
        conn.execute(text("DROP TABLE saved_events"))

    return work


def _id_table(session: Session, ids: list[int]) -> TextClause:
    # 100,000 ids are more than one statement's parameters: a temporary table holds them.
    conn = session.connection()
    conn.execute(text("CREATE TEMP TABLE IF NOT EXISTS bench_ids (id INTEGER PRIMARY KEY)"))
    conn.execute(text("DELETE FROM bench_ids"))
    for start in range(0, len(ids), 10_000):
        conn.execute(
            text("INSERT INTO bench_ids (id) VALUES (:id)"),
            [{"id": value} for value in ids[start : start + 10_000]],
        )
    return text("SELECT id FROM bench_ids")


class _Clock:
    """The timed part of an arm with an untimed setup."""

    started = 0.0
    elapsed = 0.0

    @classmethod
    def start(cls) -> None:
        cls.started = time.perf_counter()

    @classmethod
    def stop(cls) -> None:
        cls.elapsed = time.perf_counter() - cls.started


def _clocked(engine: Engine, work: Callable[[Session], None], ids: list[int]) -> float:
    with make_session_factory(engine)() as session:
        session.begin()
        _id_table(session, ids)
        work(session)
        session.rollback()
    return _Clock.elapsed


def _vacuum(engine: Engine) -> None:
    # Rolled-back arms leave dead rows and index entries on PostgreSQL (100,000 per restore) that
    # a live database's autovacuum would have cleared: clear them before each arm, and start it
    # after a checkpoint, so that every arm writes its pages' first change whole to the WAL.
    if engine.dialect.name != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM (ANALYZE) events, row_images, image_packs, change_sets"))
        conn.execute(text("CHECKPOINT"))


def _peak_restore_memory(engine: Engine, ids: list[int]) -> int:
    tracemalloc.start()
    _clocked(engine, _prepared_restore(ids), ids)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--users", type=int, default=DEFAULT_SIZE.users)
    parser.add_argument("--events", type=int, default=DEFAULT_SIZE.events)
    args = parser.parse_args(argv)
    size = Size(users=args.users, events=args.events)
    target = sqlite_target(size) if args.database == "sqlite" else postgres_target(size)
    ensure_data(target, Layout(size))
    engine = engine_at(target.url)
    audit.set_actor(BENCH_ACTOR)
    with make_session_factory(engine)() as session:
        ten_k, hundred_k = spread_ids(session, 10_000), spread_ids(session, 100_000)
    deletes: dict[str, list[float]] = {"panel": [], "raw": [], "rows": [], "unpack": []}
    restores: dict[str, list[float]] = {"panel": [], "raw": []}
    delete_arms = {"panel": _delete_with_images(ten_k), "raw": _raw_delete(ten_k)}
    if engine.dialect.name == "postgresql":
        delete_arms["rows"] = _delete_with_image_rows(ten_k)
    for round_number in range(ROUNDS):
        # Which arm goes first alternates, so whatever the first one pays falls on both.
        for arm in sorted(delete_arms, reverse=round_number % 2 == 1):
            _vacuum(engine)
            deletes[arm].append(_timed(engine, delete_arms[arm]))
        _vacuum(engine)
        deletes["unpack"].append(_clocked(engine, _unpack_after_delete(ten_k), ten_k))
        _vacuum(engine)
        restores["panel"].append(_clocked(engine, _prepared_restore(hundred_k), hundred_k))
        _vacuum(engine)
        restores["raw"].append(_clocked(engine, _raw_restore(), hundred_k))
    small, large = _peak_restore_memory(engine, ten_k), _peak_restore_memory(engine, hundred_k)
    engine.dispose()
    med = {k: statistics.median(v) * 1000 for k, v in deletes.items() if v}
    rest = {k: statistics.median(v) * 1000 for k, v in restores.items()}
    print(f"# Time machine, {target.kind}, {size.label}, median of {ROUNDS}")
    print("| scenario | panel | raw SQL | panel / raw |")
    print("| --- | --- | --- | --- |")
    print(
        f"| bulk delete of {len(ten_k):,} events with before-images | {med['panel']:.0f} ms | "
        f"{med['raw']:.0f} ms | {med['panel'] / med['raw']:.2f}x |"
    )
    if deletes["rows"]:
        print(
            f"| the same with one image row per deleted row (before image packs) | "
            f"{med['rows']:.0f} ms | {med['raw']:.0f} ms | {med['rows'] / med['raw']:.2f}x |"
        )
    print(
        f"| its first reader's unpack of the {len(ten_k):,} images (once) | "
        f"{med['unpack']:.0f} ms | | delete + unpack: "
        f"{(med['panel'] + med['unpack']) / med['raw']:.2f}x |"
    )
    print(
        f"| restore of a {len(hundred_k):,}-row change set | {rest['panel']:.0f} ms | "
        f"{rest['raw']:.0f} ms | {rest['panel'] / rest['raw']:.2f}x |"
    )
    print(
        f"Python peak allocation during the restore: {small / 1024:.0f} KiB at {len(ten_k):,} "
        f"rows, {large / 1024:.0f} KiB at {len(hundred_k):,} rows"
    )


if __name__ == "__main__":
    main()
