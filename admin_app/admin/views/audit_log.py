"""The audit log, for admins: read-only, filterable by action, model and object."""

import json
from typing import Any

from markupsafe import Markup, escape
from sqladmin.filters import StaticValuesFilter
from sqlalchemy import Select

from admin_app.admin.changelist.filters import OwnFilter
from admin_app.admin.core.formatters import TYPE_FORMATTERS
from admin_app.admin.core.strict import StrictInputView
from admin_app.admin.core.wording import AUDIT_ACTIONS, MODELS, in_words, word_choices
from admin_app.models import TARGET_ID_MAX_LENGTH, AuditEntry
from admin_app.web.edge.redirects import ADMIN_PREFIX


class ObjectFilter(OwnFilter):
    """The history of one object: `?target=event&target_id=5` (linked from detail pages)."""

    template = "filters/object_filter.html"
    parameter_name = "target_id"
    title = "Object"

    async def get_filtered_query(self, query: Select[Any], value: Any, model: Any) -> Select[Any]:
        return (
            query.where(AuditEntry.target_id == str(value)[:TARGET_ID_MAX_LENGTH])
            if value
            else query
        )


def changes_table(model: Any, _attribute: Any) -> Markup:
    changes = model.changes or {}
    rows = "".join(
        Markup("<tr><th>{}</th><td>{}</td></tr>").format(name, _shown(value))
        for name, value in changes.items()
    )
    return Markup('<table class="table table-sm mb-0">{}</table>').format(Markup(rows))


def _shown(value: Any) -> Markup:
    if isinstance(value, list) and len(value) == 2:
        before, after = (escape(json.dumps(v, ensure_ascii=False)) for v in value)
        return Markup("{} &rarr; {}").format(before, after)
    return escape(json.dumps(value, ensure_ascii=False))


def code_in_words(model: Any, attribute: Any) -> str:
    return in_words(getattr(model, str(attribute)))


def change_set_link(model: Any, _attribute: Any) -> Markup:
    # The entry's change set, where its other rows are and where it is undone.
    if model.change_set_id is None:
        return Markup("")
    url = f"{ADMIN_PREFIX}/change-set/details/{model.change_set_id}"
    return Markup('<a href="{}">#{}</a>').format(url, model.change_set_id)


class AuditLogAdmin(StrictInputView, model=AuditEntry):
    # Identity
    name = "Audit entry"
    name_plural = "Audit log"
    icon = "fa-solid fa-clock-rotate-left"

    # List
    column_list = [
        AuditEntry.id,
        AuditEntry.change_set_id,
        AuditEntry.at,
        AuditEntry.staff_email,
        AuditEntry.client,
        AuditEntry.action,
        AuditEntry.target,
        AuditEntry.target_id,
        AuditEntry.summary,
    ]
    column_labels = {
        AuditEntry.id: "ID",
        AuditEntry.change_set_id: "Change set",
        AuditEntry.at: "When (UTC)",
        AuditEntry.staff_email: "Staff",
        AuditEntry.client: "Address",
        AuditEntry.action: "Action",
        AuditEntry.target: "Model",
        AuditEntry.target_id: "Object",
        AuditEntry.summary: "Summary",
        AuditEntry.changes: "Changes",
        AuditEntry.version: "Version",
    }
    column_searchable_list = [AuditEntry.summary, AuditEntry.staff_email]
    column_sortable_list = [AuditEntry.id, AuditEntry.at]
    column_default_sort = [(AuditEntry.id, True)]
    column_filters = [
        StaticValuesFilter(AuditEntry.action, word_choices(AUDIT_ACTIONS), title="Action"),
        StaticValuesFilter(AuditEntry.target, word_choices(MODELS), title="Model"),
        ObjectFilter(),
    ]
    column_type_formatters = TYPE_FORMATTERS
    page_size = 50
    page_size_options = [50, 100]

    # Details
    column_details_list = [*column_list, AuditEntry.version, AuditEntry.changes]
    column_formatters = {
        AuditEntry.change_set_id: change_set_link,
        AuditEntry.action: code_in_words,
        AuditEntry.target: code_in_words,
    }
    column_formatters_detail = {
        AuditEntry.changes: changes_table,
        AuditEntry.change_set_id: change_set_link,
        AuditEntry.action: code_in_words,
        AuditEntry.target: code_in_words,
    }

    # Permissions: the trail is evidence; nobody edits or deletes it from the panel.
    can_create = False
    can_edit = False
    can_delete = False
    can_export = False
