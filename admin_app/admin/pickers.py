"""The relationship picker's lookup, matching what staff type literally (SQLAdmin's does not)."""

from typing import Any

from sqladmin.ajax import QueryAjaxModelLoader
from sqlalchemy import or_, select
from starlette.requests import Request

from admin_app.admin.text_search import contains


class LiteralAjaxLoader(QueryAjaxModelLoader):
    async def get_list(self, request: Request, term: str) -> list[Any]:
        stmt: Any = select(self.model).where(or_(*(contains(f, term) for f in self._cached_fields)))
        if self._cached_fields_order_by:
            stmt = stmt.order_by(*self._cached_fields_order_by)
        result: list[Any] = await self.model_admin._run_query(stmt.limit(self.limit))
        return result
