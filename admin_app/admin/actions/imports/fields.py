"""What an import fills, per list: each field's name, its aliases in a header row, and its check,
which is the form's rule for that field applied to the cell's text (the Hypothesis tests in
tests/imports/test_fields.py hold the two to the same verdict)."""

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from admin_app.admin.actions.export import FORMULA_PREFIXES
from admin_app.admin.core.ids import parse_id
from admin_app.admin.forms.validators import date_problem, strip_text
from admin_app.emails import InvalidEmailError, clean_email, normalize_email
from admin_app.models import EMAIL_MAX_LENGTH, TITLE_MAX_LENGTH, SocialStatus

# The form's date field reads this format only (WTForms DateField's default).
DATE_FORMAT = "%Y-%m-%d"
STATUSES = tuple(status.value for status in SocialStatus)


class CellProblem(ValueError):
    """A cell the form would refuse; str() is the form's kind of message."""


@dataclass(frozen=True)
class ImportField:
    name: str
    label: str
    # Header texts that mean this field, compared without case, spaces, dashes or underscores.
    aliases: tuple[str, ...]
    # The cell's text -> the value stored (CellProblem when the form would refuse it).
    check: Callable[[str], Any]
    # Needed in the file to create a row (an update changes only what the file has).
    needed_to_create: bool = False
    # A column that finds the row rather than changing it.
    is_key: bool = False


def unguarded(text: str) -> str:
    """A cell as the panel's export guarded it ("'=SUM(1)") back to its text ("=SUM(1)"): an
    exported list imported again changes nothing."""
    if text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES):
        return text[1:]
    return text


def cell_text(value: Any) -> str:
    """A spreadsheet cell as the text a form would be sent: a date as 2026-05-01, a whole
    number without ".0"."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return str(value)


def check_id(text: str) -> int | None:
    if not text.strip():
        return None  # no id: a row to create
    found = parse_id(text.strip())
    if found is None:
        raise CellProblem("An id is a whole number the panel gave (or empty, to create).")
    return found


def check_email(text: str) -> str:
    # strip_text, InputRequired, the column's Length, valid_email: the user form's chain.
    value = strip_text(text)
    if not value:
        raise CellProblem("This field is required.")
    if len(value) > EMAIL_MAX_LENGTH:
        raise CellProblem(f"Field cannot be longer than {EMAIL_MAX_LENGTH} characters.")
    try:
        return clean_email(value)
    except InvalidEmailError as exc:
        raise CellProblem(str(exc)) from exc


def check_title(text: str) -> str:
    # strip_text, DataRequired, the column's Length: the event form's chain.
    value = strip_text(text)
    if not value:
        raise CellProblem("This field is required.")
    if len(value) > TITLE_MAX_LENGTH:
        raise CellProblem(f"Field cannot be longer than {TITLE_MAX_LENGTH} characters.")
    return str(value)


@functools.lru_cache(maxsize=65_536)
def check_date(text: str) -> date:
    # WTForms' DateField: the one format, nothing around it; then date_in_range. A file
    # repeats its dates, and strptime is the slowest check: the verdicts are remembered.
    try:
        if len(text) == 10 and text.isascii() and text[4] == "-" == text[7]:
            value = date.fromisoformat(text)  # what strptime reads this shape as, 20x faster
        else:
            value = datetime.strptime(text, DATE_FORMAT).date()
    except ValueError as exc:
        raise CellProblem("Not a valid date value (write it as 2026-05-31).") from exc
    if problem := date_problem(value):
        raise CellProblem(problem)
    return value


@functools.lru_cache(maxsize=65_536)
def check_date_text(text: str) -> str:
    """check_date's date as the staging table keeps it (ISO text, as both databases read it)."""
    return check_date(text).isoformat()


def check_status(text: str) -> str:
    # The select field's choices are the stored values, exactly.
    if text not in STATUSES:
        raise CellProblem(f"Not a valid choice: write {' or '.join(STATUSES)}.")
    return text


@functools.lru_cache(maxsize=65_536)
def check_organizer(text: str) -> int | str:
    """The organizer as find_organizer reads a typed value: an id, or an email (canonical)."""
    found = parse_id(text)
    if found is not None:
        return found
    if "@" in text and "\x00" not in text and len(text.strip()) <= EMAIL_MAX_LENGTH:
        return normalize_email(text)
    raise CellProblem("Name the organizer by their email or user id.")


ID = ImportField("id", "ID", ("id", "#", "userid", "eventid"), check_id, is_key=True)
FIELDS: dict[str, tuple[ImportField, ...]] = {
    "user": (
        ID,
        ImportField(
            "email",
            "Email",
            ("email", "emailaddress", "mail", "useremail"),
            check_email,
            needed_to_create=True,
        ),
    ),
    "event": (
        ID,
        ImportField("title", "Title", ("title", "name", "event", "eventtitle"), check_title, True),
        ImportField(
            "date_of", "Date", ("dateof", "date", "eventdate", "day", "when"), check_date_text, True
        ),
        ImportField(
            "social_status",
            "Social status",
            ("socialstatus", "status", "visibility"),
            check_status,
        ),
        ImportField(
            "organizer",
            "Organizer",
            (
                "organizer",
                "organiser",
                "organizeremail",
                "organiseremail",
                "organizerid",
                "organiserid",
                "organizedby",
                "host",
                "owner",
            ),
            check_organizer,
            needed_to_create=True,
        ),
    ),
}
# An event created without a status column is public, as the form's default is.
DEFAULTS: dict[str, dict[str, Any]] = {"event": {"social_status": SocialStatus.PUBLIC.value}}
# A sample row per list, for the sample file.
SAMPLES: dict[str, list[dict[str, str]]] = {
    "user": [{"id": "", "email": "ann@example.org"}],
    "event": [
        {
            "id": "",
            "title": "Annual board meeting",
            "date_of": "2027-03-15",
            "social_status": "private",
            "organizer": "ann@example.org",
        }
    ],
}


def field_map(identity: str) -> dict[str, ImportField]:
    return {field.name: field for field in FIELDS[identity]}


def _squeezed(header: str) -> str:
    return re.sub(r"[\s_\-.]+", "", header.strip().casefold())


def guess_mapping(identity: str, headers: list[str]) -> list[str]:
    """Each header's field by its name or an alias ("E-mail", "Organiser"); each field once,
    for its first column; "" for a column the import leaves out."""
    taken: set[str] = set()
    mapping = []
    for header in headers:
        squeezed = _squeezed(header)
        found = next(
            (
                field.name
                for field in FIELDS[identity]
                if squeezed in field.aliases and field.name not in taken
            ),
            "",
        )
        taken.add(found)
        mapping.append(found)
    return mapping
