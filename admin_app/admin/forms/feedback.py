"""Feedback on the next page: what a re-shown form learns from a refused save (a Jinja global
used by create/edit), what a saved form says, and flash messages that survive each other."""

from typing import Any

from sqladmin.flash import flash as sqladmin_flash
from starlette.requests import Request

from admin_app.admin.core.errors import attach_field_errors
from admin_app.admin.forms.versioning import refresh_form_version

# Where SQLAdmin keeps the messages waiting for the next page (its flash.py).
MESSAGES = "_messages"
# Request state: the row a form saved, and whether it was new.
_SAVED_STATE = "saved_row"


def save_feedback(form: Any, request: Request) -> str:
    attach_field_errors(form, request)
    refresh_form_version(form, request)
    return ""


def flash(request: Request, message: str, category: str = "success") -> None:
    """SQLAdmin's flash, kept when another message is still waiting to be shown.

    SQLAdmin appends to the session's list in place, which Starlette's session does not notice
    as a change: a second message before the next page view was silently dropped.
    """
    sqladmin_flash(request, message, category=category)
    request.session[MESSAGES] = list(request.session.get(MESSAGES, []))


def remember_saved(request: Request, row: Any, *, created: bool) -> None:
    setattr(request.state, _SAVED_STATE, (row, created))


def say_saved(request: Request, noun: str) -> None:
    """After a form save that went through: "Created event “Jazz night”." on the next page."""
    saved = getattr(request.state, _SAVED_STATE, None)
    if saved is not None:
        row, created = saved
        flash(request, f"{'Created' if created else 'Saved'} {noun} “{row}”.", "success")
