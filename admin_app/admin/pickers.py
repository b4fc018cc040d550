"""The relationship picker's lookup, matching what staff type literally (SQLAdmin's does not)."""

from typing import Any

from sqladmin.ajax import QueryAjaxModelLoader
from sqlalchemy import or_, select
from starlette.requests import Request

from admin_app.admin.strict import StrictInputView
from admin_app.admin.text_search import contains


class LiteralAjaxLoader(QueryAjaxModelLoader):
    async def get_list(self, request: Request, term: str) -> list[Any]:
        stmt: Any = select(self.model).where(or_(*(contains(f, term) for f in self._columns())))
        if self.order_by:
            stmt = stmt.order_by(*self._columns(self.order_by))
        view = self.model_admin
        assert isinstance(view, StrictInputView), "pickers belong to the panel's views"
        result: list[Any] = await view.run_query(stmt.limit(self.limit))
        return result

    def _columns(self, names: Any = None) -> list[Any]:
        """The configured fields (or order_by) as columns: names are looked up on the model."""
        names = self.fields if names is None else names
        names = [names] if isinstance(names, str) else names
        return [getattr(self.model, name) if isinstance(name, str) else name for name in names]
