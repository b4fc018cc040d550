"""The Users pages: who organizes events."""

from typing import Any

from sqladmin import action
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, undefer
from starlette.requests import Request
from starlette.responses import Response
from wtforms.validators import InputRequired, Length

from admin_app import audit
from admin_app.admin.base import PanelModelView
from admin_app.admin.bulk import Dependents
from admin_app.admin.ids import parse_id
from admin_app.admin.paging import AnySelect
from admin_app.admin.validators import strip_text, valid_email
from admin_app.history import images
from admin_app.models import EMAIL_MAX_LENGTH, Event, User

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

    # Details
    column_details_list = [User.id, User.email, User.event_count, User.created_at, User.updated_at]
    details_template = "user_details.html"

    # Form: the events side is edited from each event, never as a giant multi-select here.
    form_columns = [User.email]
    form_args = {
        "email": {
            "label": "Email",
            "filters": [strip_text],
            "validators": [InputRequired(), Length(max=EMAIL_MAX_LENGTH), valid_email],
        }
    }
    integrity_messages = {"email": "A user with this email already exists."}

    # Bulk actions (a confirmation page shows counts and what goes with them)
    bulk_actions = frozenset({"review-delete"})

    @action("review-delete", label="Delete with preview…", add_in_detail=False)
    async def review_delete(self, request: Request) -> Response:
        return self.to_bulk_page(request, "delete")

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
        stmt = (
            select(Event)
            .where(Event.organizer_id == user_id)
            .order_by(Event.date_of.desc(), Event.id.desc())
            .limit(DETAIL_EVENTS_SHOWN)
        )
        return {"organized_events": await self.run_query(stmt)}

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
