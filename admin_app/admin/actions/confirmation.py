"""The bulk confirmation page (what will happen, to how many rows) and the POST that does it."""

from collections.abc import Awaitable, Callable
from typing import Any

import anyio.to_thread
from sqladmin.authorization import custom_action
from sqladmin.templating import Jinja2Templates
from sqlalchemy import Select, select
from sqlalchemy.orm import Session
from starlette.datastructures import URL, QueryParams
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from admin_app.admin.actions import batch, delete
from admin_app.admin.actions.batch import BatchChanges, BatchInputError
from admin_app.admin.changelist.filters import chosen, joined_multiples
from admin_app.admin.changelist.selection import SCOPE, WHOLE_FILTER, Selection, count_rows
from admin_app.admin.core.bulk_kinds import BATCH_EDIT, BULK_KINDS, SET_STATUS
from admin_app.admin.core.errors import ActionRefused, refuse_on_list
from admin_app.admin.core.formatters import STATUS_CHOICES
from admin_app.admin.core.wording import counted
from admin_app.admin.forms.feedback import flash
from admin_app.admin.views.base import PanelModelView
from admin_app.models import SocialStatus
from admin_app.web.form_bodies import text_form

TEMPLATE = "bulk_confirm.html"
CHOOSE_TEMPLATE = "bulk_choose.html"
CASCADE = "delete-cascade"
RESTORABLE = "They can be restored from Recently deleted."
# Rows the confirmation page names, as a sample of what will change.
SAMPLE_SIZE = 10
UNDOABLE = "Undo it from its change set."


def _list_url(request: Request, view: PanelModelView, selection: Selection) -> URL:
    url = URL(str(request.url_for("admin:list", identity=view.identity)))
    return url.replace(query=selection.filter_query_string())


async def confirm_page(
    request: Request,
    view: PanelModelView,
    kind: str,
    *,
    templates: Jinja2Templates,
    retention_days: int,
    background_past: int,
    params: QueryParams | None = None,
    error: str | None = None,
) -> Response:
    """The page that says what will happen, to how many rows; `error` (with the typed `params`)
    when a batch edit's form could not be applied."""
    params = request.query_params if params is None else params
    if not (params.get(SCOPE) or params.get("pks")):
        return await _choose_page(request, view, kind, params, templates=templates)
    selection = Selection.from_params(params)
    ids = await selection.ids_query(view)
    everything = await Selection(
        pks=[], list_params=selection.list_params, whole_filter=True
    ).ids_query(view)
    facts = await anyio.to_thread.run_sync(_facts, view, ids, everything, kind)
    context = {
        "model_view": view,
        "kind": kind,
        "selection": selection,
        "typed": params,
        "error": error,
        "list_url": _list_url(request, view, selection),
        "can_cascade": view.has_permission(request, custom_action(CASCADE)),
        "statuses": STATUS_CHOICES,
        "title": f"{view.name_plural}: confirm",
        "filter_in_words": in_words(view, selection.list_params),
        "retention_days": retention_days,
        # A whole filter of more rows runs as a background job (write_jobs.py): the page says so.
        "background_past": background_past,
        **facts,
    }
    status_code = 400 if error else 200
    return await templates.TemplateResponse(request, TEMPLATE, context, status_code=status_code)


async def _choose_page(
    request: Request,
    view: PanelModelView,
    kind: str,
    params: QueryParams,
    *,
    templates: Jinja2Templates,
) -> Response:
    """Nothing ticked: ask which rows, the ticked ones or all the list matches (explicitly)."""
    everything = Selection.whole_filter_of(params)
    ids = await everything.ids_query(view)

    def count() -> int:
        with view.session_maker() as session:
            return count_rows(session, ids)

    whole_filter = request.url.include_query_params(**{SCOPE: WHOLE_FILTER})
    context = {
        "model_view": view,
        "action_label": BULK_KINDS[kind].label,
        "matching_count": await anyio.to_thread.run_sync(count),
        "list_url": _list_url(request, view, everything),
        "whole_filter_url": str(whole_filter),
        "title": f"{view.name_plural}: choose rows",
    }
    return await templates.TemplateResponse(request, CHOOSE_TEMPLATE, context)


