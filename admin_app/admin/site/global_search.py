"""The global search (command palette): users by email, events by title and staff pages by name,
grouped, the top few of each, with "see all N" links into the filtered lists.

Records are found by each list's own search (the same statement, so the same indexes: trigram on
PostgreSQL, FTS5 on SQLite) in the list's own order; their count stops at SEARCH_COUNT_CAP,
and a term
with fewer matches than that has them sorted instead of the list's order walked. Terms of
fewer than three characters search pages only: records would be a scan of every row per
keystroke (the list search still does it, and says so).
"""

from dataclasses import dataclass
from typing import Any

import anyio.to_thread
from sqlalchemy import select
from starlette.datastructures import QueryParams
from starlette.requests import Request

from admin_app.admin.core.formatters import path_only
from admin_app.admin.core.text_search import MAX_TERM_LENGTH

TOP = 5
SEARCH_COUNT_CAP = 1_000
MIN_RECORD_TERM = 3


@dataclass(frozen=True)
class Hit:
    label: str
    detail: str
    url: str


@dataclass(frozen=True)
class Group:
    title: str
    hits: list[Hit]
    total: int = 0
    capped: bool = False
    # The filtered list with every match ("see all N in Events"); none for pages.
    see_all: str = ""

    @property
    def total_text(self) -> str:
        return f"{SEARCH_COUNT_CAP:,}+" if self.capped else f"{self.total:,}"


def cleaned(term: str) -> str:
    return " ".join(term.replace("\x00", "").split())[:MAX_TERM_LENGTH]


async def record_group(view: Any, request: Request, term: str) -> Group | None:
    """The view's top matches for `term`, or None when this staff member may not list it."""
    if not view.column_searchable_list or not view.is_accessible(request):
        return None
    if not await view.check_can_list(request):
        return None
    matching = await view.matching_query(QueryParams({"search": term}))
    pk = view.pk_columns[0]
    capped = matching.order_by(None).limit(SEARCH_COUNT_CAP + 1).subquery()

    def run() -> tuple[list[Any], int]:
        with view.sync_sessions(expire_on_commit=False) as session:
            ids = list(session.scalars(select(capped.c[pk.key])))
            # A rare term: its few matches, sorted; walking the list's order past rows that do
            # not match would read the whole table. A common one: the walk stops at once.
            top = matching.where(pk.in_(ids)) if len(ids) <= SEARCH_COUNT_CAP else matching
            return list(session.scalars(top.limit(TOP)).unique().all()), len(ids)

    rows, total = await anyio.to_thread.run_sync(run)
    hits = [
        Hit(
            label=str(row),
            detail=view.palette_detail(row),
            url=path_only(str(request.url_for("admin:details", identity=view.identity, pk=row.id))),
        )
        for row in rows
    ]
    see_all = path_only(str(request.url_for("admin:list", identity=view.identity)))
    return Group(
        title=view.name_plural,
        hits=hits,
        total=min(total, SEARCH_COUNT_CAP),
        capped=total > SEARCH_COUNT_CAP,
        see_all=f"{see_all}?{QueryParams({'search': term})}",
    )


def page_group(request: Request, menu_items: list[Any], views: list[Any], term: str) -> Group:
    """Staff pages (the sidebar's, the dashboard) and saved views whose names contain `term`."""
    folded = term.casefold()
    found = [Hit("Dashboard", "Page", path_only(str(request.url_for("admin:index"))))]
    for item in menu_items:
        for menu in [item, *getattr(item, "children", [])]:
            if getattr(menu, "view", None) is None:
                continue
            if menu.is_visible(request) and menu.is_accessible(request):
                found.append(Hit(menu.display_name, "Page", path_only(str(menu.url(request)))))
    for saved in views:
        found.append(Hit(saved.name, f"Saved view of {saved.list_name}", saved.url))
    matches = [hit for hit in found if folded in hit.label.casefold()]
    return Group(title="Pages and saved views", hits=matches[:TOP], total=len(matches))
