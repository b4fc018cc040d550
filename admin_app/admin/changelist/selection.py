"""Which rows a bulk action or an export applies to: the ticked ones, or all the list matches
except the rows unticked afterwards (the browser sends the filter and those few ids, never the
thousands it stands for)."""

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session
from starlette.datastructures import QueryParams
from starlette.exceptions import HTTPException

from admin_app.admin.changelist.paging import ListQueryView
from admin_app.admin.changelist.parameters import NOT_FILTERS
from admin_app.admin.core.ids import is_id

# `scope=filter`: the selection is every row the list's filters match, not the ticked ids.
SCOPE = "scope"
WHOLE_FILTER = "filter"
# `except=4,9`: with `scope=filter`, the rows unticked after "select all matching".
EXCEPT = "except"
# More ids than this in one request is not a selection made by hand; refuse it.
MAX_SELECTION = 10_000


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
    # Rows left out of a whole-filter selection (unticked after "select all matching").
    excluded: tuple[int, ...] = ()

    @classmethod
    def from_params(cls, params: QueryParams) -> "Selection":
        whole_filter = params.get(SCOPE) == WHOLE_FILTER
        pks = [] if whole_filter else parse_pks(params.get("pks", ""))
        if not whole_filter and not pks:
            raise HTTPException(status_code=400, detail="Select at least one row first.")
        excluded = tuple(parse_pks(params.get(EXCEPT, ""))) if whole_filter else ()
        filters = [(key, value) for key, value in params.multi_items() if key not in NOT_FILTERS]
        return cls(
            pks=pks, list_params=QueryParams(filters), whole_filter=whole_filter, excluded=excluded
        )

    @classmethod
    def whole_filter_of(cls, params: QueryParams) -> "Selection":
        """Every row the list with these parameters matches (a count, an export)."""
        return cls.from_params(QueryParams([*params.multi_items(), (SCOPE, WHOLE_FILTER)]))

    def filter_query_string(self) -> str:
        return urlencode(list(self.list_params.multi_items()))

    def audit_scope(self, ids: list[int] | None, count: int) -> dict[str, Any]:
        """Which rows an action took, for its audit entry: the ids, or the filter and count."""
        if ids is not None and len(ids) <= MAX_SELECTION:
            return {"ids": ids}
        scope: dict[str, Any] = {"filter": self.filter_query_string(), "count": count}
        if self.excluded:
            scope["except"] = list(self.excluded)
        return scope

    def leave_out_excluded(self, stmt: Select[Any], pk: Any) -> Select[Any]:
        """`stmt` without the rows unticked after "select all matching"."""
        return stmt.where(pk.not_in(self.excluded)) if self.excluded else stmt

    async def ids_query(self, view: ListQueryView) -> Select[Any]:
        """SELECT of the primary keys this selection covers (a subquery for set-based work)."""
        pk = view.pk_columns[0]
        if not self.whole_filter:
            return select(pk).where(pk.in_(self.pks))
        matching = await view.matching_query(self.list_params)
        rows = self.leave_out_excluded(matching.order_by(None), pk).subquery()
        return select(rows.c[pk.key])


def count_rows(session: Session, ids: Select[Any]) -> int:
    return session.scalar(select(func.count()).select_from(ids.subquery())) or 0


def more_than(session: Session, rows: Select[Any], threshold: int) -> bool:
    """Whether `rows` has more than `threshold` rows, counting one past it only (what decides
    that work runs in the background, whatever the size)."""
    return count_rows(session, rows.order_by(None).limit(threshold + 1)) > threshold
