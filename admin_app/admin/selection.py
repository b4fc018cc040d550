"""Which rows a bulk action or an export applies to: the ticked ones, or all the list matches."""

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session
from starlette.datastructures import QueryParams
from starlette.exceptions import HTTPException

from admin_app.admin.ids import is_id
from admin_app.admin.paging import ListQueryView

# `scope=filter`: the selection is every row the list's filters match, not the ticked ids.
SCOPE = "scope"
WHOLE_FILTER = "filter"
# More ids than this in one request is not a selection made by hand; refuse it.
MAX_SELECTION = 10_000
# Query parameters that shape the list but not which rows match it.
NOT_FILTERS = frozenset(
    {"page", "pageSize", "pks", "error", "scope", "csrf_token", "status", "cascade", "reason"}
)


def parse_pks(raw: str) -> list[int]:
    """The selected ids from `pks=1,2,3`; anything else is a 400."""
    parts = [part for part in raw.split(",") if part]
    if len(parts) > MAX_SELECTION:
        raise HTTPException(status_code=400, detail="Select at most 10,000 rows at once.")
    if not all(is_id(part) for part in parts):
        raise HTTPException(status_code=400, detail="The selection is not a list of row ids.")
    return sorted({int(part) for part in parts})


@dataclass(frozen=True)
class Selection:
    """Either explicit ids, or every row matching the list's filters and search."""

    pks: list[int]
    list_params: QueryParams
    whole_filter: bool

    @classmethod
    def from_params(cls, params: QueryParams) -> "Selection":
        whole_filter = params.get(SCOPE) == WHOLE_FILTER
        pks = [] if whole_filter else parse_pks(params.get("pks", ""))
        if not whole_filter and not pks:
            raise HTTPException(status_code=400, detail="Select at least one row first.")
        filters = [(key, value) for key, value in params.multi_items() if key not in NOT_FILTERS]
        return cls(pks=pks, list_params=QueryParams(filters), whole_filter=whole_filter)

    @classmethod
    def whole_filter_of(cls, params: QueryParams) -> "Selection":
        """Every row the list with these parameters matches (a count, an export)."""
        return cls.from_params(QueryParams([*params.multi_items(), (SCOPE, WHOLE_FILTER)]))

    def filter_query_string(self) -> str:
        return urlencode(list(self.list_params.multi_items()))

    async def ids_query(self, view: ListQueryView) -> Select[Any]:
        """SELECT of the primary keys this selection covers (a subquery for set-based work)."""
        pk = view.pk_columns[0]
        if not self.whole_filter:
            return select(pk).where(pk.in_(self.pks))
        matching = (await view.matching_query(self.list_params)).order_by(None).subquery()
        return select(matching.c[pk.key])


def count_rows(session: Session, ids: Select[Any]) -> int:
    return session.scalar(select(func.count()).select_from(ids.subquery())) or 0


def list_state(params: QueryParams) -> str:
    """The list's filters, search and sort as a query string, for links that act on what the
    list shows (exports): paging and selections left out."""
    return Selection.whole_filter_of(params).filter_query_string()
