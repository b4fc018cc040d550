"""What a re-shown form learns from a refused save (a Jinja global used by create/edit)."""

from typing import Any

from starlette.requests import Request

from admin_app.admin.errors import attach_field_errors
from admin_app.admin.versioning import refresh_form_version


def save_feedback(form: Any, request: Request) -> str:
    attach_field_errors(form, request)
    refresh_form_version(form, request)
    return ""
