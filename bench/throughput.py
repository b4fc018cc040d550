"""The events list's throughput, this tree against an earlier commit, side by side.

    python -m bench.throughput [--against REF] [--database sqlite|postgresql] [--rounds 3]
                               [--connections 16]

Issue 19 asks for twice the list page's requests per second per worker, measured against the
commit before the work. Both servers run the project arm (bench/serve.py, 1 worker each) on the
same data: this working tree, and REF checked out with `git worktree` in a temporary directory.
`wrk` (bench/wrk.py: 16 connections unless `--connections`, 10 s, page 1 with a session cookie)
runs on each in turn, alternating for `--rounds` rounds and waiting for both servers to be idle
before each run, so the machine's noise falls on both alike. Prints each run, the medians and
their ratio, and beside them the server's CPU time per request (the process's user + system
time over the run, divided by the requests wrk counted): on a shared machine a neighbour's load
moves requests per second far more than it moves the CPU each request costs.
"""

import argparse
import statistics
import subprocess
import tempfile
from contextlib import ExitStack
from pathlib import Path

import psutil

from bench.client import ArmClient
from bench.layout import Layout
from bench.seed import BENCH_STAFF_EMAIL, BENCH_STAFF_PASSWORD, ensure_data
from bench.servers import ArmServer
from bench.targets import BENCH_DIR, DATA_DIR, DEFAULT_SIZE, Size, postgres_target, sqlite_target
from bench.wrk import CONNECTIONS, WrkResult, run_wrk, wait_until_idle

LIST = "/admin/event/list"
THIS_TREE = "this tree"


def _cpu_seconds(pid: int) -> float:
    times = psutil.Process(pid).cpu_times()
    return float(times.user + times.system)


def _measured(
    name: str, server: ArmServer, cookie: str, connections: int
) -> tuple[WrkResult, float]:
    """One wrk run, and the server's CPU milliseconds per request over it."""
    before = _cpu_seconds(server.pid)
    result = run_wrk(name, server.base_url + LIST, cookie, connections=connections)
    spent = _cpu_seconds(server.pid) - before
    return result, spent * 1000 / max(1, result.requests or 0)


def _page_bytes(client: ArmClient) -> int:
    return len(client.http.get(LIST, timeout=300.0).content)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--against", default="HEAD", help="the git commit to compare with")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--users", type=int, default=DEFAULT_SIZE.users)
    parser.add_argument("--events", type=int, default=DEFAULT_SIZE.events)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=CONNECTIONS)
    args = parser.parse_args(argv)
    size = Size(users=args.users, events=args.events)
    target = sqlite_target(size) if args.database == "sqlite" else postgres_target(size)
    ensure_data(target, Layout(size))
    root = BENCH_DIR.parent
    commit = subprocess.run(
        ["git", "rev-parse", "--short", args.against],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    log_dir = DATA_DIR / "logs" / f"throughput_{target.kind}_{size.slug}"
    print(
        f"# Events list throughput, {target.kind}, {size.label}, {args.connections} connections:"
        f" this tree against {commit}"
    )
    with ExitStack() as stack:
        other = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-")))
        checkout = other / commit
        subprocess.run(
            ["git", "worktree", "add", "--detach", "--quiet", str(checkout), commit],
            cwd=root,
            check=True,
        )
        stack.callback(
            subprocess.run,
            ["git", "worktree", "remove", "--force", str(checkout)],
            cwd=root,
            check=False,
        )
        servers = {
            THIS_TREE: stack.enter_context(ArmServer("project", target.url, log_dir)),
            commit: stack.enter_context(
                ArmServer("project", target.url, log_dir, checkout=checkout)
            ),
        }
        cookies: dict[str, str] = {}
        for name, server in servers.items():
            client = ArmClient(server.base_url, needs_login=True)
            client.login(BENCH_STAFF_EMAIL, BENCH_STAFF_PASSWORD)
            cookies[name] = client.cookie_header()
            print(f"  {name}: page 1 is {_page_bytes(client) / 1024:.1f} KiB")
            client.close()
        rates: dict[str, list[float]] = {name: [] for name in servers}
        cpu_per_request: dict[str, list[float]] = {name: [] for name in servers}
        for round_number in range(1, args.rounds + 1):
            for name, server in servers.items():
                wait_until_idle([s.pid for s in servers.values()])
                result, cpu_ms = _measured(name, server, cookies[name], args.connections)
                if result.requests_per_second is None or result.errors:
                    raise SystemExit(f"{name}: {result.status}, {result.errors} errors")
                rates[name].append(result.requests_per_second)
                cpu_per_request[name].append(cpu_ms)
                print(
                    f"  round {round_number}  {name:>10}  {result.requests_per_second:6.1f} req/s"
                    f"  p50 {(result.p50 or 0) * 1000:6.1f} ms  CPU {cpu_ms:5.2f} ms/request"
                )
    medians = {name: statistics.median(values) for name, values in rates.items()}
    cpu = {name: statistics.median(values) for name, values in cpu_per_request.items()}
    for name, value in medians.items():
        print(f"  median {name:>10}  {value:6.1f} req/s  CPU {cpu[name]:5.2f} ms/request")
    print(f"  ratio: {medians[THIS_TREE] / medians[commit]:.2f}x requests per second,")
    print(f"         {cpu[commit] / cpu[THIS_TREE]:.2f}x less CPU per request")


if __name__ == "__main__":
    main()
