"""Purge: images of deleted rows older than the retention period are removed for good.

Only delete images go: the images of edits and creates are each record's history and stay.
The purge is itself a change set (audited), and cannot be undone.
"""

from datetime import timedelta

from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.orm import Session

from admin_app import audit, clock
from admin_app.history.images import DELETE, unpack
from admin_app.models import ChangeSet, RowImage


def purgeable(older_than_days: int) -> ColumnElement[bool]:
    """The delete images a purge of `older_than_days` removes."""
    if older_than_days < 0:
        raise ValueError("older_than_days must be 0 or more")
    cutoff = clock.now() - timedelta(days=older_than_days)
    old_sets = select(ChangeSet.id).where(ChangeSet.at < cutoff)
    return (RowImage.action == DELETE) & RowImage.change_set_id.in_(old_sets)


def purge_deleted(session: Session, *, older_than_days: int) -> int:
    """Remove delete images whose change set is older than `older_than_days`, in the session's
    transaction; returns how many were removed."""
    unpack(session)
    which = purgeable(older_than_days)
    audit.begin_change_set(session, kind="purge", target="event")
    removed = session.connection().execute(delete(RowImage).where(which)).rowcount
    audit.record(
        session,
        action="purge",
        target="event",
        summary=f"Purged {removed} deleted rows older than {older_than_days} days",
        changes={"older_than_days": older_than_days, "removed": removed},
        rows=int(removed),
    )
    return int(removed)
