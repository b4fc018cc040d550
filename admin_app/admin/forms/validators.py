"""WTForms filters and validators shared by the panel's forms."""

from datetime import date
from enum import Enum
from typing import Any

from wtforms import Field, ValidationError

from admin_app.emails import InvalidEmailError, clean_email
from admin_app.models import EARLIEST_EVENT_DATE, EMAIL_MAX_LENGTH, LATEST_EVENT_DATE

DATE_RANGE_TEXT = f"between {EARLIEST_EVENT_DATE.isoformat()} and {LATEST_EVENT_DATE.isoformat()}"


def strip_text(value: Any) -> Any:
    """Trim surrounding whitespace so `"  "` counts as empty for required fields.

    Anything that is not text (a file smuggled into a multipart form) counts as empty too.
    """
    if value is None or isinstance(value, str):
        # NUL cannot be stored by PostgreSQL and is never meant: drop it.
        return value.replace("\x00", "").strip() if value else value
    return ""


def valid_email(_form: Any, field: Field) -> None:
    """Reject what is not an address and store the canonical (trimmed, case-folded) form. An
    address longer than the column is the column's Length validator's to refuse (one message)."""
    if len(field.data or "") > EMAIL_MAX_LENGTH:
        return
    try:
        field.data = clean_email(field.data or "")
    except InvalidEmailError as exc:
        raise ValidationError(str(exc)) from exc


def enum_value(value: Any) -> str:
    """Coerce for enum select fields: SQLAdmin's default uses the member *name* (PUBLIC),
    while the choices are the stored values (public)."""
    return str(value.value) if isinstance(value, Enum) else str(value)


def date_problem(value: date) -> str | None:
    """Why an event may not have this date (the one rule every write path asks), or None."""
    if EARLIEST_EVENT_DATE <= value <= LATEST_EVENT_DATE:
        return None
    return f"Choose a date {DATE_RANGE_TEXT}."


def date_in_range(_form: Any, field: Field) -> None:
    """The form and cell check of `date_problem` (an empty field is InputRequired's to refuse)."""
    if isinstance(field.data, date) and (problem := date_problem(field.data)):
        raise ValidationError(problem)
