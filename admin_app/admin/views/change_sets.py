"""Change sets, for editors and admins: each staff operation with its rows, and its undo page."""

from typing import Any

import anyio.to_thread
from sqladmin.authorization import custom_action
from sqladmin.filters import StaticValuesFilter
from sqladmin.templating import Jinja2Templates
from sqlalchemy import Select, select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from admin_app.admin.actions import write_jobs
from admin_app.admin.core.errors import ActionRefused, refusing
from admin_app.admin.core.formatters import TYPE_FORMATTERS
from admin_app.admin.core.ids import parse_id
from admin_app.admin.core.strict import StrictInputView
from admin_app.admin.core.wording import CHANGE_SET_KINDS, MODELS, word_choices
from admin_app.admin.forms.feedback import flash
from admin_app.admin.site.roles import DATA_TARGETS, acting, is_admin
from admin_app.admin.views.audit_log import code_in_words
from admin_app.history import images, undo
from admin_app.history.refusals import Refusal, not_theirs
from admin_app.jobs.queue import JobQueue
from admin_app.models import AuditEntry, ChangeSet
from admin_app.web.form_bodies import text_form

UNDO_TEMPLATE = "change_set_undo.html"
ADMINS_ONLY = "(shown to admins only)"
UNDO = custom_action("undo")
# Entries listed on a change set's page; the rest are in the audit log, filtered by it.
ENTRIES_SHOWN = 50


class ChangeSetAdmin(StrictInputView, model=ChangeSet):
    # Identity
    name = "Change set"
    name_plural = "Change sets"
    icon = "fa-solid fa-layer-group"
    identity = "change-set"

    # List
    column_list = [
        ChangeSet.id,
        ChangeSet.at,
        ChangeSet.staff_email,
        ChangeSet.kind,
        ChangeSet.target,
        ChangeSet.row_count,
        ChangeSet.reason,
        ChangeSet.undone_by,
    ]
    column_labels = {
        ChangeSet.id: "ID",
        ChangeSet.at: "When (UTC)",
        ChangeSet.staff_email: "Staff",
        ChangeSet.client: "Address",
        ChangeSet.kind: "What",
        ChangeSet.target: "Model",
        ChangeSet.row_count: "Rows",
        ChangeSet.reason: "Reason",
        ChangeSet.undone_by: "Undone by",
        ChangeSet.undo_of: "Undoes",
    }
    column_searchable_list = [ChangeSet.staff_email, ChangeSet.reason]
    column_sortable_list = [ChangeSet.id, ChangeSet.at, ChangeSet.row_count]
    column_default_sort = [(ChangeSet.id, True)]
    column_filters = [
        StaticValuesFilter(ChangeSet.kind, word_choices(CHANGE_SET_KINDS), title="What"),
        StaticValuesFilter(ChangeSet.target, word_choices(MODELS), title="Model"),
    ]
    column_type_formatters = TYPE_FORMATTERS
    column_formatters = {ChangeSet.kind: code_in_words, ChangeSet.target: code_in_words}
    column_formatters_detail = column_formatters
    page_size = 50
    page_size_options = [50, 100]

    # Details: the change set's entries, and the way to undo it.
    column_details_list = [*column_list, ChangeSet.client, ChangeSet.undo_of]
    details_template = "change_set_details.html"

    # Permissions: the record of what was done is never edited; undoing is a new change set.
    can_create = False
    can_edit = False
    can_delete = False
    can_export = False

    # Non-admins see change sets of users and events only (roles.DATA_TARGETS): the rest are
    # staff accounts and saved views, the audit log's to show. The list's count reads the same
    # statement; a details page of another kind is a 404.
    def list_query(self, request: Request) -> Select[Any]:
        return _readable(request, super().list_query(request), ChangeSet.target)

    def details_query(self, request: Request) -> Select[Any]:
        return _readable(request, super().details_query(request), ChangeSet.target)

    async def get_detail_value(
        self, obj: Any, prop: str, request: Request | None = None
    ) -> tuple[Any, Any]:
        # The address a change was made from is the admins' (as in the audit log).
        if prop == "client" and not (request is not None and is_admin(request)):
            return None, ADMINS_ONLY
        value: tuple[Any, Any] = await super().get_detail_value(obj, prop, request)
        return value

    async def details_context(self, request: Request) -> dict[str, Any]:
        change_set_id = parse_id(request.path_params["pk"]) or -1
        entries = await self.run_query(
            _readable(request, select(AuditEntry), AuditEntry.target)
            .where(AuditEntry.change_set_id == change_set_id)
            .order_by(AuditEntry.id)
            .limit(ENTRIES_SHOWN)
        )
        return {
            "entries": entries,
            "can_undo": self.has_permission(request, UNDO),
            "can_read_audit_log": is_admin(request),
        }


