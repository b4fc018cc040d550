"""Batch edit of events: one status, one date (or every date moved by N days) and one organizer
for a whole selection, in one transaction and one change set, each row imaged first (undoable)."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, func, literal_column, select, update
from sqlalchemy.orm import Session
from starlette.datastructures import QueryParams

from admin_app import audit, clock
from admin_app.admin.changelist.selection import Selection
from admin_app.admin.core.errors import refusing
from admin_app.admin.core.wording import plural
from admin_app.admin.forms.pickers import find_organizer
from admin_app.admin.forms.validators import DATE_RANGE_TEXT, date_problem
from admin_app.history import images
from admin_app.models import Event, SocialStatus

# A shift past a century is a typing slip, not a plan (and soon leaves the calendar).
MAX_SHIFT_DAYS = 36_500
KEEP = ""
# The rows a batch edit changes: a filter's id query, or the ticked ids.
AnyIds = Select[Any] | list[int]


class BatchInputError(ValueError):
    """A batch edit form that cannot be applied; str() says which field and why."""


@dataclass(frozen=True)
class BatchChanges:
    """What a batch edit sets; None leaves the field as each row has it."""

    status: SocialStatus | None = None
    new_date: date | None = None
    shift_days: int | None = None
    organizer_id: int | None = None
    organizer_email: str | None = None

    def is_empty(self) -> bool:
        return not (self.status or self.new_date or self.shift_days or self.organizer_id)

    def describe(self) -> str:
        """In words: "status to private, date moved by +3 days, organizer to ann@example.org"."""
        parts = []
        if self.status:
            parts.append(f"status to {self.status.value}")
        if self.new_date:
            parts.append(f"date to {self.new_date.isoformat()}")
        if self.shift_days:
            days = plural(abs(self.shift_days), "day", "days")
            parts.append(f"date moved by {self.shift_days:+d} {days}")
        if self.organizer_id:
            parts.append(f"organizer to {self.organizer_email}")
        return ", ".join(parts)

    def audit_changes(self) -> dict[str, Any]:
        changes: dict[str, Any] = {}
        if self.status:
            changes["social_status"] = [None, self.status.value]
        if self.new_date:
            changes["date_of"] = [None, self.new_date.isoformat()]
        if self.shift_days:
            changes["date_shift_days"] = self.shift_days
        if self.organizer_id:
            changes["organizer"] = [None, self.organizer_email]
        return changes


def parse_changes(session: Session, params: QueryParams) -> BatchChanges:
    """The batch edit form's choices, checked (BatchInputError names the field at fault)."""
    status = _status(params.get("new_status", KEEP))
    new_date, shift = _date_change(params)
    organizer_id, email = _organizer(session, params.get("new_organizer", "").strip())
    changes = BatchChanges(status, new_date, shift, organizer_id, email)
    if changes.is_empty():
        raise BatchInputError("Choose at least one change: a status, a date or an organizer.")
    return changes


def _status(raw: str) -> SocialStatus | None:
    if raw == KEEP:
        return None
    try:
        return SocialStatus(raw)
    except ValueError:
        raise BatchInputError("Status: choose public or private, or keep each row's.") from None


def _date_change(params: QueryParams) -> tuple[date | None, int | None]:
    mode = params.get("date_change", KEEP)
    if mode == KEEP:
        return None, None
    if mode == "set":
        try:
            new_date = datetime.strptime(params.get("new_date", "").strip(), "%Y-%m-%d").date()
        except ValueError:
            raise BatchInputError("Date: enter a date as YYYY-MM-DD.") from None
        if problem := date_problem(new_date):
            raise BatchInputError(f"Date: {problem}")
        return new_date, None
    if mode == "shift":
        raw = params.get("shift_days", "").strip()
        digits = raw.removeprefix("-").removeprefix("+")
        if not digits.isascii() or not digits.isdigit() or len(digits) > 6:
            raise BatchInputError("Move dates by: enter a whole number of days, such as 7 or -7.")
        days = int(raw)
        if not 0 < abs(days) <= MAX_SHIFT_DAYS:
            raise BatchInputError(f"Move dates by: between 1 and {MAX_SHIFT_DAYS} days either way.")
        return None, days
    raise BatchInputError("Date: keep it, set it, or move it by a number of days.")


