"""Who an organizer field names: the picker's user id, or an email typed without the script
(the event form and batch edit read it alike)."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from admin_app.admin.core.ids import parse_id
from admin_app.emails import normalize_email
from admin_app.models import EMAIL_MAX_LENGTH, User


def find_organizer(session: Session, typed: str) -> tuple[int, str] | None:
    """The (id, email) of the user `typed` names, or None when it names no one."""
    organizer_id = parse_id(typed)
    if organizer_id is not None:
        match = User.id == organizer_id
    elif _could_be_email(typed):
        match = User.email == normalize_email(typed)
    else:
        return None
    found = session.execute(select(User.id, User.email).where(match)).first()
    return (int(found.id), str(found.email)) if found is not None else None


def _could_be_email(typed: str) -> bool:
    # NUL cannot reach PostgreSQL as text, and nothing longer is an address: both name no one.
    return "@" in typed and "\x00" not in typed and len(typed.strip()) <= EMAIL_MAX_LENGTH
