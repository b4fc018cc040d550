"""Finding things, side by side in one run on the benchmark data (docs/BENCHMARKS.md).

    python -m bench.finding [--database sqlite|postgresql] [--users N --events N]

1. The global search (palette): `/admin/search?q=TERM&fragment=1` (users and events, top 5 of
   each with a count capped at 1,000, pages and saved views) against the project's own list
   search for the same term (its first view, before the count is cached, and its p50), stock
   SQLAdmin's list search, and the raw SQL the palette runs (per model: the matching ids up to
   the cap, then the top 5). The target: the palette under 2x the list search.
2. Facets: for a few filter states of the events list, the facet statement as a first view
   runs it (one statement: the sample read once, its size and three groupings; afterwards they
   are cached with the list's count) against that list page's first view and p50. The target:
   facets under the list's own time.

Both servers are real uvicorn processes (bench/serve.py); arms alternate request by request.
"""

import argparse
import statistics
import time
from contextlib import ExitStack
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from admin_app.admin.changelist import facets
from admin_app.admin.changelist.facets import MonthFacet, OrganizerFacet, StatusFacet
from admin_app.db import engine_at
from admin_app.models import Event, SocialStatus, User
from bench.client import ArmClient
from bench.layout import Layout
from bench.seed import BENCH_STAFF_EMAIL, BENCH_STAFF_PASSWORD, ensure_data
from bench.servers import ArmServer
from bench.targets import DATA_DIR, DEFAULT_SIZE, Size, postgres_target, sqlite_target

REPS = 15
# Terms: common in titles, rare (a name in a few emails), and one that matches nothing.
TERMS = ["hackathon", "jazz", "ada.kim", "qxj"]
FACET_STATES: dict[str, Any] = {
    "whole list": [],
    "private": [Event.social_status == SocialStatus.PRIVATE],
    "one organizer (1,000 events)": [Event.organizer_id == 1],
}
LIST = "/admin/event/list?pageSize=25"


def _ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:,.1f} ms" if values else "-"


def _get(client: ArmClient, path: str) -> float:
    started = time.perf_counter()
    response = client.http.get(path, timeout=300.0)
    seconds = time.perf_counter() - started
    assert response.status_code == 200, f"{path}: {response.status_code}"
    return seconds


def _raw_palette(engine: Engine, term: str) -> float:
    """The palette's statements by hand: per model the matching ids up to the cap, then the
    top 5 in the list's order (among those ids when they are all the matches)."""
    pattern = f"%{term}%"
    started = time.perf_counter()
    with engine.connect() as conn:
        for column, order in ((User.email, User.id.desc()), (Event.title, Event.date_of.desc())):
            table = column.class_
            matching = select(table.id).where(column.ilike(pattern))
            ids = list(conn.scalars(matching.limit(1_001)))
            top = matching.where(table.id.in_(ids)) if len(ids) <= 1_000 else matching
            conn.execute(top.order_by(order).limit(5)).all()
    return time.perf_counter() - started


def palette(clients: dict[str, ArmClient], engine: Engine) -> None:
    print(
        "| term | palette p50 | list search first view | list search p50 | stock list search p50 "
        "| raw SQL p50 | palette / list first | palette / list p50 |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for term in TERMS:
        times: dict[str, list[float]] = {"palette": [], "list": [], "stock": [], "raw": []}
        # Each server starts empty: this is the term's first view (nothing cached).
        first = _get(clients["project"], f"{LIST}&search={term}")
        for _ in range(REPS):
            times["palette"].append(_get(clients["project"], f"/admin/search?q={term}&fragment=1"))
            times["list"].append(_get(clients["project"], f"{LIST}&search={term}"))
            times["stock"].append(_get(clients["stock"], f"{LIST}&search={term}"))
            times["raw"].append(_raw_palette(engine, term))
        p50 = {arm: statistics.median(values) for arm, values in times.items()}
        print(
            f"| {term} | {_ms(times['palette'])} | {first * 1000:,.1f} ms | {_ms(times['list'])} "
            f"| {_ms(times['stock'])} | {_ms(times['raw'])} | {p50['palette'] / first:.2f}x "
            f"| {p50['palette'] / p50['list']:.2f}x |"
        )


def _facet_seconds(engine: Engine, where: list[Any]) -> float:
    matching = select(Event).where(*where)
    started = time.perf_counter()
    statement = facets.combined_statement([StatusFacet(), MonthFacet(), OrganizerFacet()], matching)
    with Session(engine) as session:
        session.execute(statement).all()
    return time.perf_counter() - started


FACET_PATHS = {
    "whole list": LIST,
    "private": f"{LIST}&social_status=private",
    "one organizer (1,000 events)": f"{LIST}&organizer=1",
}


def facet_costs(clients: dict[str, ArmClient], engine: Engine) -> None:
    print(
        "| filter | facets (first view) | list first view (with facets) | list p50 (cached) "
        "| facets / list p50 |"
    )
    print("| --- | --- | --- | --- | --- |")
    for name, where in FACET_STATES.items():
        path = FACET_PATHS[name]
        first = _get(clients["project"], path)  # the first view: count and facets computed
        listed, cost = [], []
        for _ in range(REPS):
            listed.append(_get(clients["project"], path))
            cost.append(_facet_seconds(engine, where))
        ratio = statistics.median(cost) / statistics.median(listed)
        print(f"| {name} | {_ms(cost)} | {first * 1000:,.1f} ms | {_ms(listed)} | {ratio:.2f}x |")


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
    log_dir = DATA_DIR / "logs" / f"finding_{target.kind}_{size.slug}"
    print(f"# Finding things, {target.kind}, {size.label}")
    with ExitStack() as stack:
        clients: dict[str, ArmClient] = {}
        for arm in ("project", "stock"):
            server = stack.enter_context(ArmServer(arm, target.url, log_dir))
            clients[arm] = ArmClient(server.base_url, needs_login=True)
            clients[arm].login(BENCH_STAFF_EMAIL, BENCH_STAFF_PASSWORD)
            stack.callback(clients[arm].close)
        palette(clients, engine)
        facet_costs(clients, engine)
    engine.dispose()


if __name__ == "__main__":
    main()
