"""Spreadsheet-speed editing, side by side in one run on the benchmark data (docs/BENCHMARKS.md).

    python -m bench.spreadsheet [--database sqlite|postgresql] [--users N --events N]

1. The user edit page with the user's events inline, for the user with 1,000 events and for a
   user with about 10: the project (a page of 25 events) against stock SQLAdmin's edit form of
   the same users (a multi-select of every event) and the raw SQL the page needs (the user, the
   count of their events, the 25 newest); p50, bytes and SQL statements.
2. A list cell save (one event's title, through `/admin/event/cell/{id}`: validation, version
   check, audit entry, before-image) against stock's edit form POST changing the same title and
   a raw `UPDATE ... WHERE id = ? AND version = ?`.
3. A batch edit of 10,000 events (status and dates moved a week, with before-images, one change
   set) against one raw `UPDATE ... WHERE id IN (...)` of the same rows, each rolled back.

Both servers are real uvicorn processes (bench/serve.py); arms alternate request by request.
"""

import argparse
import statistics
import time
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

from sqlalchemy import Connection, Engine, func, literal_column, select, update
from sqlalchemy.orm import Session
from starlette.datastructures import QueryParams

from admin_app import audit
from admin_app.admin.actions import batch
from admin_app.admin.actions.batch import BatchChanges
from admin_app.admin.changelist.selection import Selection
from admin_app.db import engine_at
from admin_app.models import Event, SocialStatus, User
from bench.client import ArmClient
from bench.layout import Layout
from bench.seed import BENCH_STAFF_EMAIL, BENCH_STAFF_PASSWORD, ensure_data
from bench.servers import ArmServer
from bench.targets import DATA_DIR, DEFAULT_SIZE, Size, postgres_target, sqlite_target
from bench.time_machine import BENCH_ACTOR, spread_ids

PAGE_REPS = 20
# Stock's user form embeds every event (seconds per request at 1M): two requests say enough.
STOCK_PAGE_REPS = 2
SAVE_REPS = 20
BATCH_ROUNDS = 5
BATCH_ROWS = 10_000


def _ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:,.1f} ms" if values else "-"


def _timed_get(client: ArmClient, path: str) -> tuple[float, int, int | None]:
    started = time.perf_counter()
    response = client.http.get(path, timeout=300.0)
    seconds = time.perf_counter() - started
    assert response.status_code == 200, f"{path}: {response.status_code}"
    return seconds, len(response.content), client.last_statements()


def _timed_post(client: ArmClient, path: str, data: dict[str, str]) -> tuple[float, Any]:
    client.sync_stats()
    started = time.perf_counter()
    response = client.http.post(
        path, data=data, headers={"X-CSRF-Token": client.csrf}, timeout=300.0
    )
    seconds = time.perf_counter() - started
    assert response.status_code in (200, 302), f"{path}: {response.status_code} {response.text}"
    return seconds, response


def _raw_user_page(engine: Engine, user_id: int) -> float:
    started = time.perf_counter()
    with engine.connect() as conn:
        conn.execute(select(User).where(User.id == user_id)).one()
        conn.execute(select(func.count(Event.id)).where(Event.organizer_id == user_id)).scalar()
        conn.execute(
            select(Event)
            .where(Event.organizer_id == user_id)
            .order_by(Event.date_of.desc(), Event.id.desc())
            .limit(25)
        ).all()
    return time.perf_counter() - started


def user_pages(clients: dict[str, ArmClient], engine: Engine, layout: Layout) -> None:
    print("| user edit page | arm | p50 | bytes | SQL statements |")
    print("| --- | --- | --- | --- | --- |")
    for label, user_id in (
        ("1,000 events", layout.heavy_user_id),
        ("about 10 events", layout.sample_user_id),
    ):
        times: dict[str, list[float]] = {"project": [], "stock": [], "raw": []}
        sizes: dict[str, int] = {}
        statements: dict[str, int | None] = {}
        for rep in range(PAGE_REPS):
            for arm, client in clients.items():
                if arm == "stock" and rep >= STOCK_PAGE_REPS:
                    continue
                seconds, size, count = _timed_get(client, f"/admin/user/edit/{user_id}")
                times[arm].append(seconds)
                sizes[arm], statements[arm] = size, count
            times["raw"].append(_raw_user_page(engine, user_id))
        for arm in ("project", "stock", "raw"):
            shown = f"{sizes[arm] / 1024:,.1f} KiB" if arm in sizes else "-"
            count = statements.get(arm, 3)
            print(
                f"| {label} | {arm} (n={len(times[arm])}) | {_ms(times[arm])} | {shown} | {count} |"
            )


def _event_form(event: Event) -> dict[str, str]:
    return {
        "date_of": event.date_of.isoformat(),
        "social_status": event.social_status.value,
        "organizer": str(event.organizer_id),
    }


