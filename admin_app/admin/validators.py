"""WTForms filters and validators shared by the panel's forms."""

from enum import Enum
from typing import Any

from wtforms import Field, ValidationError

from admin_app.emails import InvalidEmailError, clean_email


def strip_text(value: Any) -> Any:
    """Trim surrounding whitespace so `"  "` counts as empty for required fields.

    Anything that is not text (a file smuggled into a multipart form) counts as empty too.
    """
    if value is None or isinstance(value, str):
        # NUL cannot be stored by PostgreSQL and is never meant: drop it.
        return value.replace("\x00", "").strip() if value else value
    return ""


def valid_email(_form: Any, field: Field) -> None:
    """Reject what is not an address and store the canonical (trimmed, case-folded) form."""
    try:
        field.data = clean_email(field.data or "")
    except InvalidEmailError as exc:
        raise ValidationError(str(exc)) from exc


def enum_value(value: Any) -> str:
    """Coerce for enum select fields: SQLAdmin's default uses the member *name* (PUBLIC),
    while the choices are the stored values (public)."""
    return str(value.value) if isinstance(value, Enum) else str(value)
