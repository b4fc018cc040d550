"""Bring deleted rows back from their images: with their ids, timestamps and organizers.

All or nothing: a user whose email another user now has, or an event whose organizer is gone
for good, refuses the whole restore with that conflict named. An event whose organizer was
deleted too brings the organizer back with it (the page says so beforehand).
"""

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, and_, false, func, not_, or_, select, update
from sqlalchemy.orm import Session

from admin_app import audit
from admin_app.history import images
from admin_app.history.images import DELETE, RESTORE_ORDER, ImageFilter
from admin_app.history.refusals import Refusal
from admin_app.models import RowImage, User

# Conflicts named in a refusal; the rest are counted.
NAMED = 5


@dataclass(frozen=True)
class RestorePlan:
    """What a restore would bring back, before it runs."""

    counts: dict[str, int]
    # Organizers brought back because their events are restored (emails).
    organizers: list[str] = field(default_factory=list)
    refusal: str | None = None


def pending(which: ImageFilter) -> ImageFilter:
    """The delete images `which` selects that are not restored yet."""
    return and_(which, RowImage.action == DELETE, RowImage.restored_by.is_(None))


def _organizer_images(events: ImageFilter, chosen: ImageFilter) -> Select[Any]:
    # The newest unrestored image of each deleted organizer that the `events` images need and
    # that is not `chosen` already.
    needed = select(RowImage.data["organizer_id"].as_integer()).where(
        RowImage.target == "event", events
    )
    return (
        select(func.max(RowImage.id))
        .where(
            RowImage.target == "user",
            pending(RowImage.row_id.in_(needed)),
            not_(chosen),
            RowImage.row_id.not_in(select(User.id)),
        )
        .group_by(RowImage.row_id)
    )


def _with_organizers(which: ImageFilter) -> ImageFilter:
    return or_(pending(which), RowImage.id.in_(_organizer_images(pending(which), which)))


def plan(session: Session, which: ImageFilter) -> RestorePlan:
    everything = pending(_with_organizers(which))
    counts = dict(
        session.connection()
        .execute(select(RowImage.target, func.count()).where(everything).group_by(RowImage.target))
        .all()
    )
    organizers = session.scalars(
        select(RowImage.label)
        .where(RowImage.id.in_(_organizer_images(pending(which), which)))
        .limit(NAMED)
    ).all()
    return RestorePlan(
        counts={target: int(counts.get(target, 0)) for target in RESTORE_ORDER},
        organizers=list(organizers),
        refusal=_refusal(session, everything, which),
    )


def _refusal(session: Session, everything: ImageFilter, which: ImageFilter) -> str | None:
    taken = (
        session.connection()
        .execute(
            select(RowImage.label, User.id)
            .join(User, User.email == RowImage.label)
            .where(RowImage.target == "user", everything)
            .limit(NAMED)
        )
        .all()
    )
    if taken:
        named = ", ".join(f"{email} (now user #{user_id})" for email, user_id in taken)
        return f"Nothing was restored: another user now has the email of {named}."
    twice = session.scalars(
        select(RowImage.label)
        .where(RowImage.target == "user", everything)
        .group_by(RowImage.label)
        .having(func.count() > 1)
        .limit(NAMED)
    ).all()
    if twice:
        return f"Nothing was restored: two deleted users had the email {', '.join(twice)}."
    orphans = session.scalars(
        select(RowImage.label)
        .where(
            RowImage.target == "event",
            pending(which),
            RowImage.data["organizer_id"].as_integer().not_in(select(User.id)),
            RowImage.data["organizer_id"]
            .as_integer()
            .not_in(select(RowImage.row_id).where(RowImage.target == "user", everything)),
        )
        .limit(NAMED)
    ).all()
    if orphans:
        return (
            "Nothing was restored: the organizer of "
            f"{', '.join(repr(title) for title in orphans)} was deleted for good (purged)."
        )
    return None


def restore(session: Session, *, change_set_id: int, which: ImageFilter) -> dict[str, int]:
    """Restore what `which` selects, and the organizers its events need; refuses (Refusal)
    before writing anything. Returns the rows restored per model."""
    found = plan(session, which)
    if found.refusal:
        raise Refusal(found.refusal)
    # The images are claimed first: from here on the change set's own mark selects them, in
    # SQL, however many there are (no list of ids travels through Python).
    session.connection().execute(
        update(RowImage).where(pending(which)).values(restored_by=change_set_id)
    )
    chosen = and_(RowImage.action == DELETE, RowImage.restored_by == change_set_id)
    session.connection().execute(
        update(RowImage)
        # Pending images only: none of them is `chosen` already.
        .where(RowImage.id.in_(_organizer_images(chosen, false())))
        .values(restored_by=change_set_id)
    )
    restored: dict[str, int] = {}
    for target in RESTORE_ORDER:
        restored[target] = images.insert_from_images(session, target=target, which=chosen)
        images.capture(
            session,
            change_set_id=change_set_id,
            target=target,
            action=images.CREATE,
            ids=images.row_ids(target, chosen),
            version_bump=0,
        )
    return restored


def restore_deleted(session: Session, *, which: ImageFilter, reason: str | None) -> dict[str, int]:
    """Restore from Recently deleted as its own change set (audited, and undoable)."""
    change_set_id = audit.begin_change_set(session, kind="restore", target="event", reason=reason)
    if change_set_id is None:
        raise Refusal("Only a staff member can restore deleted rows.")
    restored = restore(session, change_set_id=change_set_id, which=which)
    total = sum(restored.values())
    if total == 0:
        raise Refusal("Nothing was restored: those rows were restored already.")
    audit.record(
        session,
        action="restore",
        target="event" if restored["event"] else "user",
        summary=f"Restored {restored['user']} users and {restored['event']} events",
        changes=dict(restored),
        rows=total,
    )
    return restored
