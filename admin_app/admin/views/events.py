"""The Events pages: what happens when, public or private, and who organizes it."""

from datetime import date
from typing import Any

from sqladmin import action
from sqlalchemy import Select
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response
from wtforms.validators import DataRequired, InputRequired

from admin_app.admin.changelist.facets import MonthFacet, OrganizerFacet, StatusFacet
from admin_app.admin.changelist.filters import DateBoundFilter, OrganizerFilter, SocialStatusFilter
from admin_app.admin.changelist.paging import AnySelect
from admin_app.admin.core.bulk_kinds import BATCH_EDIT, DELETE, SET_STATUS
from admin_app.admin.core.errors import FormErrors
from admin_app.admin.core.formatters import STATUS_CHOICES, status_badge, unbroken_date
from admin_app.admin.forms.pickers import PickerWidget, find_organizer
from admin_app.admin.forms.validators import date_in_range, enum_value, strip_text
from admin_app.admin.views.base import PanelModelView
from admin_app.models import Event, SocialStatus, User

ORGANIZER_MISSING = "Choose an organizer from the suggestions (type part of their email)."


class EventAdmin(PanelModelView, model=Event):
    # Identity
    name = "Event"
    name_plural = "Events"
    icon = "fa-solid fa-calendar-days"

    # List
    column_list = [Event.id, Event.title, Event.date_of, Event.social_status, Event.organizer]
    column_labels = {
        Event.id: "ID",
        Event.title: "Title",
        Event.date_of: "Date",
        Event.social_status: "Social status",
        Event.organizer: "Organizer",
        Event.created_at: "Created",
        Event.updated_at: "Updated",
    }
    column_searchable_list = [Event.title]
    column_sortable_list = [Event.id, Event.title, Event.date_of, Event.social_status]
    column_default_sort = [(Event.date_of, True)]
    column_filters = [
        SocialStatusFilter(),
        DateBoundFilter(parameter_name="date_from", title="From date", on_or_after=True),
        DateBoundFilter(parameter_name="date_to", title="To date", on_or_after=False),
        OrganizerFilter(),
    ]
    column_formatters = {Event.social_status: status_badge, Event.date_of: unbroken_date}
    column_editable_list = [Event.title, Event.date_of, Event.social_status]
    column_facets = [StatusFacet(), MonthFacet(), OrganizerFacet()]

    # Details
    column_details_list = [
        Event.id,
        Event.title,
        Event.date_of,
        Event.social_status,
        Event.organizer,
        Event.created_at,
        Event.updated_at,
    ]
    column_formatters_detail = {Event.social_status: status_badge}
    details_template = "details_with_history.html"

    # Form
    form_columns = [Event.title, Event.date_of, Event.social_status, Event.organizer]
    form_args = {
        "title": {
            "label": "Title",
            "filters": [strip_text],
            "validators": [DataRequired()],  # and the column's length (SQLAdmin adds it)
        },
        "date_of": {"label": "Date", "default": date.today, "validators": [date_in_range]},
        "social_status": {
            "label": "Social status",
            "default": SocialStatus.PUBLIC.value,
            "coerce": enum_value,
            # The column default would otherwise fill a missing value: a scripted edit that
            # leaves the field out must not quietly make a private event public.
            "validators": [InputRequired()],
        },
        "organizer": {
            "label": "Organizer",
            "widget": PickerWidget(),
            # Marks the field required (label and attribute); clean() finds the user.
            "validators": [InputRequired(message=ORGANIZER_MISSING)],
        },
    }
    choice_labels = {"social_status": STATUS_CHOICES}
    form_ajax_refs = {
        "organizer": {"fields": ("email",), "order_by": "email", "limit": 10},
    }
    integrity_messages = {"organizer_id": "The chosen organizer no longer exists."}

    # Bulk actions (a confirmation page shows counts first)
    bulk_actions = frozenset({DELETE.action, SET_STATUS.action, BATCH_EDIT.action})

    @action(DELETE.action, label="Delete with preview…", add_in_detail=False)
    async def review_delete(self, request: Request) -> Response:
        return self.to_bulk_page(request, DELETE)

    @action(SET_STATUS.action, label="Set social status…", add_in_detail=False)
    async def set_status(self, request: Request) -> Response:
        return self.to_bulk_page(request, SET_STATUS)

    @action(BATCH_EDIT.action, label="Batch edit…", add_in_detail=False)
    async def batch_edit(self, request: Request) -> Response:
        return self.to_bulk_page(request, BATCH_EDIT)

    def palette_detail(self, row: Any) -> str:
        return f"{row.date_of.isoformat()} · {str(row.social_status.value).capitalize()}"

    def export_statement(self, stmt: Select[Any]) -> AnySelect:
        return stmt.join(Event.organizer).with_only_columns(
            Event.id,
            Event.title,
            Event.date_of,
            Event.social_status,
            User.email.label("organizer"),
            Event.created_at,
            Event.updated_at,
        )

    def clean(self, session: Session, data: dict[str, Any], *, pk: str | None) -> dict[str, Any]:
        # The picker sends an id; typed without the script, an email names the user too.
        found = find_organizer(session, str(data.get("organizer") or ""))
        if found is None:
            raise FormErrors({"organizer": [ORGANIZER_MISSING]})
        return {**data, "organizer": str(found[0])}
