"""The panel's model view: its hooks (clean, delete rules) and saves that fail with messages.

Built from three small views over SQLAdmin's, each with one job: the list's query and paging
(changelist/paging.py, over core/strict.py: keys and search), row versions
(forms/versioning.py) and row links (changelist/links.py). What a list request shows (its
count, facets, columns and saved state) is its ChangeList (changelist/state.py).
"""

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import date
from typing import Any, ClassVar

import anyio.to_thread
from sqlalchemy import Select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError
from starlette.requests import Request
from starlette.responses import RedirectResponse
from wtforms import Form

from admin_app.admin.actions.delete import Dependents
from admin_app.admin.changelist.facets import Facet
from admin_app.admin.changelist.links import RowLinksView
from admin_app.admin.changelist.paging import AnySelect, ListQueryView
from admin_app.admin.changelist.state import ChangeList
from admin_app.admin.core.bulk_kinds import BulkKind
from admin_app.admin.core.errors import (
    DATABASE_REFUSED,
    ActionRefused,
    FormErrors,
    pop_list_refusal,
    remember_field_errors,
    translate_integrity_error,
)
from admin_app.admin.core.formatters import TYPE_FORMATTERS
from admin_app.admin.forms.feedback import remember_saved
from admin_app.admin.forms.one_read import OneReadEditView
from admin_app.admin.forms.pickers import LiteralAjaxLoader
from admin_app.admin.forms.versioning import StaleEdit, VersionedView, remember_current_version
from admin_app.db import sync_factory
from admin_app.staff.saved_views import SHARING_ROLES
from admin_app.web.auth import ROLE_STATE
from admin_app.web.serving import outage


