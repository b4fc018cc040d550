"""One list request as an object (Django's ChangeList): the query string parsed once against the
parameter table (parameters.py), and what the page shows of it, each computed once: which rows
match (the selection), their capped count, the facets, the columns and what a saved view keeps.

`ChangeList.of(view, request)` builds it on first use in a request and hands back the same one
after: the list page's context, SQLAdmin's count (asked from inside its own `list`) and the
template all read that one.
"""

from collections.abc import Awaitable, Callable
from functools import cached_property
from typing import Any, TypeVar
from urllib.parse import urlencode

import anyio.to_thread
from sqlalchemy import Select, func, select
from starlette.requests import Request

from admin_app.admin.changelist import counting, facets
from admin_app.admin.changelist.columns import hidden_columns, shown_columns
from admin_app.admin.changelist.counting import EXACT, CountCache
from admin_app.admin.changelist.facets import Facet, FacetCache, FacetResult
from admin_app.admin.changelist.paging import LOOK_AHEAD, ListQueryView
from admin_app.admin.changelist.parameters import LEFT_BY_BULK_LINKS
from admin_app.admin.changelist.saved_views import list_state_query
from admin_app.admin.changelist.selection import EXCEPT, Selection
from admin_app.admin.core.formatters import path_only
from admin_app.db import sync_factory
from admin_app.web.auth import preferences_of
from admin_app.web.serving.route_paths import link

# Request state: the request's ChangeList.
_MEMO_STATE = "change_list"
Cache = TypeVar("Cache")


