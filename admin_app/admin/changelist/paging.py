"""The list's query: filters, search and a stable sort, and deep pages found by id first."""

from contextvars import ContextVar
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import defer, joinedload
from starlette.datastructures import QueryParams
from starlette.requests import Request

from admin_app.admin.changelist.filters import joined_multiples
from admin_app.admin.core.strict import StrictInputView
from admin_app.models import TimestampMixin

# Any SELECT, whatever its columns (SQLAlchemy types a SELECT by its column tuple).
AnySelect = Select[*tuple[Any, ...]]
PAGE_SIZE = 25
PAGE_SIZE_OPTIONS = [25, 50, 100]
# From this many rows skipped, a list page walks the sort order over ids alone (an index-only
# scan) and loads whole rows for the page only: a deep OFFSET over full rows reads them all.
DEFERRED_JOIN_OFFSET = 1_000
# Set by the list's count for a first page it does not count (ChangeList.count): the page's
# rows query fetches one row past the page instead, which tells whether more rows match.
LOOK_AHEAD: ContextVar[bool] = ContextVar("look_ahead", default=False)
# Set while a list page reads its rows (ListQueryView.list).
LISTING: ContextVar[bool] = ContextVar("listing", default=False)


class ListQueryView(StrictInputView):
    page_size = PAGE_SIZE
    page_size_options = PAGE_SIZE_OPTIONS

    def __init__(self) -> None:
        super().__init__()
        # SQLAdmin loads every relation a list shows with a second statement (selectinload, in
        # list()). A relation to one row (an event's organizer) is joined into the rows' own
        # statement instead (_run_query): loading 25 events took 1.1-1.3 ms with the second
        # statement, 0.7-0.9 ms joined. Relations to many rows keep SQLAdmin's way.
        self.joined_list_relations = [
            relation for relation in self._list_relations if not relation.property.uselist
        ]
        self._list_relations = [
            relation for relation in self._list_relations if relation.property.uselist
        ]
        self.page_row_options = self._page_row_options()

    async def matching_query(self, params: QueryParams) -> Select[Any]:
        """The list page's query for these parameters: filters, search and sort, no paging."""
        # SQLAdmin builds a list's query and sort from a request; export and bulk pages have
        # the list's parameters only, so a request carrying just those stands in for it.
        params = joined_multiples(params, self.get_filters())
        request = Request({"type": "http", "query_string": str(params).encode(), "headers": []})
        stmt = self.list_query(request)
        for list_filter in self.get_filters():
            value = params.get(list_filter.parameter_name)
            if value and not getattr(list_filter, "has_operator", False):
                stmt = await list_filter.get_filtered_query(stmt, value, self.model)  # type: ignore[call-arg]
        stmt = self.sort_query(stmt, request)
        if search := params.get("search"):
            await self.prepare_search(search)
            stmt = self.search_query(stmt=stmt, term=search)
        return stmt

    async def list(self, request: Request) -> Any:
        # SQLAdmin builds the search inside list() without awaiting anything: ask first.
        if search := request.query_params.get("search"):
            await self.prepare_search(search)
        joined = joined_multiples(request.query_params, self.get_filters())
        if joined is not request.query_params:
            # SQLAdmin reads one value per filter: ticked boxes reach it joined.
            request = Request({**request.scope, "query_string": str(joined).encode()})
        looking = LOOK_AHEAD.set(False)
        listing = LISTING.set(True)
        try:
            return await super().list(request)
        finally:
            LISTING.reset(listing)
            LOOK_AHEAD.reset(looking)

    def _page_row_options(self) -> tuple[Any, ...]:
        """How a list page loads its rows, made once with the view: relations to one row
        joined (without their own timestamps: a cell shows the related row's name), and the
        row's timestamps only when the list has them as columns (whichever columns a staff
        member chose, the statement is the same). Two timestamps a row were a fifth of loading
        25 events with their organizers (each parsed, then given its time zone)."""
        return (
            *_unread(self.model, keep=frozenset(self._list_prop_names)),
            *(
                joinedload(relation).options(*_unread(relation.property.mapper.class_))
                for relation in self.joined_list_relations
            ),
        )

    def sort_query(self, stmt: Select[Any], request: Request) -> Select[Any]:
        # The primary key breaks ties, so paging never repeats or skips rows with equal keys.
        stmt = super().sort_query(stmt, request)
        if request.query_params.get("sortBy"):
            descending = request.query_params.get("sort") == "desc"
        else:
            # SQLAdmin's default sort is only readable through its private helper.
            descending = any(is_desc for _, is_desc in self._get_default_sort())
        pk = self.pk_columns[0]
        return stmt.order_by(pk.desc() if descending else pk.asc())

    async def _run_query(self, stmt: Any) -> Any:
        # SQLAdmin's list() adds LIMIT/OFFSET just before this (private) runner, and Select has
        # no public LIMIT or OFFSET getter: they are read here, once. The page's rows are the
        # one statement of list() with a LIMIT (its count has none).
        page_rows = isinstance(stmt, Select) and LISTING.get() and stmt._limit is not None
        if isinstance(stmt, Select) and (stmt._offset or 0) >= DEFERRED_JOIN_OFFSET:
            stmt = page_by_ids(stmt, self.pk_columns[0])
        if isinstance(stmt, Select) and LOOK_AHEAD.get() and stmt._limit is not None:
            stmt = stmt.limit(stmt._limit + 1)
        if page_rows:
            stmt = stmt.options(*self.page_row_options)
        return await super()._run_query(stmt)


def _unread(model: type, keep: frozenset[str] = frozenset()) -> list[Any]:
    """Deferrals of a model's timestamps, but those named in `keep`."""
    if not issubclass(model, TimestampMixin):
        return []
    columns = (model.created_at, model.updated_at)
    return [defer(column) for column in columns if column.key not in keep]


def page_by_ids(stmt: Select[Any], pk: Any) -> Select[Any]:
    """The same page of `stmt` (filters, joins, order, LIMIT/OFFSET), found as ids first: the
    database skips index entries instead of whole rows, then loads the page's rows by id."""
    page_ids = stmt.with_only_columns(pk)
    return stmt.limit(None).offset(None).where(pk.in_(page_ids))