def _readable(request: Request, statement: Select[Any], target: Any) -> Select[Any]:
    return statement if is_admin(request) else statement.where(target.in_(DATA_TARGETS))


def may_undo(request: Request, change_set: ChangeSet) -> str | None:
    """Why this staff member may not undo this change set, or None when they may."""
    return not_theirs(change_set, acting(request), verb="undo")


def _found(request: Request, change_set: ChangeSet | None) -> ChangeSet:
    # A change set this staff member may not read is not there for them (as its details page).
    if change_set is None or not (is_admin(request) or change_set.target in DATA_TARGETS):
        raise HTTPException(status_code=404)
    return change_set


async def undo_page(
    view: ChangeSetAdmin,
    request: Request,
    *,
    templates: Jinja2Templates,
    jobs: JobQueue,
    threshold: int,
) -> Response:
    """GET: what undoing would do, with the rows changed since; POST: the undo itself (in the
    background for a change set of more than `threshold` rows)."""
    if not (view.is_accessible(request) and view.has_permission(request, UNDO)):
        raise HTTPException(status_code=403)
    change_set_id = parse_id(request.path_params["pk"])
    if change_set_id is None:
        raise HTTPException(status_code=404)
    error = None
    if request.method == "POST":
        form = await text_form(request)
        try:
            with refusing("Nothing was undone."):
                large = await anyio.to_thread.run_sync(
                    _large, view, request, change_set_id, threshold
                )
                if large is not None:
                    return await write_jobs.start(
                        request,
                        jobs,
                        kind=write_jobs.UNDO,
                        params={
                            "change_set": change_set_id,
                            "accept_conflicts": form.get("accept_conflicts") == "yes",
                            "reason": str(form.get("reason", "")),
                        },
                        total=large,
                        title=f"undo of change set #{change_set_id} ({large:,} rows)",
                        key=str(form.get("idempotency_key", "")),
                    )
                new_id, rows = await anyio.to_thread.run_sync(
                    _undo,
                    view,
                    request,
                    change_set_id,
                    form.get("accept_conflicts") == "yes",
                    str(form.get("reason", "")),
                )
        except ActionRefused as refusal:
            error = str(refusal)
        else:
            flash(
                request,
                f"Undid change set #{change_set_id}: {rows} rows. The undo is change set "
                f"#{new_id}, and can be undone in turn.",
                category="success",
            )
            url = request.url_for("admin:details", identity=view.identity, pk=new_id)
            return RedirectResponse(url, status_code=303)
    found = await anyio.to_thread.run_sync(_plan, view, change_set_id)
    _found(request, found.change_set if found else None)
    assert found is not None, "_found answers 404 without a plan"
    context = {
        "model_view": view,
        "plan": found,
        "error": error,
        "forbidden": may_undo(request, found.change_set),
        "background_past": threshold,
        "title": f"Undo change set #{change_set_id}",
    }
    status = 409 if error else 200
    return await templates.TemplateResponse(request, UNDO_TEMPLATE, context, status_code=status)


def _plan(view: ChangeSetAdmin, change_set_id: int) -> undo.UndoPlan | None:
    with view.session_maker() as session:
        images.unpack_for_reading(session)
        return undo.plan(session, change_set_id)


def _large(
    view: ChangeSetAdmin, request: Request, change_set_id: int, threshold: int
) -> int | None:
    """The change set's rows when it is too large to undo in the request, or None; refuses (a
    404, or Refusal) as the undo itself would, before any job is asked for."""
    with view.session_maker() as session:
        change_set = session.get(ChangeSet, change_set_id)
        if change_set is None or change_set.row_count <= threshold:
            return None
        _found(request, change_set)
        if forbidden := may_undo(request, change_set):
            raise Refusal(forbidden)
        return int(change_set.row_count)


def _undo(
    view: ChangeSetAdmin, request: Request, change_set_id: int, accept: bool, reason: str
) -> tuple[int, int]:
    with view.session_maker() as session, session.begin():
        change_set = _found(request, session.get(ChangeSet, change_set_id))
        if forbidden := may_undo(request, change_set):
            raise Refusal(forbidden)
        return undo.undo(
            session, change_set_id=change_set_id, accept_conflicts=accept, reason=reason
        )
