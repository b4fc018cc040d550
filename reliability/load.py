"""Load harness: many logged-in staff on the real server, then the database checked directly.

    .venv/bin/python -m reliability.load                  # both databases, 24 clients, 60 s each
    .venv/bin/python -m reliability.load --short          # CI: 8 clients, 10 s, smaller data
    .venv/bin/python -m reliability.load --db postgresql --clients 32 --seconds 120
    .venv/bin/python -m reliability.load --db sqlite --workers 2 --clients 8 --seconds 3600
    .venv/bin/python -m reliability.load --instances      # two app processes sharing one PostgreSQL
    .venv/bin/python -m reliability.load --pooler --short # 4 instances x 2 workers via PgBouncer

PostgreSQL runs `uvicorn admin_app.main:create_app --factory --workers 2`, SQLite one worker, each
on a fresh database (created, migrated, seeded and dropped by the harness). The exit status is 1
when any request got a 5xx or an unexpected answer, or an invariant does not hold:

- every acknowledged create exists with its last acknowledged title (unless acknowledged deleted),
  and has its audit entry;
- every acknowledged delete is gone;
- of two saves from forms opened at the same version, exactly one is acknowledged (302), the
  other refused as stale (400), and the row holds the acknowledged value (checked right after the
  pair, and at the end for the last pair on each row).

The report also compares the run's first and last stretch (ten minutes each, or a quarter of a
shorter run): the p95 of all requests and the server's resident set (reliability/memory.py).

Fault injection (PostgreSQL restart, killed connections) is in reliability/faults.py.
"""

import argparse
import asyncio
import random
import resource
import secrets
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from admin_app.models import AuditEntry, Event
from reliability.load_client import Browser, Ledger, Staff, Stats, World
from reliability.load_server import (
    STAFF_PASSWORD,
    AppServer,
    LoadDatabase,
    fresh_database,
    use_app_dir,
)
from reliability.memory import MemoryTrace
from reliability.pooler import PgBouncer

WORKERS = {"postgresql": 2, "sqlite": 1}
# Seeded events reserved for the conflicting pairs (nobody else edits them).
CONFLICT_ROWS = 40


@dataclass(frozen=True)
class Plan:
    seconds: float
    clients: int
    users: int
    events: int
    # Server worker processes (None: WORKERS' number for the database).
    workers: int | None = None


FULL = Plan(seconds=60, clients=24, users=2_000, events=20_000)
SHORT = Plan(seconds=10, clients=8, users=500, events=5_000)


@dataclass
class Outcome:
    """One run's numbers and verdicts."""

    label: str
    stats: Stats
    ledger: Ledger
    seconds: float
    checks: list[tuple[str, bool, str]] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)
    # CPU seconds used by the load generator (this process) and by the server processes.
    client_cpu: float = 0.0
    server_cpu: float = 0.0
    # The server's resident set over the run (run_load only).
    memory: MemoryTrace | None = None

    @property
    def five_hundreds(self) -> int:
        return sum(1 for s in self.stats.samples if s.status.startswith("5"))

    @property
    def ok(self) -> bool:
        return (
            not self.stats.error_count
            and not self.server_errors
            and all(passed for _, passed, _ in self.checks)
        )


class CpuMeter:
    """CPU time of this process and of finished child processes (servers, once stopped)."""

    def __init__(self) -> None:
        self.start = self._now()

    @staticmethod
    def _now() -> tuple[float, float]:
        me = resource.getrusage(resource.RUSAGE_SELF)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return me.ru_utime + me.ru_stime, children.ru_utime + children.ru_stime

    def used(self) -> tuple[float, float]:
        now = self._now()
        return now[0] - self.start[0], now[1] - self.start[1]


# --- Running the clients ------------------------------------------------------------------------


async def run_clients(
    base_url: str | list[str],
    database: LoadDatabase,
    *,
    clients: int,
    seconds: float,
    stats: Stats,
    ledger: Ledger,
    check_row: Callable[[int], str | None] | None,
    seed: int = 1,
    during: Callable[[], Any] | None = None,
) -> None:
    """`clients` logged-in staff acting until the time is up (`during` runs alongside)."""
    world = World(
        users=database.users,
        events=database.events,
        ledger=ledger,
        conflict_ids=list(range(1, CONFLICT_ROWS + 1)),
        check_row=check_row,
    )
    # Several instances (behind a pooler): each client talks to one, in turn.
    urls = [base_url] if isinstance(base_url, str) else base_url
    browsers = [
        Browser(urls[i % len(urls)], database.staff[i % len(database.staff)], STAFF_PASSWORD, stats)
        for i in range(clients)
    ]
    try:
        await asyncio.gather(*(browser.login() for browser in browsers))
        staff = [
            Staff(i, browser, world, random.Random(seed * 1000 + i))
            for i, browser in enumerate(browsers)
        ]
        for i, member in enumerate(staff):
            member.colleague = browsers[(i + 1) % len(browsers)]
        deadline = time.monotonic() + seconds

        async def work(member: Staff) -> None:
            while time.monotonic() < deadline:
                await member.act()

        tasks = [asyncio.create_task(work(member)) for member in staff]
        if during is not None:
            tasks.append(asyncio.create_task(during()))
        await asyncio.gather(*tasks)
    finally:
        await asyncio.gather(*(browser.close() for browser in browsers))


