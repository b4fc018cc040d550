"""A list with facets beside it (facets.py): computed once per filter state, kept as long as the
list's counts, and forgotten with them after a change."""

from typing import Any, ClassVar

import anyio.to_thread
from starlette.requests import Request

from admin_app.admin.changelist import facets
from admin_app.admin.changelist.counting import CountedListView
from admin_app.admin.changelist.facets import Facet, FacetResult
from admin_app.admin.changelist.selection import Selection
from admin_app.admin.core.timed_cache import TimedCache
from admin_app.db import sync_factory

# Request state: (filter state, {sample size: rows counted in it}) of the facets just computed.
SAMPLED_STATE = "facet_samples"


# Facet results per (list, filter state), for as long as the list's counts are kept.
FacetCache = TimedCache[tuple[str, str], list[FacetResult]]


class FacetedListView(CountedListView):
    # How the matching rows split, shown beside the list (facets.py).
    column_facets: ClassVar[list[Facet]] = []

    @property
    def facet_cache(self) -> FacetCache | None:
        # SQLAdmin links a view to its admin only through the private _admin_ref.
        cache: FacetCache | None = getattr(self._admin_ref, "facet_cache", None)
        return cache

    async def facets_for(self, request: Request) -> list[FacetResult]:
        """The list's facets for its current filters and search (cached per filter state)."""
        if not self.column_facets:
            return []
        selection = Selection.whole_filter_of(request.query_params)
        state = selection.filter_query_string()
        cache = self.facet_cache
        if cache is not None and (cached := cache.get((self.identity, state))) is not None:
            return cached.value
        matching = await self.matching_query(selection.list_params)
        # Facets sharing a sample size are one statement (facets.combined_statement).
        by_sample: dict[int, list[Facet]] = {}
        for facet in self.column_facets:
            by_sample.setdefault(facet.sample, []).append(facet)
        groups = list(by_sample.values())
        statements = [facets.combined_statement(group, matching) for group in groups]

        def run() -> list[list[Any]]:
            with sync_factory(self.session_maker)() as session:
                return [list(session.execute(statement).all()) for statement in statements]

        answers = await anyio.to_thread.run_sync(run)
        computed: dict[int, FacetResult] = {}
        sampled: dict[int, int] = {}
        for group, rows in zip(groups, answers, strict=True):
            computed |= _results(group, rows)
            sampled[group[0].sample] = _sample_size(rows)
        # The list's capped count is the same LIMITed count: it need not read the rows again.
        setattr(request.state, SAMPLED_STATE, (state, sampled))
        results = [computed[id(facet)] for facet in self.column_facets]
        if cache is not None:
            cache.put((self.identity, state), results)
        return results

    def counted_already(self, request: Request, filters: str, cap: int) -> int | None:
        known = getattr(request.state, SAMPLED_STATE, None)
        if known is None or known[0] != filters:
            return None
        found: int | None = known[1].get(cap)
        return found


def _sample_size(rows: list[Any]) -> int:
    return next(int(row[3]) for row in rows if row[0] == facets.SAMPLE_SIZE)


def _results(group: list[Facet], rows: list[Any]) -> dict[int, FacetResult]:
    """Each facet's result (by the facet's id) from the rows of its combined statement."""
    sampled = _sample_size(rows)
    return {
        id(facet): facets.result(
            facet, [(row[1], row[2], int(row[3])) for row in rows if row[0] == position], sampled
        )
        for position, facet in enumerate(group)
    }