class ChangeList:
    def __init__(self, view: ListQueryView, request: Request) -> None:
        self.view = view
        self.request = request
        self.params = request.query_params
        # Set by `count`: seconds since the shown count was computed (None: fresh), whether it
        # stopped at its cap ("10,000+"), and whether it was left for later (more rows match
        # than the page shows; the count page counts them).
        self.count_age_seconds: int | None = None
        self.count_capped = False
        self.count_pending = False

    @classmethod
    def of(cls, view: ListQueryView, request: Request) -> "ChangeList":
        # SQLAdmin's list() may hand its count a copy of the request: the copy shares the
        # request's state, and so its ChangeList.
        found = getattr(request.state, _MEMO_STATE, None)
        if not isinstance(found, ChangeList) or found.view is not view:
            found = cls(view, request)
            setattr(request.state, _MEMO_STATE, found)
        return found

    # --- The query string, parsed once -----------------------------------------------------------

    @cached_property
    def selection(self) -> Selection:
        """Every row the list matches, less the ones unticked from "all matching"."""
        return Selection.whole_filter_of(self.params)

    @cached_property
    def filter_state(self) -> str:
        """The filters, search and sort as a query string: what the count and facets depend on."""
        return self.selection.filter_query_string()

    @cached_property
    def list_state(self) -> str:
        """The list's state for links that act on what it shows (exports, "all matching"):
        paging left out, rows unticked from "all matching" kept."""
        if not self.selection.excluded:
            return self.filter_state
        left_out = urlencode([(EXCEPT, ",".join(map(str, self.selection.excluded)))])
        return f"{left_out}&{self.filter_state}" if self.filter_state else left_out

    @cached_property
    def shown_columns(self) -> list[str]:
        return shown_columns(self.view, self.params, preferences_of(self.request))

    @property
    def hidden_columns(self) -> list[str]:
        return hidden_columns(self.view, self.shown_columns)

    @property
    def saved_state(self) -> str:
        """What "Save view" keeps: filters, search, sort, page size, columns."""
        return list_state_query(self.view, self.params, self.shown_columns)

    @property
    def left_by_bulk_links(self) -> str:
        """The parameters the page's script leaves out of its links to bulk pages."""
        return " ".join(sorted(LEFT_BY_BULK_LINKS))

    # --- The count ---------------------------------------------------------------------------

    async def count(
        self, run_count: Callable[[Select[Any]], Awaitable[int]], *, rows_first: bool = False
    ) -> int:
        """The list's row count, up to a cap past the page shown, kept a minute per filter
        state (counting.py); `recount=1` counts every row, afresh. `run_count` is SQLAdmin's.

        `rows_first` (the list page): a first page whose count is not kept is not counted: its
        rows query fetches one row past the page (`settle` reads it), so a new search or filter
        shows its rows without counting 10,001 first. If more match, the count is left for later
        (`count_pending`): the page's script fetches the count page (count_url), which counts
        under the cap and keeps the count."""
        cache = _admin_cache(self.view, "count_cache", CountCache)
        exact = bool(self.params.get("recount"))
        cap = EXACT if exact else self._cap()
        cached = (
            None
            if exact or cache is None
            else cache.count_of(self.view.identity, self.filter_state)
        )
        if cached is not None and cached.serves(cap):
            self.count_age_seconds, self.count_capped = cached.age_seconds, cached.capped
            return cached.value
        if rows_first and cache is not None and cache.ttl > 0 and not exact and self.page == 1:
            # Only where the count page's count is kept for the list's next view. The page's
            # rows are fetched with one more (LOOK_AHEAD); `settle` reads what that says.
            LOOK_AHEAD.set(True)
            self.count_pending = True
            return self.page_size + 1
        # Counting the unordered match is cheaper than SQLAdmin's count over the sorted query;
        # under a cap, the database stops reading after cap + 1 rows.
        matching = (await self.view.matching_query(self.selection.list_params)).order_by(None)
        if cap != EXACT:
            matching = matching.limit(cap + 1)
        value = int(await run_count(select(func.count()).select_from(matching.subquery())))
        self.count_capped = cap != EXACT and value > cap
        if cache is not None:
            cache.keep(self.view.identity, self.filter_state, value, cap)
        return value

    def settle(self, pagination: Any) -> None:
        """After a first page fetched one row past itself instead of counting (`count`): drop
        that row and leave the count for later if it came, else the page's rows are the count."""
        if not self.count_pending:
            return
        if len(pagination.rows) > self.page_size:
            pagination.rows = pagination.rows[: self.page_size]
            return
        self.count_pending = False
        pagination.count = len(pagination.rows)
        cache = _admin_cache(self.view, "count_cache", CountCache)
        if cache is not None:
            cache.keep(self.view.identity, self.filter_state, pagination.count, EXACT)

    @cached_property
    def count_url(self) -> str:
        """Where the list's count is (page.count_page), for the list's whole query string."""
        return self._beside("admin:count")

    @property
    def page(self) -> int:
        """The page asked for (SQLAdmin clamps it to the count)."""
        return int(self.view.validate_page_number(self.params.get("page"), 1))

    @property
    def page_size(self) -> int:
        view = self.view
        largest = max(view.page_size_options)
        return min(view.validate_page_number(self.params.get("pageSize"), view.page_size), largest)

    def _cap(self) -> int:
        # SQLAdmin clamps the page to the count: a deep page needs counting a little past it.
        return max(counting.LIST_COUNT_CAP, self.page * self.page_size)

    # --- The facets --------------------------------------------------------------------------

    @cached_property
    def facets_url(self) -> str:
        """Where the list's facets are (page.facets_page), for the list's whole query string so
        their links keep what the list's links keep; "" for a list without facets."""
        if not getattr(self.view, "column_facets", None):
            return ""
        return self._beside("admin:facets")

    def _beside(self, route: str) -> str:
        """A page of this list's (its count, its facets) for the list's whole query string."""
        path = path_only(link(self.request, route, identity=self.view.identity))
        query = self.request.url.query
        return f"{path}?{query}" if query else path

    async def facets(self) -> list[FacetResult]:
        """The list's facets for its filter state (kept as long as its count)."""
        declared: list[Facet] = list(getattr(self.view, "column_facets", []))
        if not declared:
            return []
        cache = _admin_cache(self.view, "facet_cache", FacetCache)
        key = (self.view.identity, self.filter_state)
        if cache is not None and (cached := cache.get(key)) is not None:
            return cached.value
        matching = await self.view.matching_query(self.selection.list_params)
        statements = facets.statements(declared, matching)

        def run() -> list[list[Any]]:
            with sync_factory(self.view.session_maker)() as session:
                return [list(session.execute(statement).all()) for statement, _ in statements]

        results = facets.results_of(declared, statements, await anyio.to_thread.run_sync(run))
        if cache is not None:
            cache.put(key, results)
        return results


def _admin_cache(view: ListQueryView, name: str, kind: type[Cache]) -> Cache | None:
    # The caches live on the admin (one per process); SQLAdmin links a view to its admin only
    # through the private _admin_ref.
    cache = getattr(view._admin_ref, name, None)
    return cache if isinstance(cache, kind) else None
