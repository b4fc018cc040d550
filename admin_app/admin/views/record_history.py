"""One record's history page: every version with who and when, two side by side, and revert."""

from typing import Any

import anyio.to_thread
from sqladmin.authorization import custom_action
from sqladmin.templating import Jinja2Templates
from starlette.datastructures import URL
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from admin_app.admin.core.errors import ActionRefused, refusing
from admin_app.admin.core.ids import parse_id
from admin_app.admin.forms.feedback import flash
from admin_app.admin.views.base import PanelModelView
from admin_app.history import images, versions
from admin_app.history.images import EDITABLE
from admin_app.history.refusals import Refusal
from admin_app.web.form_bodies import text_form

TEMPLATE = "record_history.html"
REVERT = custom_action("revert")
FIELD_LABELS = {
    "email": "Email",
    "title": "Title",
    "date_of": "Date",
    "social_status": "Social status",
    "organizer_id": "Organizer (user id)",
    "created_at": "Created",
    "updated_at": "Updated",
}


async def history_page(
    view: PanelModelView, row_id: int, request: Request, *, templates: Jinja2Templates
) -> Response:
    error = None
    if request.method == "POST":
        if not view.has_permission(request, REVERT):
            raise HTTPException(status_code=403)
        form = {key: str(value) for key, value in (await text_form(request)).items()}
        try:
            with refusing("Nothing was reverted."):
                changed = await anyio.to_thread.run_sync(_revert, view, row_id, form)
        except ActionRefused as refusal:
            error = str(refusal)
        else:
            fields = ", ".join(FIELD_LABELS[name].lower() for name in changed)
            flash(request, f"Reverted {fields} to version {form['to']}.", category="success")
            return RedirectResponse(request.url, status_code=303)
    found = await anyio.to_thread.run_sync(_history, view, row_id)
    if not found.versions:
        raise HTTPException(status_code=404)
    context = {
        "model_view": view,
        "history": found,
        "compare": _compare(found, request),
        "labels": FIELD_LABELS,
        "editable": EDITABLE[view.identity],
        "can_revert": view.has_permission(request, REVERT) and found.current is not None,
        "error": error,
        "self_url": URL(str(request.url)).remove_query_params(["a", "b"]),
        "title": f"History of {view.name.lower()} #{row_id}",
    }
    status = 409 if error else 200
    return await templates.TemplateResponse(request, TEMPLATE, context, status_code=status)


def _history(view: PanelModelView, row_id: int) -> versions.RecordHistory:
    with view.session_maker() as session:
        images.unpack_for_reading(session)
        return versions.history_of(session, target=view.identity, row_id=row_id)


def _compare(found: versions.RecordHistory, request: Request) -> dict[str, Any] | None:
    # ?a=1&b=3 compares versions 1 and 3; without them, the two newest.
    numbers = [version.number for version in found.versions]
    if len(numbers) < 2:
        return None
    first = parse_id(request.query_params.get("a", "")) or numbers[-2]
    second = parse_id(request.query_params.get("b", "")) or numbers[-1]
    a, b = found.version(first), found.version(second)
    if a is None or b is None:
        raise HTTPException(status_code=404, detail="There is no such version of this record.")
    return {"a": a, "b": b}


def _revert(view: PanelModelView, row_id: int, form: dict[str, str]) -> list[str]:
    to_version = parse_id(form.get("to", ""))
    if to_version is None:
        raise Refusal("Choose the version to revert to.")
    with view.session_maker() as session, session.begin():
        return versions.revert(
            session,
            target=view.identity,
            row_id=row_id,
            to_version=to_version,
            seen_version=parse_id(form.get("version", "")),
            field=form.get("field") or None,
            reason=form.get("reason"),
        )