def title_reader(engine: Engine) -> Callable[[int], str | None]:
    """Reads one event's title straight from the database, retrying through an outage."""

    def read(event_id: int) -> str | None:
        for attempt in range(60):
            try:
                with engine.connect() as conn:
                    return conn.scalar(select(Event.title).where(Event.id == event_id))
            except Exception:
                time.sleep(min(0.5, 0.05 * (attempt + 1)))
        return None

    return read


# --- The invariants -----------------------------------------------------------------------------


def check_invariants(engine: Engine, ledger: Ledger) -> list[tuple[str, bool, str]]:
    """Compare what the clients were told with what the database holds."""
    with engine.connect() as conn:
        titles = {row.id: row.title for row in conn.execute(select(Event.id, Event.title))}
        audited = conn.execute(
            select(AuditEntry.action, AuditEntry.target_id, AuditEntry.changes).where(
                AuditEntry.target == "event"
            )
        ).all()
    created_audit = {int(t) for action, t, _ in audited if action == "create" and t}
    deleted_audit: set[int] = set()
    for action, _, changes in audited:
        if action == "delete" and isinstance(changes, dict):
            deleted_audit.update(int(i) for i in changes.get("ids", []))

    checks: list[tuple[str, bool, str]] = []
    alive = {i: t for i, t in ledger.created.items() if i not in ledger.deleted}
    certain = {i: t for i, t in alive.items() if i not in ledger.uncertain}
    missing = [i for i in alive if i not in titles and i not in ledger.uncertain]
    wrong = [i for i, t in certain.items() if i in titles and titles[i] != t]
    checks.append(
        (
            "acknowledged creates exist with their last acknowledged title",
            not missing and not wrong,
            f"{len(certain)} checked ({len(alive) - len(certain)} with an unanswered write "
            f"skipped); missing {missing[:10]}, wrong title {wrong[:10]}",
        )
    )
    unaudited = [i for i in ledger.created if i not in created_audit]
    checks.append(
        (
            "acknowledged creates are in the audit log",
            not unaudited,
            f"{len(ledger.created)} checked; without an entry: {unaudited[:10]}",
        )
    )
    still_there = sorted(i for i in ledger.deleted if i in titles)
    not_audited = sorted(ledger.deleted - deleted_audit)
    checks.append(
        (
            "acknowledged deletes are gone (and audited)",
            not still_there and not not_audited,
            f"{len(ledger.deleted)} checked; still there {still_there[:10]}, "
            f"unaudited {not_audited[:10]}",
        )
    )
    clean = [c for c in ledger.conflicts if c.clean]
    messy = [c for c in ledger.conflicts if not c.clean]
    wrong_after = [c for c in clean if c.title_after is not None and c.title_after != c.saved]
    not_one_winner = [c for c in messy if "failed" not in c.statuses and "503" not in c.statuses]
    checks.append(
        (
            "conflicting saves: one acknowledged, one refused as stale (400), row holds the first",
            not wrong_after and not not_one_winner and bool(clean or not ledger.conflicts),
            f"{len(clean)} pairs clean; {len(wrong_after)} rows holding the wrong value; "
            f"{len(not_one_winner)} pairs without exactly one winner "
            f"{[c.statuses for c in not_one_winner][:5]}; "
            f"{len(messy) - len(not_one_winner)} pairs cut by a timeout or outage (not judged)",
        )
    )
    last: dict[int, Any] = {}
    for conflict in ledger.conflicts:
        last[conflict.event_id] = conflict
    final_wrong = [
        (c.event_id, titles.get(c.event_id), c.saved)
        for c in last.values()
        if c.clean and titles.get(c.event_id) != c.saved
    ]
    checks.append(
        (
            "conflict rows end with the last acknowledged save",
            not final_wrong,
            f"{len(last)} rows; wrong: {final_wrong[:5]}",
        )
    )
    return checks


