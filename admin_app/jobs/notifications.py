"""Messages for one staff member ("Export ready"), read from the bell in the top bar."""

from datetime import timedelta
from typing import Any

from sqlalchemy import ScalarSelect, delete, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from admin_app import clock
from admin_app.jobs.store import changed
from admin_app.models import JOB_MESSAGE_MAX_LENGTH, Notification

# Notifications the page lists (newest first).
SHOWN = 50
# A notification read this long ago is deleted by the sweep; an unread one stays.
READ_KEPT = timedelta(days=30)


def notify(session: Session, *, staff_id: int, text: str, link: str, job_id: int | None) -> None:
    session.add(
        Notification(
            staff_id=staff_id, job_id=job_id, text=text[:JOB_MESSAGE_MAX_LENGTH], link=link
        )
    )


def unread_count_of(staff_id: Any) -> ScalarSelect[int]:
    """The unread count as a scalar subquery, read with the staff member's access (one query
    per page for the bell)."""
    return (
        select(func.count(Notification.id))
        .where(Notification.staff_id == staff_id, Notification.read_at.is_(None))
        .scalar_subquery()
    )


def latest(session: Session, staff_id: int) -> list[Notification]:
    return list(
        session.scalars(
            select(Notification)
            .where(Notification.staff_id == staff_id)
            .order_by(Notification.id.desc())
            .limit(SHOWN)
        )
    )


def mark_read(session: Session, staff_id: int) -> int:
    return changed(
        session.execute(
            update(Notification)
            .where(Notification.staff_id == staff_id, Notification.read_at.is_(None))
            .values(read_at=clock.now())
        )
    )


def purge_read(factory: sessionmaker[Session]) -> int:
    """Notifications read more than READ_KEPT ago (the sweep's)."""
    with factory() as session, session.begin():
        return changed(
            session.execute(
                delete(Notification).where(Notification.read_at < clock.now() - READ_KEPT)
            )
        )