def _sample(session: Session, view: PanelModelView, ids: Select[Any]) -> list[Any]:
    """The first rows of the selection, by id, as they are now: what the page names."""
    pk = view.pk_columns[0]
    chosen: Select[Any] = select(view.model).where(pk.in_(ids)).order_by(pk).limit(SAMPLE_SIZE)
    return list(session.scalars(chosen))


def in_words(view: PanelModelView, params: QueryParams) -> str:
    """The list's filter as staff read it: "search “jazz”, social status private, from date
    2026-12-01" (the filters' own titles); empty for the whole list."""
    parts = [f"search “{term}”"] if (term := params.get("search")) else []
    params = joined_multiples(params, view.get_filters())
    for list_filter in view.get_filters():
        if value := params.get(list_filter.parameter_name):
            shown = " or ".join(chosen(value)) if getattr(list_filter, "multiple", False) else value
            parts.append(f"{str(list_filter.title).lower()} {shown}")
    return ", ".join(parts)


def _facts(
    view: PanelModelView, ids: Select[Any], everything: Select[Any], kind: str
) -> dict[str, Any]:
    with view.session_maker() as session:
        deleting = kind == "delete"
        return {
            "count": count_rows(session, ids),
            "matching_count": count_rows(session, everything),
            "blocker": view.delete_blocker(session, ids) if deleting else None,
            "dependents": view.dependents(session, ids) if deleting else None,
            "sample": _sample(session, view, ids),
        }


async def perform(
    request: Request,
    view: PanelModelView,
    kind: str,
    *,
    templates: Jinja2Templates,
    retention_days: int,
    background_past: int,
    large: "LargeWork",
) -> Response:
    """The change itself; `large` may start it as a background job instead (write_jobs.py),
    once the form is known to be good."""
    form = await text_form(request)
    params = QueryParams([(k, v) for k, v in form.multi_items() if isinstance(v, str)])
    selection = Selection.from_params(params)
    if params.get("cascade") == "yes" and not view.has_permission(request, custom_action(CASCADE)):
        raise HTTPException(status_code=403)
    ids = await selection.ids_query(view)
    back = _list_url(request, view, selection)
    try:
        await anyio.to_thread.run_sync(_changes, view, kind, params)
        if (started := await large(request, selection, ids, params)) is not None:
            return started
        message = await anyio.to_thread.run_sync(apply, view, ids, selection, kind, params)
    except BatchInputError as wrong:
        return await confirm_page(
            request,
            view,
            kind,
            templates=templates,
            retention_days=retention_days,
            background_past=background_past,
            params=params,
            error=str(wrong),
        )
    except ActionRefused as refusal:
        refuse_on_list(request, refusal)
        return RedirectResponse(back, status_code=303)
    flash(request, message, category="success")
    return RedirectResponse(back, status_code=303)


# What may take the work to the background instead (write_jobs.bulk_starter): its page, or None.
LargeWork = Callable[[Request, Selection, Select[Any], QueryParams], Awaitable[Response | None]]


def _status(params: QueryParams) -> SocialStatus:
    try:
        return SocialStatus(params.get("status", ""))
    except ValueError as exc:
        raise HTTPException(status_code=400, detail="Choose public or private.") from exc


def _changes(view: PanelModelView, kind: str, params: QueryParams) -> BatchChanges | None:
    """What a set-status or batch edit changes (BatchInputError, or a 400, when the form is
    wrong); None for a delete."""
    if kind == SET_STATUS.slug:
        return BatchChanges(status=_status(params))
    if kind == BATCH_EDIT.slug:
        with view.session_maker() as lookup:
            return batch.parse_changes(lookup, params)
    return None


def apply(
    view: PanelModelView, ids: Select[Any], selection: Selection, kind: str, params: QueryParams
) -> str:
    """The bulk work of `kind` on the selection, in one transaction; the message for staff. The
    request runs it, or a worker for a large selection (write_jobs.py)."""
    changes = _changes(view, kind, params)
    reason = params.get("reason")
    with view.session_maker() as session:
        if changes is not None:
            code = "set_status" if kind == SET_STATUS.slug else "batch_edit"
            changed = batch.apply(session, ids, selection, changes, kind=code, reason=reason)
            return f"{batch.summary(changed, changes)}. {UNDOABLE}"
        cascade = params.get("cascade") == "yes"
        deleted = delete.delete_selection(
            view, session, ids, selection, cascade=cascade, reason=reason
        )
        return f"Deleted {counted(deleted, view)}. {RESTORABLE}"