# --- Reporting ----------------------------------------------------------------------------------


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def report(outcome: Outcome) -> None:
    stats = outcome.stats
    samples = stats.samples
    print(f"\n== {outcome.label}: {outcome.seconds:.0f} s ==")
    rate = len(samples) / outcome.seconds if outcome.seconds else 0.0
    print(f"requests: {len(samples):,} ({rate:.1f}/s)")
    if outcome.client_cpu or outcome.server_cpu:
        print(
            f"CPU seconds: load generator {outcome.client_cpu:.0f}, server processes "
            f"{outcome.server_cpu:.0f} (of {outcome.seconds:.0f} s wall; same machine)"
        )
    statuses = Counter(sample.status for sample in samples)
    print("answers: " + ", ".join(f"{status}: {n:,}" for status, n in sorted(statuses.items())))
    if stats.outage_answers:
        print(f"expected 503s during the injected outage: {stats.outage_answers}")
    print(f"unexpected answers: {sum(stats.error_count.values())}")
    for what, count in stats.error_count.most_common(15):
        print(f"  {count:>6}  {what}")
    for line in stats.errors[:10]:
        print(f"  e.g. {line}")
    by_kind: dict[str, list[float]] = {}
    for sample in samples:
        by_kind.setdefault(sample.kind, []).append(sample.seconds * 1000)
    print(f"{'request kind':<26}{'n':>7}{'p50':>9}{'p95':>9}{'p99':>9}{'max':>9}  (ms)")
    for kind in sorted(by_kind):
        values = by_kind[kind]
        print(
            f"{kind:<26}{len(values):>7}{statistics.median(values):>9.1f}"
            f"{percentile(values, 0.95):>9.1f}{percentile(values, 0.99):>9.1f}"
            f"{max(values):>9.1f}"
        )
    ledger = outcome.ledger
    print(
        f"acknowledged: {len(ledger.created)} creates, {len(ledger.deleted)} deletes, "
        f"{len(ledger.conflicts)} conflicting pairs on {len(ledger.conflict_rows)} rows"
    )
    if ledger.reused:
        print(
            f"note: {len(ledger.reused)} id(s) of acknowledged-deleted events were given to new "
            f"events (SQLite reuses the largest rowid): {sorted(ledger.reused)[:10]}"
        )
    report_over_time(outcome)
    print("invariants:")
    for name, passed, detail in outcome.checks:
        print(f"  [{'ok' if passed else 'FAIL'}] {name}: {detail}")
    if outcome.server_errors:
        print(f"  [FAIL] the server logged {len(outcome.server_errors)} unhandled exception(s)")
    print(f"verdict: {'PASS' if outcome.ok else 'FAIL'}")


# A long run's first and last stretch, compared: latency and memory must stay flat (issue 32: an
# hour, its first and last ten minutes). A short run compares its first and last quarters.
WINDOW_SECONDS = 600


def report_over_time(outcome: Outcome) -> None:
    window = min(WINDOW_SECONDS, outcome.seconds / 4)
    if window <= 0:
        return
    first = [s.seconds * 1000 for s in outcome.stats.samples if s.started < window]
    last = [
        s.seconds * 1000 for s in outcome.stats.samples if s.started >= outcome.seconds - window
    ]
    if first and last:
        early, late = percentile(first, 0.95), percentile(last, 0.95)
        print(
            f"p95 of all requests, first {window:.0f} s: {early:.1f} ms ({len(first):,}), "
            f"last {window:.0f} s: {late:.1f} ms ({len(last):,}): {late / early:.2f}x"
        )
    trace = outcome.memory
    if trace and trace.samples:
        warm, end = trace.at(window), trace.samples[-1][1]
        peak = max(value for _, value in trace.samples)
        growth = (end - warm) / warm * 100 if warm else 0.0
        print(
            f"server RSS (all processes): {warm / 2**20:.0f} MiB after {window:.0f} s, "
            f"{end / 2**20:.0f} MiB at the end ({growth:+.1f}%), peak {peak / 2**20:.0f} MiB"
        )


# --- One database -------------------------------------------------------------------------------


