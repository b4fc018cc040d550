"""The Users pages: who organizes events."""

from typing import Any

import anyio.to_thread
from sqladmin import action
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, undefer
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from wtforms.validators import InputRequired

from admin_app import audit
from admin_app.admin.actions.delete import Dependents
from admin_app.admin.changelist.facets import EventsPerOrganizerFacet
from admin_app.admin.changelist.filters import DateBoundFilter, HasEventsFilter, MinimumEventsFilter
from admin_app.admin.changelist.paging import AnySelect
from admin_app.admin.core.bulk_kinds import DELETE
from admin_app.admin.core.errors import ActionRefused
from admin_app.admin.core.ids import parse_id
from admin_app.admin.forms import inline_events, inline_rows
from admin_app.admin.forms.feedback import remember_saved
from admin_app.admin.forms.inline_rows import InlinePage, InlineRow
from admin_app.admin.forms.validators import strip_text, valid_email
from admin_app.admin.forms.versioning import EXPECTED_VERSION
from admin_app.admin.views.base import PanelModelView
from admin_app.history import images
from admin_app.models import Event, User
from admin_app.web.form_bodies import text_form

# Events shown on a user's page; the rest are one click away in the filtered events list.
DETAIL_EVENTS_SHOWN = 20


class UserAdmin(PanelModelView, model=User):
    # Identity
    name = "User"
    name_plural = "Users"
    icon = "fa-solid fa-user"

    # List
    column_list = [User.id, User.email, User.event_count, User.created_at]
    column_labels = {
        User.id: "ID",
        User.email: "Email",
        User.event_count: "Events organized",
        User.created_at: "Created",
        User.updated_at: "Updated",
    }
    column_searchable_list = [User.email]
    column_sortable_list = [User.id, User.email, User.created_at]
    column_default_sort = [(User.id, True)]
    column_editable_list = [User.email]
    column_filters = [
        HasEventsFilter(),
        MinimumEventsFilter(),
        DateBoundFilter(
            parameter_name="created_from",
            title="Created from",
            on_or_after=True,
            column=User.created_at,
        ),
        DateBoundFilter(
            parameter_name="created_to",
            title="Created to",
            on_or_after=False,
            column=User.created_at,
        ),
    ]
    column_facets = [EventsPerOrganizerFacet()]

    # Details
    column_details_list = [User.id, User.email, User.event_count, User.created_at, User.updated_at]
    details_template = "user_details.html"

    # Form: the user's events are edited inline, a page at a time (inline_events.py), never as
    # a giant multi-select.
    form_columns = [User.email]
    edit_template = "user_edit.html"
    form_args = {
        "email": {
            "label": "Email",
            "filters": [strip_text],
            "validators": [InputRequired(), valid_email],  # and the column's length (SQLAdmin)
        }
    }
    integrity_messages = {"email": "A user with this email already exists."}

    # Bulk actions (a confirmation page shows counts and what goes with them)
    bulk_actions = frozenset({DELETE.action})

    @action(DELETE.action, label="Delete with preview…", add_in_detail=False)
    async def review_delete(self, request: Request) -> Response:
        return self.to_bulk_page(request, DELETE)

    def export_statement(self, stmt: Select[Any]) -> AnySelect:
        return stmt.with_only_columns(
            User.id, User.email, User.event_count.expression.label("events"), User.created_at
        )

    def list_query(self, request: Request) -> Select[Any]:
        return super().list_query(request).options(undefer(User.event_count))

    def details_query(self, request: Request) -> Select[Any]:
        return super().details_query(request).options(undefer(User.event_count))

    async def details_context(self, request: Request) -> dict[str, Any]:
        # A bounded slice of the user's events, newest first: the page stays small at any size.
        pk = request.path_params["pk"]
        user_id = parse_id(pk) or -1
        stmt = inline_rows.newest_events(user_id).limit(DETAIL_EVENTS_SHOWN)
        return {"organized_events": await self.run_query(stmt)}

    async def edit_context(self, request: Request) -> dict[str, Any]:
        # The page of events the form shows; on a save, the rows as typed (kept on a refusal).
        user_id = parse_id(request.path_params["pk"]) or -1
        page = inline_rows.page_number(request.query_params)
        stored = await anyio.to_thread.run_sync(self._stored_events, user_id, page)
        if request.method != "POST":
            return {"inline": stored}
        try:
            rows = inline_rows.read_rows(await text_form(request))
        except ActionRefused as refused:
            raise HTTPException(status_code=400, detail=str(refused)) from refused
        inline_rows.remember(request.state, rows)
        return {"inline": stored if rows is None else inline_rows.typed_page(stored, rows)}

    def _stored_events(self, user_id: int, page: int) -> InlinePage:
        with self.sync_sessions() as session:
            return inline_rows.stored_page(session, user_id, page)

    async def update_model(self, request: Request, pk: str, data: dict[str, Any]) -> Any:
        # With the inline table, the user and their events are saved in one transaction here;
        # a save of the user alone (no table in the form) is SQLAdmin's.
        rows = inline_rows.remembered(request.state)
        if rows is None:
            return await super().update_model(request, pk, data)
        inline_events.refuse_rows_with_errors(rows)
        async with self._readable_errors(request):
            checked = await self._clean_in_thread(data, pk=pk)
            saved = await anyio.to_thread.run_sync(self._save_with_events, pk, checked, rows)
        remember_saved(request, saved, created=False)
        return saved

    def _save_with_events(self, pk: str, data: dict[str, Any], rows: list[InlineRow]) -> User:
        with self.sync_sessions(expire_on_commit=False) as session:
            # SQLAdmin's (private) statement for one row by its URL key, as its own save uses.
            user: User | None = session.scalars(self._stmt_by_identifier(pk)).first()
            if user is None:
                raise ActionRefused("This user no longer exists: someone deleted it.")
            expected = data.pop(EXPECTED_VERSION, None)
            if expected is not None and user.version != expected:
                raise StaleDataError(f"user {pk} changed while saving")
            user.email = data["email"]
            inline_events.apply(session, user, rows)
            session.commit()
            return user

    def dependents(self, session: Session, ids: Select[Any]) -> Dependents | None:
        total = session.scalar(select(func.count(Event.id)).where(Event.organizer_id.in_(ids)))
        if not total:
            return None
        events = func.count(Event.id)
        owners = select(User.email, events).join(Event, Event.organizer_id == User.id)
        owners = owners.where(User.id.in_(ids)).group_by(User.email)
        top = session.execute(owners.order_by(events.desc(), User.email).limit(5)).all()
        owner_count = session.scalar(
            select(func.count(func.distinct(Event.organizer_id))).where(Event.organizer_id.in_(ids))
        )
        return Dependents(
            noun="events",
            noun_one="event",
            total=total,
            top=[(email, count) for email, count in top],
            owners=owner_count or 0,
        )

    def delete_dependents(self, session: Session, ids: Select[Any]) -> int:
        # Imaged into the same change set as the users: one undo brings both back.
        return images.delete_rows(
            session,
            change_set_id=audit.change_set_of(session),
            target="event",
            ids=select(Event.id).where(Event.organizer_id.in_(ids)),
        )
