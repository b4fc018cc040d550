"""Staff accounts, one function per rule: create, authenticate, the first admin of a fresh install,
revoke sessions, and the rule that there is always an active admin. Knows no HTTP."""

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from admin_app.db import utcnow
from admin_app.emails import clean_email, normalize_email
from admin_app.models import Staff, StaffRole
from admin_app.staff.passwords import hash_password, needs_rehash, password_problem, verify_password

DEFAULT_ADMIN_EMAIL = "admin@example.com"


class StaffError(ValueError):
    """A staff operation was refused; the message is fit to show to the operator."""


@dataclass(frozen=True)
class InitialAdmin:
    email: str
    generated_password: str | None


def create_staff(session: Session, *, email: str, password: str, role: StaffRole) -> Staff:
    """Add a staff account; refuse a bad email, a weak password or a duplicate."""
    address = clean_email(email)
    if problem := password_problem(password):
        raise StaffError(problem)
    staff = Staff(email=address, password_hash=hash_password(password), role=role)
    session.add(staff)
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise StaffError(f"A staff account for {address} already exists.") from exc
    return staff


def authenticate_staff(session: Session, *, email: str, password: str) -> Staff | None:
    """The active account these credentials belong to, or None (same cost either way)."""
    staff = session.scalars(select(Staff).where(Staff.email == normalize_email(email))).first()
    if not verify_password(staff.password_hash if staff else None, password):
        return None
    assert staff is not None
    if not staff.is_active:
        return None
    if needs_rehash(staff.password_hash):
        staff.password_hash = hash_password(password)
    staff.last_login_at = utcnow()
    session.commit()
    return staff


def ensure_initial_admin(
    session: Session, *, email: str | None, password: str | None
) -> InitialAdmin | None:
    """Create the first admin when no staff exists; a generated password is returned once."""
    if session.scalar(select(func.count(Staff.id))):
        return None
    generated = None if password else secrets.token_urlsafe(18)
    address = email or DEFAULT_ADMIN_EMAIL
    create_staff(session, email=address, password=password or generated or "", role=StaffRole.ADMIN)
    return InitialAdmin(email=clean_email(address), generated_password=generated)


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


def revoke_sessions(staff: Staff) -> None:
    """End every session issued to this account so far (each carries the old version); the
    caller commits. Logout, a password change or reset, a role change and deactivation do this."""
    staff.session_version += 1


def reset_password(session: Session, *, email: str, password: str) -> Staff:
    """An operator's reset (the command line): the account gets this password and every session
    it had ends (committed). StaffError when there is no such account or the password is weak."""
    staff = session.scalars(select(Staff).where(Staff.email == normalize_email(email))).first()
    if staff is None:
        raise StaffError(f"There is no staff account {email!r}.")
    if problem := password_problem(password):
        raise StaffError(problem)
    staff.password_hash = hash_password(password)
    revoke_sessions(staff)
    session.commit()
    return staff


def change_password(
    session: Session, *, staff_id: int, current: str, new: str, confirm: str
) -> tuple[dict[str, str], int | None]:
    """A staff member's own password change: field errors, or none and the account's new
    session version (every other session of the account is revoked)."""
    staff = session.get(Staff, staff_id)
    if staff is None or not verify_password(staff.password_hash, current):
        return {"current_password": "This is not your current password."}, None
    if problem := password_problem(new):
        return {"new_password": problem}, None
    if new != confirm:
        return {"confirm_password": "The two new passwords differ."}, None
    staff.password_hash = hash_password(new)
    revoke_sessions(staff)
    session.commit()
    return {}, staff.session_version