def run_load(backend: str, plan: Plan, log_dir: Path) -> Outcome:
    staff = max(2, min(8, plan.clients // 4))
    workers = plan.workers or WORKERS[backend]
    with fresh_database(backend, users=plan.users, events=plan.events, staff=staff) as database:
        engine = database.engine()
        server = AppServer(database.url, workers=workers, log_path=log_dir / f"{backend}.log")
        stats, ledger = Stats(), Ledger()
        cpu = CpuMeter()
        try:
            with server:
                started = time.monotonic()
                stats.t0 = started
                memory = MemoryTrace(server.process_group, started=started)
                asyncio.run(
                    run_clients(
                        server.base_url,
                        database,
                        clients=plan.clients,
                        seconds=plan.seconds,
                        stats=stats,
                        ledger=ledger,
                        check_row=title_reader(engine),
                        during=lambda: memory.follow(plan.seconds),
                    )
                )
                elapsed = time.monotonic() - started
            label = (
                f"{backend} ({workers} worker{'s' if workers > 1 else ''}), "
                f"{plan.clients} clients, {plan.users:,} users / {plan.events:,} events"
            )
            outcome = Outcome(label, stats, ledger, elapsed, memory=memory)
            outcome.client_cpu, outcome.server_cpu = cpu.used()
            outcome.checks = check_invariants(engine, ledger)
            outcome.server_errors = server.unhandled_errors()
            return outcome
        finally:
            engine.dispose()


# Many instances on a pooler: app processes x workers each, all through one PgBouncer.
POOLED_INSTANCES = 4
POOLED_WORKERS = 2


def run_pooled_load(plan: Plan, log_dir: Path) -> Outcome:
    """The load on PostgreSQL through PgBouncer in transaction pooling mode, with 4 instances
    of 2 workers sharing one secret key (what a deployment behind a load balancer has)."""
    staff = max(2, min(8, plan.clients // 4))
    secret = secrets.token_urlsafe(48)
    with (
        fresh_database("postgresql", users=plan.users, events=plan.events, staff=staff) as database,
        PgBouncer(pool_size=10) as pooler,
    ):
        engine = database.engine()
        servers = [
            AppServer(
                pooler.url_for(database.url),
                workers=POOLED_WORKERS,
                secret_key=secret,
                log_path=log_dir / f"pooled-{n}.log",
                behind_pooler=True,
            )
            for n in range(POOLED_INSTANCES)
        ]
        stats, ledger = Stats(), Ledger()
        cpu = CpuMeter()
        try:
            with ExitStack() as stack:
                for server in servers:
                    stack.enter_context(server)
                started = time.monotonic()
                stats.t0 = started
                asyncio.run(
                    run_clients(
                        [server.base_url for server in servers],
                        database,
                        clients=plan.clients,
                        seconds=plan.seconds,
                        stats=stats,
                        ledger=ledger,
                        check_row=title_reader(engine),
                    )
                )
                elapsed = time.monotonic() - started
            label = (
                f"postgresql through PgBouncer (transaction pooling, {pooler.pool_size} server "
                f"connections), {POOLED_INSTANCES} instances x {POOLED_WORKERS} workers, "
                f"{plan.clients} clients, {plan.users:,} users / {plan.events:,} events"
            )
            outcome = Outcome(label, stats, ledger, elapsed)
            outcome.client_cpu, outcome.server_cpu = cpu.used()
            outcome.checks = check_invariants(engine, ledger)
            outcome.server_errors = [e for server in servers for e in server.unhandled_errors()]
            return outcome
        finally:
            engine.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m reliability.load", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--db", nargs="+", choices=sorted(WORKERS), default=["sqlite", "postgresql"]
    )
    parser.add_argument("--short", action="store_true", help="CI size: 8 clients for 10 s")
    parser.add_argument("--seconds", type=float, help="how long the clients work (default 60)")
    parser.add_argument("--clients", type=int, help="concurrent logged-in clients (default 24)")
    parser.add_argument("--users", type=int, help="users seeded (default 2,000)")
    parser.add_argument("--events", type=int, help="events seeded (default 20,000)")
    parser.add_argument(
        "--workers", type=int, help="server worker processes (default: PostgreSQL 2, SQLite 1)"
    )
    parser.add_argument(
        "--instances",
        action="store_true",
        help="instead: two app processes on one PostgreSQL (sessions, logout, throttling)",
    )
    parser.add_argument(
        "--pooler",
        action="store_true",
        help="instead: 4 instances x 2 workers through PgBouncer, then the instances check there",
    )
    parser.add_argument("--logs", type=Path, help="where server logs go (default: a temp dir)")
    parser.add_argument("--app-dir", type=Path, help="serve the app from this copy of the code")
    args = parser.parse_args(argv)
    use_app_dir(args.app_dir)

    if args.instances:
        from reliability.load_instances import check_instances

        return 0 if check_instances() else 1

    base = SHORT if args.short else FULL
    plan = Plan(
        seconds=args.seconds or base.seconds,
        clients=args.clients or base.clients,
        users=args.users or base.users,
        events=args.events or base.events,
        workers=args.workers,
    )
    if plan.clients < 2 or plan.events <= CONFLICT_ROWS:
        parser.error("need at least 2 clients and more events than the reserved conflict rows")
    log_dir = args.logs or Path(tempfile.mkdtemp(prefix="events_load_logs_"))
    if args.pooler:
        from reliability.load_instances import check_instances

        pooled = run_pooled_load(plan, log_dir)
        report(pooled)
        print(f"\nserver logs: {log_dir}")
        shared = check_instances(through_pooler=True)
        return 0 if pooled.ok and shared else 1
    outcomes = [run_load(backend, plan, log_dir) for backend in args.db]
    for outcome in outcomes:
        report(outcome)
    print(f"\nserver logs: {log_dir}")
    return 0 if all(outcome.ok for outcome in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
