"""The rows of the inline events table on a user's edit page: a page of the user's events as
stored, or as typed into the form, each checked (inline_events.py saves them).

The form names each field `events-<key>-<field>`: the key is an event's id, or `new<n>` for a new
row. `events-shown` lists the ids the page showed, so a row missing from the post is never read
as "delete it".
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, QueryParams

from admin_app.admin.core.errors import ActionRefused
from admin_app.admin.core.formatters import STATUS_CHOICES
from admin_app.admin.core.ids import parse_id
from admin_app.admin.forms.validators import date_problem, strip_text
from admin_app.models import TITLE_MAX_LENGTH, Event, SocialStatus

PAGE_SIZE = 25
PAGE_PARAM = "events_page"
PREFIX = "events"
SHOWN = f"{PREFIX}-shown"
# Blank rows served for new events; the page script adds more, and the server reads any number.
NEW_ROWS = 3
MAX_NEW_ROWS = 100
_STATE = "inline_events"
DATE_FORMAT = "%Y-%m-%d"


@dataclass
class InlineRow:
    """One row of the inline table as typed, with its errors (field -> message)."""

    key: str
    event_id: int | None
    title: str
    date_text: str
    status_text: str
    version: int | None = None
    delete: bool = False
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, event: Event) -> "InlineRow":
        return cls(
            key=str(event.id),
            event_id=event.id,
            title=event.title,
            date_text=event.date_of.isoformat(),
            status_text=event.social_status.value,
            version=event.version,
        )

    @classmethod
    def blank(cls, number: int) -> "InlineRow":
        return cls(key=f"new{number}", event_id=None, title="", date_text="", status_text="")

    def name(self, part: str) -> str:
        return f"{PREFIX}-{self.key}-{part}"

    @property
    def is_blank(self) -> bool:
        return self.event_id is None and not (self.title or self.date_text)

    @property
    def title_value(self) -> str:
        return str(strip_text(self.title))

    @property
    def date_value(self) -> date:
        # As the event form's date field reads it (WTForms' DateField).
        return datetime.strptime(self.date_text, DATE_FORMAT).date()

    @property
    def status_value(self) -> SocialStatus:
        return SocialStatus(self.status_text)

    def differs_from(self, event: Event) -> bool:
        return (self.title_value, self.date_value, self.status_value) != (
            event.title,
            event.date_of,
            event.social_status,
        )


@dataclass(frozen=True)
class InlinePage:
    """What the edit page shows: the rows (as stored, or as typed), paging and choices."""

    rows: list[InlineRow]
    total: int
    page: int
    pages: int
    statuses: list[tuple[str, str]] = field(default_factory=lambda: STATUS_CHOICES)
    title_max: int = TITLE_MAX_LENGTH


def page_number(params: QueryParams) -> int:
    number = parse_id(params.get(PAGE_PARAM, "1")) or 1
    return max(number, 1)


def newest_events(user_id: int) -> Select[Event]:
    """A user's events, newest first (the index on organizer, date and id serves it): the user's
    edit page pages through them, the detail page shows the first few."""
    return (
        select(Event)
        .where(Event.organizer_id == user_id)
        .order_by(Event.date_of.desc(), Event.id.desc())
    )


def stored_page(session: Session, user_id: int, page: int) -> InlinePage:
    """The user's events newest first, `page` of them (25 a page), and blank rows to add."""
    total = session.scalar(select(func.count(Event.id)).where(Event.organizer_id == user_id)) or 0
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    page = min(page, pages)
    events = session.scalars(newest_events(user_id).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE))
    rows = [InlineRow.of(event) for event in events]
    rows += [InlineRow.blank(number) for number in range(NEW_ROWS)]
    return InlinePage(rows=rows, total=total, page=page, pages=pages)


def typed_page(stored: InlinePage, rows: list[InlineRow]) -> InlinePage:
    """The stored page's paging with the rows as the staff member typed them."""
    return InlinePage(rows=rows, total=stored.total, page=stored.page, pages=stored.pages)


def read_rows(form: FormData) -> list[InlineRow] | None:
    """The inline rows of a posted edit form, each checked (errors kept on the row); None when
    the form has no inline table (a scripted save of the user alone)."""
    if SHOWN not in form:
        return None
    shown = [parse_id(part) for part in str(form.get(SHOWN, "")).split(",") if part]
    if any(event_id is None for event_id in shown) or len(shown) > PAGE_SIZE:
        raise ActionRefused("Nothing was saved: the list of events in the form was not valid.")
    rows = [_typed(form, str(event_id), event_id) for event_id in shown]
    new_keys = sorted(
        {name.split("-")[1] for name in form if name.startswith(f"{PREFIX}-new")},
        key=lambda key: (len(key), key),
    )
    if len(new_keys) > MAX_NEW_ROWS:
        raise ActionRefused(f"Nothing was saved: add at most {MAX_NEW_ROWS} events at once.")
    rows += [_typed(form, key, None) for key in new_keys]
    for row in rows:
        _check(row)
    return rows


def _typed(form: FormData, key: str, event_id: int | None) -> InlineRow:
    def value(part: str) -> str:
        return str(form.get(f"{PREFIX}-{key}-{part}", ""))

    return InlineRow(
        key=key,
        event_id=event_id,
        title=value("title"),
        date_text=value("date_of"),
        status_text=value("social_status"),
        version=parse_id(value("version")),
        delete=value("delete") == "yes",
    )


def _check(row: InlineRow) -> None:
    if row.is_blank or row.delete:
        return
    if not row.title_value:
        row.errors["title"] = "Enter a title."
    elif len(row.title_value) > TITLE_MAX_LENGTH:
        row.errors["title"] = f"At most {TITLE_MAX_LENGTH} characters."
    try:
        if problem := date_problem(row.date_value):
            row.errors["date_of"] = problem
    except ValueError:
        row.errors["date_of"] = "Enter a date as YYYY-MM-DD."
    if row.status_text not in {status.value for status in SocialStatus}:
        row.errors["social_status"] = "Choose public or private."


def remember(request_state: Any, rows: list[InlineRow] | None) -> None:
    setattr(request_state, _STATE, rows)


def remembered(request_state: Any) -> list[InlineRow] | None:
    rows: list[InlineRow] | None = getattr(request_state, _STATE, None)
    return rows