def cell_saves(clients: dict[str, ArmClient], engine: Engine, layout: Layout) -> None:
    event_id = layout.sample_event_id
    with Session(engine) as session:
        event = session.get(Event, event_id)
        assert event is not None
        original, form = event.title, _event_form(event)
    times: dict[str, list[float]] = {"project": [], "stock": [], "raw": []}
    statements: list[int | None] = []
    version = _version(engine, event_id)
    try:
        for rep in range(SAVE_REPS):
            title = f"{original} ({rep})"
            seconds, response = _timed_post(
                clients["project"],
                f"/admin/event/cell/{event_id}",
                {"field": "title", "value": title, "version": str(version)},
            )
            version = int(response.json()["version"])
            times["project"].append(seconds)
            statements.append(clients["project"].last_statements())
            if rep < STOCK_PAGE_REPS:
                stock_form = {**form, "title": title, "save": "Save"}
                seconds, _ = _timed_post(
                    clients["stock"], f"/admin/event/edit/{event_id}", stock_form
                )
                times["stock"].append(seconds)
            version = _version(engine, event_id)
            times["raw"].append(_raw_title_update(engine, event_id, title, version))
            version += 1
    finally:
        with engine.begin() as conn:
            conn.execute(update(Event).where(Event.id == event_id).values(title=original))
    print("| cell save (one title) | p50 | SQL statements |")
    print("| --- | --- | --- |")
    print(f"| project (n={len(times['project'])}) | {_ms(times['project'])} | {statements[-1]} |")
    print(f"| stock edit form POST (n={len(times['stock'])}) | {_ms(times['stock'])} | - |")
    print(f"| raw UPDATE (n={len(times['raw'])}) | {_ms(times['raw'])} | 1 |")


def _version(engine: Engine, event_id: int) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(Event.version).where(Event.id == event_id)).scalar_one())


def _raw_title_update(engine: Engine, event_id: int, title: str, version: int) -> float:
    started = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(
            update(Event)
            .where(Event.id == event_id, Event.version == version)
            .values(title=title, version=Event.version + 1)
        )
    return time.perf_counter() - started


def _rolled_back(engine: Engine, work: Callable[[Session], None]) -> float:
    # The panel's work commits its own transaction: here that is a savepoint inside one outer
    # transaction that is rolled back, so every round starts from the same data.
    with engine.connect() as conn:
        outer = conn.begin()
        session = Session(bind=conn, join_transaction_mode="create_savepoint")
        started = time.perf_counter()
        work(session)
        session.flush()
        elapsed = time.perf_counter() - started
        session.close()
        outer.rollback()
    return elapsed


def _panel_batch(ids: list[int]) -> Callable[[Session], None]:
    selection = Selection(pks=ids, list_params=QueryParams(), whole_filter=False)
    changes = BatchChanges(status=SocialStatus.PRIVATE, shift_days=7)

    def work(session: Session) -> None:
        ids_query = select(Event.id).where(Event.id.in_(ids))
        batch.apply(session, ids_query, selection, changes)

    return work


def _raw_batch(ids: list[int]) -> Callable[[Session], None]:
    def work(session: Session) -> None:
        conn: Connection = session.connection()
        shifted = (
            func.date(Event.date_of, "+7 days")
            if conn.dialect.name == "sqlite"
            else Event.date_of + literal_column("7")
        )
        conn.execute(
            update(Event)
            .where(Event.id.in_(ids))
            .values(social_status=SocialStatus.PRIVATE, date_of=shifted, version=Event.version + 1)
        )

    return work


def batch_edits(engine: Engine) -> None:
    with Session(engine) as session:
        ids = spread_ids(session, BATCH_ROWS)
    times: dict[str, list[float]] = {"panel": [], "raw": []}
    for _ in range(BATCH_ROUNDS):
        times["panel"].append(_rolled_back(engine, _panel_batch(ids)))
        times["raw"].append(_rolled_back(engine, _raw_batch(ids)))
    panel, raw = (statistics.median(times[k]) for k in ("panel", "raw"))
    print(f"| batch edit of {len(ids):,} events (status + dates moved 7 days) | p50 |")
    print("| --- | --- |")
    print(f"| panel: images, UPDATE, audit, one change set | {panel * 1000:,.0f} ms |")
    print(f"| raw `UPDATE ... WHERE id IN` | {raw * 1000:,.0f} ms |")
    print(f"| panel / raw | {panel / raw:.2f}x |")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--users", type=int, default=DEFAULT_SIZE.users)
    parser.add_argument("--events", type=int, default=DEFAULT_SIZE.events)
    args = parser.parse_args(argv)
    size = Size(users=args.users, events=args.events)
    target = sqlite_target(size) if args.database == "sqlite" else postgres_target(size)
    layout = Layout(size)
    ensure_data(target, layout)
    engine = engine_at(target.url)
    audit.set_actor(BENCH_ACTOR)
    log_dir = DATA_DIR / "logs" / f"spreadsheet_{target.kind}_{size.slug}"
    print(f"# Spreadsheet editing, {target.kind}, {size.label}")
    with ExitStack() as stack:
        clients: dict[str, ArmClient] = {}
        for arm in ("project", "stock"):
            server = stack.enter_context(ArmServer(arm, target.url, log_dir))
            clients[arm] = ArmClient(server.base_url, needs_login=True)
            clients[arm].login(BENCH_STAFF_EMAIL, BENCH_STAFF_PASSWORD)
            stack.callback(clients[arm].close)
        user_pages(clients, engine, layout)
        cell_saves(clients, engine, layout)
    batch_edits(engine)
    engine.dispose()


if __name__ == "__main__":
    main()
