"""Bring deleted rows back from their images: with their ids, timestamps and organizers.

All or nothing: a user whose email another user now has, or an event whose organizer is gone
for good, refuses the whole restore with that conflict named. An event whose organizer was
deleted too brings the organizer back with it (the page says so beforehand).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, false, func, not_, or_, select, update
from sqlalchemy.orm import Session, aliased

from admin_app import audit
from admin_app.history import images
from admin_app.history.images import DELETE, RESTORE_ORDER
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


# Which delete images to restore, said of an image table (or an alias of it): every query below
# names its own aliases, so no subquery is ever correlated to its caller by accident.
Which = Callable[[Any], ColumnElement[bool]]


def by_change_set(change_set_id: int) -> Which:
    return lambda image: image.change_set_id == change_set_id


def by_ids(image_ids: list[int]) -> Which:
    return lambda image: image.id.in_(image_ids)


def pending(which: Which) -> Which:
    """The delete images `which` selects that are not restored yet."""
    return lambda image: and_(which(image), image.action == DELETE, image.restored_by.is_(None))


def claimed_by(change_set_id: int) -> Which:
    """The delete images a restore has claimed (it marks them first)."""
    return lambda image: and_(image.action == DELETE, image.restored_by == change_set_id)


def _organizer_images(events: Which, chosen: Which) -> Select[Any]:
    # The newest unrestored image of each deleted organizer that the `events` images need, is
    # not `chosen` already, and is not a live user either.
    organizer, event = aliased(RowImage), aliased(RowImage)
    needed = exists().where(
        event.target == "event",
        events(event),
        event.data["organizer_id"].as_integer() == organizer.row_id,
    )
    live = exists().where(User.id == organizer.row_id)
    return (
        select(func.max(organizer.id))
        .where(
            organizer.target == "user",
            pending(lambda image: not_(chosen(image)))(organizer),
            needed,
            ~live,
        )
        .group_by(organizer.row_id)
    )


def _with_organizers(which: Which) -> Which:
    organizers = _organizer_images(pending(which), which)
    return lambda image: or_(pending(which)(image), image.id.in_(organizers))


def plan(session: Session, which: Which) -> RestorePlan:
    """What restoring `which` would do, read only."""
    everything = _with_organizers(which)
    image = aliased(RowImage)
    counts = dict(
        session.execute(
            select(image.target, func.count()).where(everything(image)).group_by(image.target)
        ).all()
    )
    organizer = aliased(RowImage)
    organizers = session.scalars(
        select(organizer.label)
        .where(organizer.id.in_(_organizer_images(pending(which), which)))
        .limit(NAMED)
    ).all()
    return RestorePlan(
        counts={target: int(counts.get(target, 0)) for target in RESTORE_ORDER},
        organizers=list(organizers),
        refusal=_refusal(session, everything=everything, events=pending(which)),
    )


def _refusal(session: Session, *, everything: Which, events: Which) -> str | None:
    user = aliased(RowImage)
    taken = session.execute(
        select(user.label, User.id)
        .join(User, User.email == user.label)
        .where(user.target == "user", everything(user))
        .limit(NAMED)
    ).all()
    if taken:
        named = ", ".join(f"{email} (now user #{user_id})" for email, user_id in taken)
        return f"Nothing was restored: another user now has the email of {named}."
    twice = session.scalars(
        select(user.label)
        .where(user.target == "user", everything(user))
        .group_by(user.label)
        .having(func.count() > 1)
        .limit(NAMED)
    ).all()
    if twice:
        return f"Nothing was restored: two deleted users had the email {', '.join(twice)}."
    event = aliased(RowImage)
    organizer_id = event.data["organizer_id"].as_integer()
    coming_back = aliased(RowImage)
    orphans = session.scalars(
        select(event.label)
        .where(
            event.target == "event",
            events(event),
            ~exists().where(User.id == organizer_id),
            ~exists().where(
                coming_back.target == "user",
                coming_back.row_id == organizer_id,
                everything(coming_back),
            ),
        )
        .limit(NAMED)
    ).all()
    if orphans:
        return (
            "Nothing was restored: the organizer of "
            f"{', '.join(repr(title) for title in orphans)} was deleted for good (purged)."
        )
    return None


def restore(session: Session, *, change_set_id: int, which: Which) -> dict[str, int]:
    """Restore what `which` selects, and the organizers its events need; refuses (Refusal)
    with nothing restored. Returns the rows restored per model."""
    # The images are claimed first: from here on the change set's own mark selects them, in
    # SQL, however many there are (no list of ids travels through Python). A refusal below
    # raises, and the caller's transaction takes the claim back.
    claimed = claimed_by(change_set_id)
    connection = session.connection()
    connection.execute(
        update(RowImage).where(pending(which)(RowImage)).values(restored_by=change_set_id)
    )
    organizers = _organizer_images(claimed, lambda image: false())
    connection.execute(
        update(RowImage).where(RowImage.id.in_(organizers)).values(restored_by=change_set_id)
    )
    if refusal := _refusal(session, everything=claimed, events=claimed):
        raise Refusal(refusal)
    chosen = claimed(RowImage)
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


def restore_deleted(session: Session, *, which: Which, reason: str | None) -> dict[str, int]:
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
