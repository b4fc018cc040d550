"""A user's events saved from the user's edit page (Django's inlines): changed rows, new rows
and deletions in the user's own transaction and change set, each row with its own version check.
"""

from sqlalchemy import select
from sqlalchemy.orm import Session

from admin_app import audit
from admin_app.admin.core.errors import ActionRefused
from admin_app.admin.core.wording import plural
from admin_app.admin.forms.inline_rows import InlineRow
from admin_app.history import images
from admin_app.models import Event, User


class InlineRefused(ActionRefused):
    """Rows that cannot be saved (marked on their row); nothing at all was saved."""


def refuse_rows_with_errors(rows: list[InlineRow]) -> None:
    wrong = [row for row in rows if row.errors]
    if wrong:
        have = plural(len(wrong), "has", "have")
        raise InlineRefused(f"Nothing was saved: {_count(len(wrong))} {have} errors, marked below.")


def apply(session: Session, user: User, rows: list[InlineRow]) -> None:
    """Save the rows with the user's own change, in the caller's transaction and change set.

    A row someone else changed (or deleted, or gave to another organizer) since the page was
    served refuses the whole save, with the row named and the typed values kept.
    """
    audit.begin_change_set(session, kind="edit", target="user")
    ids = [row.event_id for row in rows if row.event_id is not None]
    stored = {
        event.id: event
        for event in session.scalars(
            select(Event).where(Event.id.in_(ids), Event.organizer_id == user.id)
        )
    }
    touched = [row for row in rows if row.event_id is not None and _touches(row, stored)]
    _refuse_conflicts(touched, stored)
    for row in touched:
        if not row.delete:
            event = stored[row.event_id]  # type: ignore[index]
            event.title, event.date_of = row.title_value, row.date_value
            event.social_status = row.status_value
    doomed = [row.event_id for row in touched if row.delete and row.event_id is not None]
    for row in rows:
        if row.event_id is None and not row.is_blank and not row.delete:
            session.add(
                Event(
                    title=row.title_value,
                    date_of=row.date_value,
                    social_status=row.status_value,
                    organizer_id=user.id,
                )
            )
    session.flush()
    if doomed:
        _delete(session, doomed, stored)


def _touches(row: InlineRow, stored: dict[int, Event]) -> bool:
    event = stored.get(row.event_id or 0)
    return event is None or row.delete or row.differs_from(event)


def _refuse_conflicts(touched: list[InlineRow], stored: dict[int, Event]) -> None:
    for row in touched:
        event = stored.get(row.event_id or 0)
        if event is None:
            row.errors["row"] = (
                "Someone else deleted this event, or gave it to another organizer, after you "
                "opened the page."
            )
        elif event.version != row.version:
            row.errors["row"] = (
                "Someone else changed this event after you opened the page: now "
                f"“{event.title}”, {event.date_of.isoformat()}, {event.social_status.value}. "
                "Your values are kept below; save again to keep yours."
            )
            # A second save, at the version now stored, goes through (as the edit form does).
            row.version = event.version
    conflicts = [row for row in touched if row.errors]
    if conflicts:
        names = ", ".join(f"#{row.event_id}" for row in conflicts)
        raise InlineRefused(
            f"Nothing was saved: {_count(len(conflicts))} changed since you opened the page "
            f"({names}), marked below."
        )


def _delete(session: Session, doomed: list[int], stored: dict[int, Event]) -> None:
    for event_id in doomed:
        session.expunge(stored[event_id])
    deleted = images.delete_rows(
        session, change_set_id=audit.change_set_of(session), target="event", ids=doomed
    )
    audit.record(
        session,
        action="delete",
        target="event",
        summary=f"Deleted {_count(deleted)} on the organizer's page",
        changes={"ids": sorted(doomed)},
        rows=deleted,
    )


def _count(number: int) -> str:
    return f"{number} {plural(number, 'event', 'events')}"
