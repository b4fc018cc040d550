"""List row counts, kept a minute per filter so paging does not recount a million rows.

A reused count may be out of date (another worker may have deleted rows since): the page says
how old it is and offers an exact recount.
"""

import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from starlette.requests import Request

from admin_app.admin.paging import ListQueryView
from admin_app.admin.selection import Selection

# Different filter combinations remembered at once, per process.
MAX_ENTRIES = 512
# Request state: seconds since the shown count was computed (absent when it is fresh).
COUNT_AGE_STATE = "count_age_seconds"


@dataclass(frozen=True)
class CachedCount:
    value: int
    age_seconds: int


class CountCache:
    def __init__(self, ttl_seconds: float) -> None:
        self.ttl = ttl_seconds
        self._counts: OrderedDict[tuple[str, str], tuple[int, float]] = OrderedDict()

    def get(self, identity: str, filters: str) -> CachedCount | None:
        found = self._counts.get((identity, filters))
        if found is None:
            return None
        value, at = found
        age = time.monotonic() - at
        if age > self.ttl:
            del self._counts[(identity, filters)]
            return None
        return CachedCount(value=value, age_seconds=int(age))

    def put(self, identity: str, filters: str, value: int) -> None:
        self._counts[(identity, filters)] = (value, time.monotonic())
        self._counts.move_to_end((identity, filters))
        while len(self._counts) > MAX_ENTRIES:
            self._counts.popitem(last=False)

    def forget(self, identity: str) -> None:
        """After a change through this process: its counts are recomputed on the next view."""
        for key in [key for key in self._counts if key[0] == identity]:
            del self._counts[key]


class CountedListView(ListQueryView):
    """A list whose row count is reused per filter (from the admin's CountCache)."""

    @property
    def count_cache(self) -> CountCache | None:
        # SQLAdmin links a view to its admin only through the private _admin_ref.
        cache: CountCache | None = getattr(self._admin_ref, "count_cache", None)
        return cache

    async def count(self, request: Request, stmt: Select[Any] | None = None) -> int:
        """The list's row count, reused for a minute per filter."""
        cache = self.count_cache
        if stmt is None or cache is None:
            return int(await super().count(request, stmt))
        selection = Selection.whole_filter_of(request.query_params)
        filters = selection.filter_query_string()
        cached = None if request.query_params.get("recount") else cache.get(self.identity, filters)
        if cached is not None:
            setattr(request.state, COUNT_AGE_STATE, cached.age_seconds)
            return cached.value
        # Counting the unordered match is cheaper than SQLAdmin's count over the sorted query.
        matching = (await self.matching_query(selection.list_params)).order_by(None)
        value = int(
            await super().count(request, select(func.count()).select_from(matching.subquery()))
        )
        cache.put(self.identity, filters, value)
        return value

    def forget_counts(self) -> None:
        if (cache := self.count_cache) is not None:
            cache.forget(self.identity)
