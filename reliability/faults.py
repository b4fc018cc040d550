"""Fault injection: the database goes away under load, and comes back.

    .venv/bin/python -m reliability.faults --fault terminate   # kill every app connection, once
    .venv/bin/python -m reliability.faults --fault restart     # restart the PostgreSQL server, once
    .venv/bin/python -m reliability.faults --fault terminate --short   # CI: 15 s, smaller data

Runs the load harness (reliability/load.py) on a fresh PostgreSQL database with 2 uvicorn
workers, plus two probes every 100 ms (`GET /health` and a logged-in `GET /admin/event/list`),
and injects the fault after `--at` seconds:

- terminate: `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = <the load
  database> AND pid <> pg_backend_pid()` (every pooled connection of both workers dies);
- restart: `pg_ctlcluster --skip-systemctl-redirect <version> main restart` (this affects
  everything else using that server: run it rarely), then waits for `pg_isready`.

Checked: while the database is away, answers are a clean 503 ("Database unavailable", /health
503), never another 5xx, a traceback or a request hanging past `--hang` seconds; from 5 s after
the database is back every request succeeds; nothing acknowledged is lost (reliability/load.py's
invariants). A timeline is printed; the exit status is 1 when a check fails.
"""

import argparse
import asyncio
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

from reliability.load import Outcome, check_invariants, report, run_clients, title_reader
from reliability.load_client import KEEPALIVE_EXPIRY, Browser, Ledger, Stats
from reliability.load_server import (
    POSTGRES_ADMIN_URL,
    STAFF_PASSWORD,
    AppServer,
    fresh_database,
    use_app_dir,
)

RECOVERY_SECONDS = 5.0
PROBE_INTERVAL = 0.1
PROBE_TIMEOUT = 30.0


@dataclass
class Probe:
    kind: str
    started: float
    seconds: float
    status: str
    body: str


@dataclass
class Timeline:
    t0: float
    events: list[tuple[float, str]] = field(default_factory=list)
    probes: list[Probe] = field(default_factory=list)
    fault_at: float | None = None
    back_at: float | None = None

    def note(self, what: str) -> float:
        at = time.monotonic() - self.t0
        self.events.append((at, what))
        print(f"  t={at:6.2f}s  {what}", flush=True)
        return at


def _classify(response: httpx.Response) -> str:
    body = response.text
    if "Traceback" in body or 'File "' in body:
        return "traceback"
    if response.status_code == 503 and "Database unavailable" in body:
        return "outage page"
    if response.status_code == 503 and '"unavailable"' in body:
        return "health: unavailable"
    return "ok" if response.status_code < 400 else body[:80]


async def probe_loop(
    client: httpx.AsyncClient, kind: str, url: str, timeline: Timeline, until: float
) -> None:
    while time.monotonic() < until:
        started = time.monotonic()
        try:
            response = await client.get(url, timeout=PROBE_TIMEOUT)
            status, body = str(response.status_code), _classify(response)
        except httpx.HTTPError as exc:
            status, body = "transport", repr(exc)[:80]
        ended = time.monotonic()
        timeline.probes.append(Probe(kind, started - timeline.t0, ended - started, status, body))
        await asyncio.sleep(max(0.0, PROBE_INTERVAL - (ended - started)))


def terminate_connections(database_name: str) -> int:
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            killed = conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": database_name},
            ).all()
        return len(killed)
    finally:
        admin.dispose()


def restart_server(cluster: Sequence[str]) -> str:
    result = subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", *cluster, "restart"],
        capture_output=True,
        text=True,
        check=False,
    )
    return f"exit {result.returncode} {result.stderr.strip()[:200]}"


def accepting() -> bool:
    return (
        subprocess.run(
            ["pg_isready", "-h", "127.0.0.1", "-p", "5432", "-q"], check=False
        ).returncode
        == 0
    )


