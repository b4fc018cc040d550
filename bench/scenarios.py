"""What is measured: one request (the same path for every arm) per scenario."""

from dataclasses import dataclass
from typing import Literal

from bench.layout import LIST_PAGE_SIZE, Layout

ScenarioKind = Literal["page", "delete", "export"]

PAGE_TIMEOUT = 60.0
SLOW_TIMEOUT = 300.0
REPS = 20
# A 10,000-row delete (and its restore) is slow everywhere; fewer repetitions are enough.
BIG_DELETE_REPS = 5
LIST = f"/admin/event/list?pageSize={LIST_PAGE_SIZE}"


@dataclass(frozen=True)
class Scenario:
    key: str
    title: str
    path: str
    method: str = "GET"
    kind: ScenarioKind = "page"
    # Delete scenarios: how many events are selected (fresh ids every repetition).
    delete_rows: int = 0
    max_reps: int = REPS
    timeout: float = PAGE_TIMEOUT

    def delete_path(self, ids: list[int]) -> str:
        return f"{self.path}?pks={','.join(map(str, ids))}"


def all_scenarios(layout: Layout) -> list[Scenario]:
    deep = min(2000, layout.last_page)
    export_query = f"date_from={layout.export_from}&date_to={layout.export_to}"
    return [
        Scenario("list", "events list, page 1", f"{LIST}&page=1"),
        # The project reuses a list's count for a minute; `recount=1` asks it for a fresh one
        # (the other arms count every time and ignore the parameter).
        Scenario("list_recount", "events list, page 1, fresh count", f"{LIST}&page=1&recount=1"),
        Scenario("list_p2000", f"events list, page {deep:,}", f"{LIST}&page={deep}"),
        Scenario(
            "list_last",
            f"events list, last page ({layout.last_page:,})",
            f"{LIST}&page={layout.last_page}",
        ),
        Scenario("filter", "filter private", f"{LIST}&social_status=private"),
        Scenario(
            "filter_search",
            "filter private + search 'jazz'",
            f"{LIST}&social_status=private&search=jazz",
        ),
        Scenario("sort", "sort by date asc", f"{LIST}&sortBy=date_of&sort=asc"),
        Scenario("search", "title search 'hackathon'", f"{LIST}&search=hackathon"),
        # A term no title holds: the whole table is read unless an index answers.
        Scenario("search_rare", "title search 'qxj' (no match)", f"{LIST}&search=qxj"),
        Scenario("event_create", "event create form", "/admin/event/create"),
        Scenario(
            "event_edit",
            f"event edit form (#{layout.sample_event_id})",
            f"/admin/event/edit/{layout.sample_event_id}",
        ),
        Scenario("user_create", "user create form", "/admin/user/create"),
        Scenario(
            "user_edit",
            f"user edit form (#{layout.sample_user_id})",
            f"/admin/user/edit/{layout.sample_user_id}",
        ),
        Scenario(
            "lookup",
            "organizer picker lookup 'ada'",
            "/admin/event/ajax/lookup?name=organizer&term=ada",
        ),
        Scenario(
            "user_detail",
            "user detail (1,000 events)",
            f"/admin/user/details/{layout.heavy_user_id}",
        ),
        Scenario(
            "delete_500",
            "bulk delete 500 events",
            "/admin/event/delete",
            method="DELETE",
            kind="delete",
            delete_rows=500,
            timeout=SLOW_TIMEOUT,
        ),
        Scenario(
            "delete_10k",
            "bulk delete 10,000 events",
            "/admin/event/delete",
            method="DELETE",
            kind="delete",
            delete_rows=10_000,
            max_reps=BIG_DELETE_REPS,
            timeout=SLOW_TIMEOUT,
        ),
        Scenario(
            "export",
            f"CSV export, filter of {layout.export_rows:,} rows",
            f"/admin/event/export/csv?{export_query}",
            kind="export",
            timeout=SLOW_TIMEOUT,
        ),
        Scenario("dashboard", "dashboard (index)", "/admin/"),
    ]


WRK_PATH = f"{LIST}&page=1"
