"""Benchmark the admin against stock SQLAdmin and raw SQL on the same data.

python -m bench.run --db sqlite postgresql            # 100,000 users / 1,000,000 events
python -m bench.run --db sqlite --quick               # 2,000 users / 20,000 events
"""

import argparse
import signal
import sys
import time
from contextlib import ExitStack
from datetime import UTC, datetime

from bench.client import ArmClient
from bench.layout import Layout
from bench.measure import ArmSession, Measurement, ScenarioRunner
from bench.report import (
    ARM_ORDER,
    RunReport,
    human_bytes,
    ms,
    project_revision,
    to_markdown,
    write,
)
from bench.restore import EventRestorer
from bench.scenarios import WRK_PATH, Scenario, all_scenarios
from bench.seed import BENCH_STAFF_EMAIL, BENCH_STAFF_PASSWORD, ensure_data
from bench.servers import ArmServer
from bench.targets import (
    DATA_DIR,
    DEFAULT_POSTGRES_SERVER,
    DEFAULT_SIZE,
    QUICK_SIZE,
    DatabaseKind,
    Size,
    Target,
    make_target,
)
from bench.wrk import run_wrk, wait_until_idle

# Seconds of timed requests one slow scenario may take per arm (fewer repetitions, at least 3).
DEFAULT_BUDGET = 40.0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run",
        description=__doc__,
        formatter_class=argparse.RawTextHelpFormatter,
    )
    parser.add_argument("--db", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite"])
    parser.add_argument("--users", type=int, default=DEFAULT_SIZE.users)
    parser.add_argument("--events", type=int, default=DEFAULT_SIZE.events)
    parser.add_argument(
        "--quick", action="store_true", help=f"{QUICK_SIZE.label} (overrides --users/--events)"
    )
    parser.add_argument("--arms", nargs="+", choices=ARM_ORDER, default=list(ARM_ORDER))
    parser.add_argument("--only", nargs="+", metavar="SCENARIO", help="scenario keys to run")
    parser.add_argument("--reps", type=int, default=20, help="timed requests per scenario")
    parser.add_argument(
        "--budget",
        type=float,
        default=DEFAULT_BUDGET,
        help="seconds of timed requests a slow scenario may use per arm (default %(default)s)",
    )
    parser.add_argument("--no-wrk", action="store_true", help="skip the wrk throughput run")
    parser.add_argument("--reseed", action="store_true", help="recreate the data even if present")
    parser.add_argument(
        "--pg-server",
        default=DEFAULT_POSTGRES_SERVER,
        help="PostgreSQL URL whose server gets the bench database (default %(default)s)",
    )
    return parser.parse_args(argv)


def _login(client: ArmClient) -> None:
    client.login(BENCH_STAFF_EMAIL, BENCH_STAFF_PASSWORD)


def _print_line(item: Measurement) -> None:
    status = "" if item.ok else f"  [{item.status}]"
    memory = "" if item.rss_growth is None else f"  RSS +{human_bytes(item.rss_growth)}"
    print(
        f"    {item.arm:<8} n={item.reps:<3} first={ms(item.first):>9}"
        f"  p50={ms(item.p50):>9} ms  p95={ms(item.p95):>9} ms"
        f"  {human_bytes(item.size):>10}  SQL={item.statements!s:<6}{memory}{status}"
        f"  {item.note}".rstrip()
    )


def _close_clients(sessions: dict[str, ArmSession]) -> None:
    for session in sessions.values():
        session.client.close()


def run_database(target: Target, args: argparse.Namespace) -> RunReport:
    layout = Layout(target.size)
    print(f"\n== {target.kind}: {target.size.label} ==")
    ensure_data(target, layout, reseed=args.reseed)
    started = time.perf_counter()
    report = RunReport(
        database=target.kind,
        size_label=target.size.label,
        slug=target.size.slug,
        started=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        revision=project_revision(),
        settings={"reps": args.reps, "budget_seconds": args.budget, "arms": args.arms},
    )
    scenarios: list[Scenario] = [
        s for s in all_scenarios(layout) if not args.only or s.key in args.only
    ]
    log_dir = DATA_DIR / "logs" / f"{target.kind}_{target.size.slug}"
    restorer = EventRestorer(target.url, layout.size.events)
    runner = ScenarioRunner(restorer, budget=args.budget, max_reps=args.reps)
    with ExitStack() as stack:
        stack.callback(restorer.close)
        sessions: dict[str, ArmSession] = {}
        for arm in args.arms:
            server = stack.enter_context(ArmServer(arm, target.url, log_dir))
            client = ArmClient(server.base_url, needs_login=arm != "raw")
            _login(client)
            sessions[arm] = ArmSession(server=server, client=client, login=_login)
        stack.callback(_close_clients, sessions)
        # Scenario by scenario, every arm in turn: noise on a shared machine hits all arms alike.
        for scenario in scenarios:
            print(f"  {scenario.title}")
            for arm in args.arms:
                item = runner.run(sessions[arm], scenario)
                report.measurements.append(item)
                _print_line(item)
        if not args.no_wrk and (not args.only or "wrk" in args.only):
            print("  wrk: events list page 1")
            for arm in args.arms:
                session = sessions[arm]
                wait_until_idle([other.server.pid for other in sessions.values()])
                result = run_wrk(
                    arm, session.server.base_url + WRK_PATH, session.client.cookie_header()
                )
                report.wrk.append(result)
                print(f"    {arm:<8} {result.requests_per_second} req/s {result.status}")
    report.seconds = time.perf_counter() - started
    return report


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # A plain `kill` unwinds normally, so the arm servers are stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    size = QUICK_SIZE if args.quick else Size(users=args.users, events=args.events)
    kinds: list[DatabaseKind] = list(dict.fromkeys(args.db))
    for kind in kinds:
        target = make_target(kind, size, postgres_server=args.pg_server)
        report = run_database(target, args)
        print()
        print(to_markdown(report))
        markdown, data = write(report)
        print(f"written: {markdown} and {data}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
