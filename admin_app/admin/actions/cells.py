"""Editable list cells: one field of one row saved from the list, through the edit form's own
validation, version check, audit entry and CSRF token (Django's `list_editable`, without its
last-write-wins)."""

from typing import Any

from markupsafe import escape
from starlette.datastructures import MultiDict
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from admin_app.admin.core.errors import ActionRefused, FormErrors
from admin_app.admin.forms.versioning import VERSION_FIELD, StaleEdit
from admin_app.admin.views.base import PanelModelView
from admin_app.web.form_bodies import text_form

CONFLICT = 409


async def save_cell(view: PanelModelView, request: Request, denormalize: Any) -> JSONResponse:
    """Save `value` into `field` of the row, if the row is still at `version`.

    200 with the saved cell, 400 with the field's message, 409 with the newer value and version
    (the browser keeps the typed value for a retry), 404 when the row is gone.
    """
    body = await text_form(request)
    field = str(body.get("field", ""))
    if field not in view.editable_names:
        raise HTTPException(status_code=404)
    row = await view.get_object_for_edit(request)
    if row is None:
        return _refused(404, f"This {view.name.lower()} no longer exists: someone deleted it.")
    form_class = await view.scaffold_form(view._form_edit_rules)
    form = form_class(data=await view.get_form_data_for_edit(row))
    # Every other field keeps the row's value; the cell's field and the version come from the
    # browser, through the field's own filters and validators.
    form[field].process(MultiDict([(field, str(body.get("value", "")))]))
    form[VERSION_FIELD].process(MultiDict([(VERSION_FIELD, str(body.get(VERSION_FIELD, "")))]))
    # The other fields hold the row's own values, already valid: only the cell's is checked.
    if not form[field].validate(form):
        return _refused(400, " ".join(form[field].errors))
    try:
        saved = await view.update_model(request, request.path_params["pk"], denormalize(form, row))
    except StaleEdit as stale:
        return await _conflict(view, request, field, str(stale), stale.current_version)
    except FormErrors as refused:
        messages = refused.field_errors.get(field) or [str(refused)]
        return _refused(400, " ".join(messages))
    except ActionRefused as refused:
        return _refused(CONFLICT, str(refused))
    return JSONResponse({"field": field, **await _cell(view, saved, field, request)})


async def _cell(view: PanelModelView, row: Any, field: str, request: Request) -> dict[str, Any]:
    value, shown = await view.get_list_value(row, field, request)
    raw = value.value if hasattr(value, "value") else value
    return {
        "value": "" if raw is None else str(raw),
        "html": str(escape(shown)),
        "version": row.version,
    }


async def _conflict(
    view: PanelModelView, request: Request, field: str, message: str, version: int
) -> JSONResponse:
    row = await view.get_object_for_edit(request)
    current = await _cell(view, row, field, request) if row is not None else {"version": version}
    return JSONResponse({"error": message, "current": current}, status_code=CONFLICT)


def _refused(status_code: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status_code)
