"""What every panel view shares: stable sorting, readable save errors, versions, atomic deletes."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, ClassVar

import anyio.to_thread
from sqladmin import ModelView
from sqlalchemy import Select, func, or_, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError
from starlette.datastructures import QueryParams
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse
from wtforms import Form, HiddenField

from admin_app.admin.bulk import Dependents
from admin_app.admin.counting import CountCache
from admin_app.admin.errors import (
    DATABASE_REFUSED,
    ActionRefused,
    FormErrors,
    pop_list_refusal,
    remember_field_errors,
    translate_integrity_error,
)
from admin_app.admin.formatters import TYPE_FORMATTERS
from admin_app.admin.ids import is_id
from admin_app.admin.selection import Selection
from admin_app.admin.text_search import contains
from admin_app.admin.versioning import (
    VERSION_FIELD,
    StaleEdit,
    remember_current_version,
    seen_version,
    stale_edit,
)
from admin_app.db import sync_factory
from admin_app.web import outage

# Any SELECT, whatever its columns (SQLAlchemy types a SELECT by its column tuple).
AnySelect = Select[*tuple[Any, ...]]

PAGE_SIZE = 25
# Request state: seconds since the shown count was computed (absent when it is fresh).
COUNT_AGE_STATE = "count_age_seconds"
PAGE_SIZE_OPTIONS = [25, 50, 100]
# From this many rows skipped, a list page walks the sort order over ids alone (an index-only
# scan) and loads whole rows for the page only: a deep OFFSET over full rows reads them all.
DEFERRED_JOIN_OFFSET = 1_000


class StrictInputView(ModelView):
    """A view that answers malformed input with a 4xx: a row key that is not an id is a 404, a
    search is literal text of bounded length (see text_search)."""

    def _stmt_by_identifier(self, identifier: str) -> Select[Any]:
        # SQLAdmin raises ValueError for a key that is not an id ("abc", "1.5", "²"): a 404.
        if not is_id(identifier):
            raise HTTPException(status_code=404)
        stmt: Select[Any] = super()._stmt_by_identifier(identifier)
        return stmt

    def search_query(self, stmt: Select[Any], term: str) -> Select[Any]:
        # Literal text (wildcards escaped), and no CAST so a trigram index can serve it.
        columns = [getattr(self.model, name) for name in self._search_fields]
        return stmt.where(or_(*(contains(column, term) for column in columns)))


class PanelModelView(StrictInputView):
    """A ModelView whose saves and deletes fail with messages, never tracebacks."""

    page_size = PAGE_SIZE
    page_size_options = PAGE_SIZE_OPTIONS
    column_type_formatters = TYPE_FORMATTERS
    # Column name -> message shown on its field when the database refuses a value.
    integrity_messages: ClassVar[dict[str, str]] = {}
    # Bulk actions offered with a confirmation page (custom action slugs).
    bulk_actions: ClassVar[frozenset[str]] = frozenset()

    def clean(self, session: Session, data: dict[str, Any], *, pk: str | None) -> dict[str, Any]:
        """Check submitted values against the database before saving (pk None: a new row).

        Raise FormErrors to refuse; return the data to save.
        """
        return data

    def delete_blocker(self, session: Session, ids: Select[Any]) -> str | None:
        """Why rows with these ids may never be deleted, or None when they may."""
        return None

    def dependents(self, session: Session, ids: Select[Any]) -> Dependents | None:
        """What deleting these rows would take with it; None when nothing."""
        return None

    def delete_dependents(self, session: Session, ids: Select[Any]) -> int:
        """Delete what depends on these rows (an admin's explicit choice); returns the count."""
        raise NotImplementedError(f"{self.name} rows have no dependents to delete")

    async def count(self, request: Request, stmt: Select[Any] | None = None) -> int:
        """The list's row count, reused for a minute per filter (see admin/counting.py)."""
        cache: CountCache | None = getattr(self._admin_ref, "count_cache", None)
        if stmt is None or cache is None:
            return int(await super().count(request, stmt))
        selection = Selection.from_params(
            QueryParams([*request.query_params.multi_items(), ("scope", "filter")])
        )
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
        cache: CountCache | None = getattr(self._admin_ref, "count_cache", None)
        if cache is not None:
            cache.forget(self.identity)

    async def matching_query(self, params: QueryParams) -> Select[Any]:
        """The list page's query for these parameters: filters, search and sort, no paging."""
        request = Request({"type": "http", "query_string": str(params).encode(), "headers": []})
        stmt = self.list_query(request)
        for list_filter in self.get_filters():
            value = params.get(list_filter.parameter_name)
            if value and not getattr(list_filter, "has_operator", False):
                stmt = await list_filter.get_filtered_query(stmt, value, self.model)  # type: ignore[call-arg]
        stmt = self.sort_query(stmt, request)
        if search := params.get("search"):
            stmt = self.search_query(stmt=stmt, term=search)
        return stmt

    async def list_context(self, request: Request) -> dict[str, Any]:
        # A refused delete comes back to the list with its reason (see errors.refuse_on_list).
        message = pop_list_refusal(request)
        return {"error": message} if message else {}

    def export_statement(self, stmt: Select[Any]) -> AnySelect:
        """The list query reduced to the exported columns (plain values, no ORM objects)."""
        table: Any = sa_inspect(self.model).local_table
        return stmt.with_only_columns(*table.columns)

    @property
    def sync_sessions(self) -> sessionmaker[Session]:
        """The panel's session factory (it always runs on a synchronous engine)."""
        return sync_factory(self.session_maker)

    def to_bulk_page(self, request: Request, kind: str) -> RedirectResponse:
        """From the list's Actions menu to the confirmation page, keeping selection and filters."""
        url = request.url_for("admin:bulk", identity=self.identity, kind=kind)
        return RedirectResponse(f"{url}?{request.url.query}", status_code=302)

    @property
    def versioned(self) -> bool:
        return sa_inspect(self.model).version_id_col is not None

    async def _run_query(self, stmt: Any) -> Any:
        # SQLAdmin's list() adds LIMIT/OFFSET just before this; Select has no public OFFSET getter.
        if isinstance(stmt, Select) and (stmt._offset or 0) >= DEFERRED_JOIN_OFFSET:
            stmt = page_by_ids(stmt, self.pk_columns[0])
        return await super()._run_query(stmt)

    def sort_query(self, stmt: Select[Any], request: Request) -> Select[Any]:
        # The primary key breaks ties, so paging never repeats or skips rows with equal keys.
        stmt = super().sort_query(stmt, request)
        if request.query_params.get("sortBy"):
            descending = request.query_params.get("sort") == "desc"
        else:
            descending = any(is_desc for _, is_desc in self._get_default_sort())
        pk = self.pk_columns[0]
        return stmt.order_by(pk.desc() if descending else pk.asc())

    async def scaffold_form(self, rules: list[str] | None = None) -> type[Form]:
        form = await super().scaffold_form(rules)
        if not self.versioned:
            return form
        # The version the form was opened at travels with it, hidden.
        return type(form.__name__, (form,), {VERSION_FIELD: HiddenField()})

    async def get_form_data_for_edit(self, obj: Any) -> dict[str, Any]:
        data = await super().get_form_data_for_edit(obj)
        if self.versioned:
            data[VERSION_FIELD] = obj.version
        return data

    async def insert_model(self, request: Request, data: dict[str, Any]) -> Any:
        async with self._readable_errors(request):
            data = await self._clean_in_thread(data, pk=None)
            created = await super().insert_model(request, data)
        self.forget_counts()
        return created

    async def update_model(self, request: Request, pk: str, data: dict[str, Any]) -> Any:
        async with self._readable_errors(request):
            data = await self._clean_in_thread(data, pk=pk)
            updated = await super().update_model(request, pk, data)
        self.forget_counts()
        return updated

    async def on_model_change(
        self, data: dict[str, Any], model: Any, is_created: bool, request: Request
    ) -> None:
        # SQLAdmin hands us None when the row was deleted after the form was opened.
        if model is None:
            raise ActionRefused(f"This {self.name.lower()} no longer exists: someone deleted it.")
        expected = data.pop("_expected_version", None)
        if not is_created and expected is not None and model.version != expected:
            # Saved by someone between our check and this transaction's read of the row.
            raise StaleDataError(f"{self.name} {model} changed while saving")

    async def _clean_in_thread(self, data: dict[str, Any], *, pk: str | None) -> dict[str, Any]:
        def clean() -> dict[str, Any]:
            with self.session_maker() as session:
                checked = self._check_version(session, dict(data), pk=pk)
                return self.clean(session, checked, pk=pk)

        return await anyio.to_thread.run_sync(clean)

    def _check_version(
        self, session: Session, data: dict[str, Any], *, pk: str | None
    ) -> dict[str, Any]:
        if not self.versioned:
            return data
        seen = seen_version(data)
        if pk is None:
            return data
        version_column: Any = sa_inspect(self.model).version_id_col
        current = session.scalar(self._stmt_by_identifier(pk).with_only_columns(version_column))
        if current is not None and seen != current:
            noun = self.name.lower()
            raise stale_edit(
                session, target=self.identity, noun=noun, pk=pk, seen=seen, current=current
            )
        data["_expected_version"] = current
        return data

    @asynccontextmanager
    async def _readable_errors(self, request: Request) -> AsyncIterator[None]:
        # SQLAdmin shows str(exc) above the form; the field messages go under their fields.
        try:
            yield
        except IntegrityError as exc:
            translated = translate_integrity_error(
                exc,
                table=sa_inspect(self.model).local_table,
                field_messages=self.integrity_messages,
            )
            remember_field_errors(request, translated)
            raise translated from exc
        except FormErrors as exc:
            remember_field_errors(request, exc)
            raise
        except StaleEdit as exc:
            remember_current_version(request, exc.current_version)
            raise
        except outage.UNAVAILABLE:
            outage.note_unavailable(request)  # a 503 (try again), not "the database refused"
            raise
        except StaleDataError as exc:
            raise ActionRefused(
                f"Nothing was saved: someone else saved this {self.name.lower()} at the same "
                "moment. Reload the page to see their change."
            ) from exc
        except SQLAlchemyError as exc:
            raise ActionRefused(DATABASE_REFUSED) from exc


def page_by_ids(stmt: Select[Any], pk: Any) -> Select[Any]:
    """The same page of `stmt` (filters, joins, order, LIMIT/OFFSET), found as ids first: the
    database skips index entries instead of whole rows, then loads the page's rows by id."""
    page_ids = stmt.with_only_columns(pk)
    return stmt.limit(None).offset(None).where(pk.in_(page_ids))
