"""The view every panel view builds on: malformed input is a 4xx, never a database error, and
each form build starts from the view's declared field arguments."""

from typing import Any

from sqladmin import ModelView
from sqlalchemy import Select, or_
from starlette.exceptions import HTTPException
from wtforms import Form

from admin_app.admin.core.ids import is_id
from admin_app.admin.core.text_search import contains, prepare


class StrictInputView(ModelView):
    """A view that answers malformed input with a 4xx: a row key that is not an id is a 404, a
    search is literal text of bounded length (see text_search)."""

    def _stmt_by_identifier(self, identifier: str) -> Select[Any]:
        # SQLAdmin's one key coercion (private) raises ValueError for "abc", "1.5", "²": a 404.
        if not is_id(identifier):
            raise HTTPException(status_code=404)
        stmt: Select[Any] = super()._stmt_by_identifier(identifier)
        return stmt

    def search_query(self, stmt: Select[Any], term: str) -> Select[Any]:
        # Literal text (wildcards escaped), and no CAST so a trigram index can serve it; the
        # searchable columns are SQLAdmin's private _search_fields.
        columns = [getattr(self.model, name) for name in self._search_fields]
        return stmt.where(or_(*(contains(column, term) for column in columns)))

    async def prepare_search(self, term: str) -> None:
        """Before `search_query`: let SQLite's trigram index say if the term is rare there."""
        columns = [getattr(self.model, name) for name in self._search_fields]
        await prepare(self.session_maker, columns, term)

    async def scaffold_form(self, rules: list[str] | None = None) -> type[Form]:
        # SQLAdmin copies each field's arguments shallowly and appends its own validators to
        # our lists (InputRequired, Length): built from the class's lists, every build would
        # add another copy of each. Each build gets lists of its own; SQLAdmin reads
        # self.form_args before its first await, so concurrent builds never share one.
        # An instance attribute over SQLAdmin's ClassVar, on purpose (mypy: misc).
        self.form_args = fresh_field_arguments(type(self).form_args)  # type: ignore[misc]
        return await super().scaffold_form(rules)

    async def run_query(self, stmt: Any) -> Any:
        """Run a statement the way SQLAdmin runs the list's (its sync session, in a thread)."""
        return await self._run_query(stmt)  # SQLAdmin's private runner, made public here once


def fresh_field_arguments(declared: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The view's `form_args` with new lists (validators, filters) that a build may extend."""
    return {
        name: {
            key: list(value) if isinstance(value, list) else value for key, value in args.items()
        }
        for name, args in declared.items()
    }