def _organizer(session: Session, typed: str) -> tuple[int | None, str | None]:
    # An id (the picker's value) or an email typed by hand, read as the event form reads it.
    if not typed:
        return None, None
    found = find_organizer(session, typed)
    if found is None:
        raise BatchInputError(
            f"Organizer: no user {typed!r}. Type a user's email (or id), or leave it empty."
        )
    return found


def _refuse_shift_out_of_range(session: Session, chosen: AnyIds, days: int) -> None:
    # Every moved date must stay in the range the forms allow (the database's CHECK refuses it
    # too, but could only say "refused"): the selection's first and last dates say it all.
    first, last = session.execute(
        select(func.min(Event.date_of), func.max(Event.date_of)).where(Event.id.in_(chosen))
    ).one()
    if first is None:
        return
    edge = first if days < 0 else last
    try:
        moved = edge + timedelta(days=days)
    except OverflowError:
        moved = None
    if moved is None or date_problem(moved):
        raise BatchInputError(
            f"Move dates by: {days:+d} days would take the event of {edge.isoformat()} out of "
            f"range (every date is {DATE_RANGE_TEXT}). Nothing was changed."
        )


def _shifted_date(session: Session, days: int) -> ColumnElement[Any]:
    # SQLite keeps dates as ISO text; PostgreSQL adds whole days to a date natively.
    if session.get_bind().dialect.name == "sqlite":
        return func.date(Event.date_of, f"{days:+d} days")
    return Event.date_of + literal_column(str(int(days)))


def apply(
    session: Session,
    ids: Select[Any],
    selection: Selection,
    changes: BatchChanges,
    *,
    kind: str = "batch_edit",
    reason: str | None = None,
) -> int:
    """Apply `changes` to every selected event (versions bumped: open forms go stale); each row
    is imaged first, so its change set can be undone row by row."""
    values: dict[Any, Any] = {Event.version: Event.version + 1, Event.updated_at: clock.now()}
    if changes.status:
        values[Event.social_status] = changes.status
    if changes.new_date:
        values[Event.date_of] = changes.new_date
    elif changes.shift_days:
        values[Event.date_of] = _shifted_date(session, changes.shift_days)
    if changes.organizer_id:
        values[Event.organizer_id] = changes.organizer_id
    with refusing("Nothing was changed."), session.begin():
        change_set_id = audit.begin_change_set(session, kind=kind, target="event", reason=reason)
        # Ticked rows as the list they are (see bulk.delete_selection); a filter as its query.
        chosen: Select[Any] | list[int] = ids if selection.whole_filter else selection.pks
        ids_given = None if selection.whole_filter else selection.pks
        if changes.shift_days:
            _refuse_shift_out_of_range(session, chosen, changes.shift_days)
        if change_set_id is not None:
            images.capture(
                session,
                change_set_id=change_set_id,
                target="event",
                action=images.UPDATE,
                ids=chosen,
                version_bump=1,
            )
        statement = update(Event).where(Event.id.in_(chosen)).values(values)
        count = int(session.execute(statement).rowcount)  # type: ignore[attr-defined]
        audit.record(
            session,
            action=kind,
            target="event",
            summary=summary(count, changes),
            changes={**changes.audit_changes(), **selection.audit_scope(ids_given, count)},
            rows=count,
        )
        return count


def summary(count: int, changes: BatchChanges) -> str:
    """What a batch edit did, for its audit entry and its message: "Changed 3 events: ..."."""
    if changes.status and not (changes.new_date or changes.shift_days or changes.organizer_id):
        return f"Set {count:,} {plural(count, 'event', 'events')} to {changes.status.value}"
    return f"Changed {count:,} {plural(count, 'event', 'events')}: {changes.describe()}"