class PanelModelView(ListQueryView, VersionedView, OneReadEditView, RowLinksView):
    """A ModelView whose saves and deletes fail with messages, never tracebacks."""

    column_type_formatters = TYPE_FORMATTERS
    # Column name -> message shown on its field when the database refuses a value.
    integrity_messages: ClassVar[dict[str, str]] = {}
    # Bulk actions offered with a confirmation page (custom action slugs).
    bulk_actions: ClassVar[frozenset[str]] = frozenset()
    # Field name -> (value, label) choices, where SQLAdmin would show an enum's raw values.
    choice_labels: ClassVar[dict[str, list[tuple[str, str]]]] = {}
    # Columns editable in place on the list (cells.py), for staff who may edit.
    column_editable_list: ClassVar[list[Any]] = []
    # How the rows a list matches split, shown beside it (changelist/facets.py).
    column_facets: ClassVar[list[Facet]] = []

    def __init__(self) -> None:
        super().__init__()
        # SQLAdmin's pickers (its private _form_ajax_refs) treat "%" and "_" typed by staff as
        # wildcards; ours find them as text.
        self._form_ajax_refs = {
            name: LiteralAjaxLoader(
                name=name, model=loader.model, model_admin=self, **self.form_ajax_refs[name]
            )
            for name, loader in self._form_ajax_refs.items()
        }

    # --- Hooks a model's view overrides ---------------------------------------------------------

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

    def palette_detail(self, row: Any) -> str:
        """A second line for the row in the global search (the row itself is its first)."""
        return ""

    def export_statement(self, stmt: Select[Any]) -> AnySelect:
        """The list query reduced to the exported columns (plain values, no ORM objects)."""
        table: Any = sa_inspect(self.model).local_table
        return stmt.with_only_columns(*table.columns)

    async def scaffold_form(self, rules: list[str] | None = None) -> type[Form]:
        form = await super().scaffold_form(rules)
        for name, choices in self.choice_labels.items():
            # SQLAdmin's enum converter sets the choices itself; the labels are replaced here.
            getattr(form, name).kwargs["choices"] = choices
        return form

    # --- Pages ----------------------------------------------------------------------------------

    @property
    def editable_names(self) -> frozenset[str]:
        """The form field names of the columns editable in place on the list."""
        return frozenset(column.key for column in self.column_editable_list)

    def cell_editor(self, name: str) -> dict[str, Any] | None:
        """How the list's script edits the cell `name` (its input kind and choices), or None."""
        if name not in self.editable_names:
            return None
        column = self._mapper.columns[name]
        if name in self.choice_labels:
            return {"kind": "select", "choices": self.choice_labels[name]}
        kind = "date" if column.type.python_type is date else "text"
        return {"kind": kind, "choices": []}

    async def list_context(self, request: Request) -> dict[str, Any]:
        changelist = ChangeList.of(self, request)
        context: dict[str, Any] = {
            "changelist": changelist,
            "shown_columns": changelist.shown_columns,
            "hidden_columns": changelist.hidden_columns,
            "saved_state": changelist.saved_state,
            "may_share_views": getattr(request.state, ROLE_STATE, None) in SHARING_ROLES,
            # Fetched after the rows (list_facets_page.html): the rows come first.
            "facets_url": changelist.facets_url if await self.check_can_list(request) else "",
        }
        # A refused delete comes back to the list with its reason (see errors.refuse_on_list).
        if message := pop_list_refusal(request):
            context["error"] = message
        return context

    async def count(self, request: Request, stmt: Select[Any] | None = None) -> int:
        # SQLAdmin's list() asks for its count here: the ChangeList's, capped and kept a minute,
        # or, on a first page not counted yet, left for later (the rows come first).
        if stmt is None:
            return int(await super().count(request, stmt))
        return await ChangeList.of(self, request).count(self._counter(request), rows_first=True)

    async def list(self, request: Request) -> Any:
        pagination = await super().list(request)
        ChangeList.of(self, request).settle(pagination)
        return pagination

    async def list_count(self, request: Request) -> int:
        """The list's count under its cap, never left for later (the count page)."""
        return await ChangeList.of(self, request).count(self._counter(request))

    def _counter(self, request: Request) -> Callable[[Select[Any]], Awaitable[int]]:
        async def run(counting: Select[Any]) -> int:
            return int(await super(PanelModelView, self).count(request, counting))

        return run

    @property
    def sync_sessions(self) -> sessionmaker[Session]:
        """The panel's session factory (it always runs on a synchronous engine)."""
        return sync_factory(self.session_maker)

    def to_bulk_page(self, request: Request, kind: BulkKind) -> RedirectResponse:
        """From the list's Actions menu to the confirmation page, keeping selection and filters."""
        url = request.url_for("admin:bulk", identity=self.identity, kind=kind.slug)
        return RedirectResponse(f"{url}?{request.url.query}", status_code=302)

    # --- Saves ----------------------------------------------------------------------------------

    async def insert_model(self, request: Request, data: dict[str, Any]) -> Any:
        async with self._readable_errors(request):
            data = await self._clean_in_thread(data, pk=None)
            created = await super().insert_model(request, data)
        return created

    async def update_model(self, request: Request, pk: str, data: dict[str, Any]) -> Any:
        async with self._readable_errors(request):
            data = await self._clean_in_thread(data, pk=pk)
            updated = await super().update_model(request, pk, data)
        return updated

    async def after_model_change(
        self, data: dict[str, Any], model: Any, is_created: bool, request: Request
    ) -> None:
        # Remembered for the form's message (PanelAdmin.create/edit); a cell answers in JSON.
        remember_saved(request, model, created=is_created)

    async def on_model_change(
        self, data: dict[str, Any], model: Any, is_created: bool, request: Request
    ) -> None:
        # SQLAdmin hands us None when the row was deleted after the form was opened.
        if model is None:
            raise ActionRefused(f"This {self.name.lower()} no longer exists: someone deleted it.")
        await super().on_model_change(data, model, is_created, request)

    async def _clean_in_thread(self, data: dict[str, Any], *, pk: str | None) -> dict[str, Any]:
        def clean() -> dict[str, Any]:
            checked = dict(data)
            with self.sync_sessions() as session:
                self.check_version(session, checked, pk=pk)
                return self.clean(session, checked, pk=pk)

        return await anyio.to_thread.run_sync(clean)

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
