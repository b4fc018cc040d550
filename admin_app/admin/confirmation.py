"""The bulk confirmation page (what will happen, to how many rows) and the POST that does it."""

from typing import Any

import anyio.to_thread
from sqladmin.authorization import custom_action
from sqladmin.templating import Jinja2Templates
from sqlalchemy import Select
from starlette.datastructures import URL, QueryParams
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from admin_app.admin import bulk
from admin_app.admin.base import PanelModelView
from admin_app.admin.errors import ActionRefused, refuse_on_list
from admin_app.admin.feedback import flash
from admin_app.admin.formatters import STATUS_CHOICES
from admin_app.admin.selection import Selection, count_rows
from admin_app.admin.wording import counted
from admin_app.models import SocialStatus
from admin_app.web.form_bodies import text_form

TEMPLATE = "bulk_confirm.html"
# Bulk kind -> the custom action (grant) that allows it.
KINDS = {"delete": "review-delete", "set-status": "set-status"}
CASCADE = "delete-cascade"
RESTORABLE = "They can be restored from Recently deleted."


def checked_view(view: object, request: Request) -> tuple[PanelModelView, str]:
    """The view and bulk kind of this request, when the staff member may use them (404, 403)."""
    kind = request.path_params["kind"]
    if not isinstance(view, PanelModelView) or KINDS.get(kind) not in view.bulk_actions:
        raise HTTPException(status_code=404)
    allowed = view.is_accessible(request) and view.has_permission(
        request, custom_action(KINDS[kind])
    )
    if not allowed:
        raise HTTPException(status_code=403)
    return view, kind


def _list_url(request: Request, view: PanelModelView, selection: Selection) -> URL:
    url = URL(str(request.url_for("admin:list", identity=view.identity)))
    return url.replace(query=selection.filter_query_string())


async def confirm_page(
    request: Request, view: PanelModelView, kind: str, *, templates: Jinja2Templates
) -> Response:
    selection = Selection.from_params(request.query_params)
    ids = await selection.ids_query(view)
    everything = await Selection(
        pks=[], list_params=selection.list_params, whole_filter=True
    ).ids_query(view)
    facts = await anyio.to_thread.run_sync(_facts, view, ids, everything)
    context = {
        "model_view": view,
        "kind": kind,
        "selection": selection,
        "list_url": _list_url(request, view, selection),
        "can_cascade": view.has_permission(request, custom_action(CASCADE)),
        "statuses": STATUS_CHOICES,
        "title": f"{view.name_plural}: confirm",
        **facts,
    }
    return await templates.TemplateResponse(request, TEMPLATE, context)


def _facts(view: PanelModelView, ids: Select[Any], everything: Select[Any]) -> dict[str, Any]:
    with view.session_maker() as session:
        return {
            "count": count_rows(session, ids),
            "matching_count": count_rows(session, everything),
            "blocker": view.delete_blocker(session, ids),
            "dependents": view.dependents(session, ids),
        }


async def perform(request: Request, view: PanelModelView, kind: str) -> Response:
    form = await text_form(request)
    params = QueryParams([(k, v) for k, v in form.multi_items() if isinstance(v, str)])
    selection = Selection.from_params(params)
    cascade = params.get("cascade") == "yes"
    if cascade and not view.has_permission(request, custom_action(CASCADE)):
        raise HTTPException(status_code=403)
    status = _status(params) if kind == "set-status" else None
    ids = await selection.ids_query(view)
    back = _list_url(request, view, selection)
    reason = params.get("reason")
    try:
        message = await anyio.to_thread.run_sync(
            _run, view, ids, selection, cascade, status, reason
        )
    except ActionRefused as refusal:
        refuse_on_list(request, refusal)
        return RedirectResponse(back, status_code=303)
    view.forget_counts()
    flash(request, message, category="success")
    return RedirectResponse(back, status_code=303)


def _status(params: QueryParams) -> SocialStatus:
    try:
        return SocialStatus(params.get("status", ""))
    except ValueError as exc:
        raise HTTPException(status_code=400, detail="Choose public or private.") from exc


def _run(
    view: PanelModelView,
    ids: Select[Any],
    selection: Selection,
    cascade: bool,
    status: SocialStatus | None,
    reason: str | None,
) -> str:
    with view.session_maker() as session:
        if status is not None:
            changed = bulk.set_status(session, ids, selection, status, reason)
            return f"{bulk.status_set(changed, status)}. Undo it from its change set."
        deleted = bulk.delete_selection(
            view, session, ids, selection, cascade=cascade, reason=reason
        )
        return f"Deleted {counted(deleted, view)}. {RESTORABLE}"