def wait_until_ready(timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if accepting():
            return True
        time.sleep(0.1)
    return False


async def watch_server(timeline: Timeline, done: asyncio.Event) -> None:
    """pg_isready every 50 ms while the restart runs: when the server went away, came back."""
    down = False
    while True:
        up = await asyncio.to_thread(accepting)
        if not up and not down:
            down = True
            timeline.note("pg_isready: no longer accepting connections")
        if up and (down or done.is_set()):
            timeline.back_at = timeline.note("pg_isready: accepting connections")
            return
        await asyncio.sleep(0.05)


async def inject(
    fault: str,
    database_name: str,
    cluster: Sequence[str],
    at: float,
    timeline: Timeline,
    stats: Stats,
) -> None:
    await asyncio.sleep(at)
    # From now until RECOVERY_SECONDS after the database is back, a 503 is the right answer.
    window_start = time.monotonic() - stats.t0
    stats.outage_windows.append((window_start, None))
    timeline.fault_at = timeline.note(f"inject: {fault}")
    if fault == "terminate":
        killed = await asyncio.to_thread(terminate_connections, database_name)
        timeline.note(f"pg_terminate_backend: {killed} connection(s) of {database_name} killed")
        if await asyncio.to_thread(wait_until_ready):
            timeline.back_at = timeline.note("pg_isready: accepting connections")
    else:
        done = asyncio.Event()
        watcher = asyncio.create_task(watch_server(timeline, done))
        outcome = await asyncio.to_thread(restart_server, cluster)
        timeline.note(f"pg_ctlcluster restart returned ({outcome})")
        done.set()
        try:
            await asyncio.wait_for(watcher, timeout=60)
        except TimeoutError:
            timeline.note("NOT BACK after 60 s")
    if timeline.back_at is not None:
        stats.outage_windows[-1] = (window_start, timeline.back_at + RECOVERY_SECONDS)


def analyse(
    timeline: Timeline, stats: Stats, fault: str, hang: float
) -> list[tuple[str, bool, str]]:
    checks: list[tuple[str, bool, str]] = []
    fault_at = timeline.fault_at if timeline.fault_at is not None else float("inf")
    back = timeline.back_at if timeline.back_at is not None else float("inf")
    checks.append(("the database came back", timeline.back_at is not None, f"at t={back:.2f}s"))

    # Every answer from the probes and the clients, as (kind, started, seconds, status, body).
    answers = [(p.kind, p.started, p.seconds, p.status, p.body) for p in timeline.probes]
    answers += [(s.kind, s.started, s.seconds, s.status, "") for s in stats.samples]
    failed = [a for a in answers if not a[3].isdigit() or (int(a[3]) >= 400 and a[3] != "400")]
    # 400s are the refused halves of conflicting saves (judged by the invariants).
    during = [a for a in answers if fault_at <= a[1] <= back + RECOVERY_SECONDS]
    clean_bodies = ("outage page", "health: unavailable")
    cut = [
        a
        for a in failed
        if a[0] == "events:export"
        and a[3] == "transport"
        and a[1] + a[2] >= fault_at
        and a[1] <= back
    ]
    not_clean = [
        a for a in failed if a not in cut and (a[3] != "503" or (a[4] and a[4] not in clean_bodies))
    ]
    checks.append(
        (
            "failures are clean 503s (outage page / health unavailable), no other 5xx or traceback",
            not not_clean,
            f"{len(failed)} failed answers; not clean: "
            f"{[(a[0], a[3], a[4]) for a in not_clean][:5]}",
        )
    )
    by_kind = Counter(f"{a[0]} {a[3]}" for a in failed)
    checks.append(("failed answers by request kind (informational)", True, str(dict(by_kind))))
    if cut:
        checks.append(
            (
                "exports streaming when the connections died were cut off (incomplete body)",
                True,
                f"{len(cut)}: the status line had gone out, so no 503 was possible",
            )
        )
    checks.append(
        (
            "saves cut by the outage answer 503, not a 400 form error",
            not stats.outage_refusals,
            f"{stats.outage_refusals} save(s) answered 400 'The database could not complete "
            "the change' instead",
        )
    )
    slowest = max((a[2] for a in during), default=0.0)
    checks.append(
        (
            f"no request hangs past {hang:.0f} s during the outage",
            slowest <= hang,
            f"slowest {slowest:.2f} s",
        )
    )
    late = [a for a in failed if a[1] >= back + RECOVERY_SECONDS]
    last_failure = max((a[1] for a in failed), default=None)
    recovered = (
        "no failure at all"
        if last_failure is None
        else f"last failed request started at t={last_failure:.2f}s "
        f"({last_failure - back:+.2f} s from the database being back)"
    )
    checks.append(
        (
            f"every request started {RECOVERY_SECONDS:.0f} s after the database is back succeeds",
            not late,
            f"{recovered}; failures after that: {len(late)}",
        )
    )
    health_503 = [p for p in timeline.probes if p.kind == "health" and p.status == "503"]
    if fault == "restart":
        checks.append(
            (
                "/health answers 503 while the database is down",
                bool(health_503),
                f"{len(health_503)} probe(s) got 503",
            )
        )
    else:
        checks.append(
            ("/health during the fault (informational)", True, f"{len(health_503)} x 503")
        )
    return checks


def _ok(status: str) -> bool:
    # A 400 is the refused half of a conflicting save, judged by the invariants.
    return status.isdigit() and (int(status) < 400 or status == "400")


def _bucket(statuses: list[str]) -> str:
    ok = sum(1 for status in statuses if _ok(status))
    return f"{ok:>3}/{len(statuses) - ok:<3}"


def print_timeline(timeline: Timeline, stats: Stats, until: float) -> None:
    """Per half-second: answers that succeeded / failed, for the clients and each probe."""
    print("\ntimeline (per 0.5 s, succeeded/failed: clients, /health probe, list probe)")
    start = max(0.0, (timeline.fault_at or 0.0) - 2.0)
    end = min(until, (timeline.back_at or until) + RECOVERY_SECONDS + 3.0)
    marks: dict[float, list[str]] = {}
    for at, what in timeline.events:
        marks.setdefault(int(at * 2) / 2, []).append(what)
    step = start - start % 0.5
    while step < end:
        window = (step, step + 0.5)
        clients = [s.status for s in stats.samples if window[0] <= s.started < window[1]]
        probes = {
            kind: [
                p.status
                for p in timeline.probes
                if p.kind == kind and window[0] <= p.started < window[1]
            ]
            for kind in ("health", "list")
        }
        mark = "; ".join(marks.get(step, []))
        print(
            f"  t={step:6.1f}s  clients {_bucket(clients)} health {_bucket(probes['health'])} "
            f"list {_bucket(probes['list'])}  {mark}"
        )
        step += 0.5


async def run_fault(args: argparse.Namespace) -> bool:
    log_dir = Path(tempfile.mkdtemp(prefix="events_faults_"))
    with fresh_database("postgresql", users=args.users, events=args.events, staff=4) as database:
        engine = database.engine()
        try:
            with AppServer(database.url, workers=2, log_path=log_dir / "server.log") as server:
                stats, ledger = Stats(), Ledger()
                timeline = Timeline(t0=time.monotonic())
                stats.t0 = timeline.t0
                until = timeline.t0 + args.seconds
                plan = f"{args.clients} clients for {args.seconds:.0f} s"
                print(f"load: {plan}; {args.fault} after {args.at:.0f} s")
                anonymous = httpx.AsyncClient(
                    base_url=server.base_url, limits=httpx.Limits(keepalive_expiry=KEEPALIVE_EXPIRY)
                )
                prober = Browser(server.base_url, database.staff[0], STAFF_PASSWORD, Stats())
                await prober.login()

                async def alongside() -> None:
                    await asyncio.gather(
                        probe_loop(anonymous, "health", "/health", timeline, until),
                        probe_loop(prober.client, "list", "/admin/event/list", timeline, until),
                        inject(
                            args.fault,
                            database.name,
                            args.cluster.split(),
                            args.at,
                            timeline,
                            stats,
                        ),
                    )

                try:
                    await run_clients(
                        server.base_url,
                        database,
                        clients=args.clients,
                        seconds=args.seconds,
                        stats=stats,
                        ledger=ledger,
                        check_row=title_reader(engine),
                        during=alongside,
                    )
                finally:
                    await anonymous.aclose()
                    await prober.close()
                elapsed = time.monotonic() - timeline.t0
                # A stream cut by the outage is logged as an unhandled exception; others are not.
                server_errors = server.unhandled_errors()[stats.cut_streams :]
            print_timeline(timeline, stats, elapsed)
            outcome = Outcome(
                f"postgresql (2 workers) with fault: {args.fault}", stats, ledger, elapsed
            )
            outcome.checks = check_invariants(engine, ledger) + analyse(
                timeline, stats, args.fault, args.hang
            )
            outcome.server_errors = server_errors
            report(outcome)
            print(f"server log: {log_dir / 'server.log'}")
            return outcome.ok
        finally:
            engine.dispose()
            if not wait_until_ready(5):
                print("WARNING: PostgreSQL is not accepting connections (pg_isready)")


# (option, default, with --short)
SIZES = (
    ("seconds", 30.0, 15.0),
    ("at", 10.0, 5.0),
    ("users", 2_000, 500),
    ("events", 20_000, 5_000),
)


def _local_cluster() -> str:
    """The one cluster of this machine's PostgreSQL, as pg_ctlcluster names it ("15 main")."""
    versions = sorted(path.name for path in Path("/etc/postgresql").glob("*"))
    return f"{versions[0] if versions else '15'} main"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m reliability.faults", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--fault", choices=["terminate", "restart"], required=True)
    parser.add_argument(
        "--short", action="store_true", help="CI size: 15 s, fault at 5 s, 500 users/5,000 events"
    )
    parser.add_argument("--seconds", type=float, help="load duration (default 30)")
    parser.add_argument("--at", type=float, help="seconds before the fault (default 10)")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--users", type=int, help="users seeded (default 2,000)")
    parser.add_argument("--events", type=int, help="events seeded (default 20,000)")
    parser.add_argument("--hang", type=float, default=6.0, help="longest acceptable request, s")
    parser.add_argument(
        "--cluster",
        default=_local_cluster(),
        help='pg_ctlcluster VERSION NAME (default: the one in /etc/postgresql, e.g. "15 main")',
    )
    parser.add_argument("--app-dir", type=Path, help="serve the app from this copy of the code")
    args = parser.parse_args(argv)
    use_app_dir(args.app_dir)
    for name, full, short in SIZES:
        if getattr(args, name) is None:
            setattr(args, name, short if args.short else full)
    if args.at >= args.seconds:
        parser.error("--at must be before the end of the load (--seconds)")
    return 0 if asyncio.run(run_fault(args)) else 1


if __name__ == "__main__":
    sys.exit(main())
