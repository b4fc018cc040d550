"""Rules about staff accounts that span rows: there is always an active admin."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from admin_app.models import Staff, StaffRole

LAST_ADMIN = "This is the last active admin: make another admin first."


def active_admins(session: Session, *, excluding: Sequence[int] | Select[Any] = ()) -> int:
    return (
        session.scalar(
            select(func.count(Staff.id)).where(
                Staff.role == StaffRole.ADMIN,
                Staff.is_active.is_(True),
                Staff.id.not_in(excluding),
            )
        )
        or 0
    )


def would_remove_last_admin(session: Session, *, staff_ids: Sequence[int] | Select[Any]) -> bool:
    """True when deactivating, demoting or deleting these accounts leaves no active admin."""
    return active_admins(session, excluding=staff_ids) == 0
