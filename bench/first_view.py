"""A list's first view against its repeated view, this tree against another commit, in one run.

    python -m bench.first_view [--against COMMIT] [--database sqlite|postgresql]

For each state of the events list (a new search or filter), each server is asked once (its first
view: nothing of that state is cached yet) and then REPEATS times; the figure is the median of
the states' first views against the median of their repeated p50s. Both servers are real uvicorn
processes (bench/serve.py) on the same data; requests alternate between them. A first view that
leaves its count for later (the list's count page, fetched by the page's script) is timed for
the rows page only, and the count page it names is timed beside it. For a search, the raw arm
is one scan of the whole table for the term (`count(*) ... WHERE title LIKE '%term%'`, no index):
what a new search is held against.
"""

import argparse
import re
import statistics
import subprocess
import tempfile
import time
from contextlib import ExitStack
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs

from sqlalchemy import func, select

from admin_app.db import engine_at
from admin_app.models import Event
from bench.client import ArmClient
from bench.layout import Layout
from bench.seed import BENCH_STAFF_EMAIL, BENCH_STAFF_PASSWORD, ensure_data
from bench.servers import ArmServer
from bench.targets import BENCH_DIR, DATA_DIR, DEFAULT_SIZE, Size, postgres_target, sqlite_target

REPEATS = 5
THIS_TREE = "this tree"
LIST = "/admin/event/list"
# Common title trigrams, a rare one, a status, a search within a status, a date bound, an organizer.
STATES = [
    "search=ames",
    "search=nnua",
    "search=oard",
    "search=zzle",
    "social_status=private",
    "search=ight&social_status=private",
    "organizer=7",
]
# The count the page leaves for later (list_count.html): its page, named on the list.
COUNT_URL = re.compile(r'data-count-url="([^"]+)"')


def _get(client: ArmClient, path: str) -> tuple[float, str]:
    started = time.perf_counter()
    response = client.http.get(path, timeout=300.0)
    seconds = time.perf_counter() - started
    assert response.status_code == 200, f"{path}: {response.status_code}"
    return seconds, response.text


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


def _raw_scan(url: str, term: str) -> float:
    """The median of three whole-table LIKE scans for `term`."""
    engine = engine_at(url)
    statement = select(func.count()).where(Event.title.like(f"%{term}%"))
    times = []
    with engine.connect() as connection:
        for _ in range(3):
            started = time.perf_counter()
            connection.execute(statement).scalar_one()
            times.append(time.perf_counter() - started)
    engine.dispose()
    return statistics.median(times)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--against", default="HEAD", help="the git commit to compare with")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--users", type=int, default=DEFAULT_SIZE.users)
    parser.add_argument("--events", type=int, default=DEFAULT_SIZE.events)
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
    log_dir = DATA_DIR / "logs" / f"first_view_{target.kind}_{size.slug}"
    print(f"# Events list, first view against repeated, {target.kind}, {size.label}")
    firsts: dict[str, list[float]] = {THIS_TREE: [], commit: []}
    counts: dict[str, list[float]] = {THIS_TREE: [], commit: []}
    repeats: dict[str, list[float]] = {THIS_TREE: [], commit: []}
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
        clients: dict[str, ArmClient] = {}
        for name, where in ((THIS_TREE, None), (commit, checkout)):
            server = stack.enter_context(ArmServer("project", target.url, log_dir, checkout=where))
            client = ArmClient(server.base_url, needs_login=True)
            client.login(BENCH_STAFF_EMAIL, BENCH_STAFF_PASSWORD)
            stack.callback(client.close)
            _get(client, LIST)  # warm: templates compiled, connections open
            clients[name] = client
        print(
            "| state | arm | first view | its count page | repeated p50 | first / repeated"
            " | raw scan | first / raw scan |"
        )
        print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        for state in STATES:
            path = f"{LIST}?{state}"
            term = parse_qs(state).get("search", [""])[0]
            scan = _raw_scan(target.url, term) if term else 0.0
            for name, client in clients.items():
                first, page = _get(client, path)
                found = COUNT_URL.search(page)
                count = _get(client, unescape(found.group(1)))[0] if found else 0.0
                times = [_get(client, path)[0] for _ in range(REPEATS)]
                firsts[name].append(first)
                if found:
                    counts[name].append(count)
                repeats[name].append(statistics.median(times))
                print(
                    f"| {state} | {name} | {_ms(first)} | {_ms(count) if found else '-'}"
                    f" | {_ms(statistics.median(times))}"
                    f" | {first / statistics.median(times):.2f}x"
                    f" | {_ms(scan) if term else '-'}"
                    f" | {f'{first / scan:.2f}x' if term else '-'} |"
                )
    print()
    print("| arm | first view, median | count page, median | repeated, median | ratio |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name in clients:
        first, repeated = statistics.median(firsts[name]), statistics.median(repeats[name])
        count_page = _ms(statistics.median(counts[name])) if counts[name] else "-"
        print(
            f"| {name} | {_ms(first)} | {count_page} | {_ms(repeated)} | {first / repeated:.2f}x |"
        )


if __name__ == "__main__":
    main()
