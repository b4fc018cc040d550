"""Bring deleted rows back from their images: with their ids, timestamps and organizers.

All or nothing: a user whose email another user now has, or an event whose organizer is gone
for good, refuses the whole restore with that conflict named. An event whose organizer was
deleted too brings the organizer back with it (the page says so beforehand).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select, true, update
from sqlalchemy.orm import Session

from admin_app import audit
from admin_app.history import images
from admin_app.history.images import DELETE, RESTORE_ORDER
from admin_app.history.refusals import Acting, Refusal, not_theirs
from admin_app.models import ChangeSet, RowImage, User

# Conflicts named in a refusal; the rest are counted.
NAMED = 5


@dataclass(frozen=True)
class RestorePlan:
    """What a restore would bring back, before it runs."""

    counts: dict[str, int]
    # Organizers brought back because their events are restored (emails).
    organizers: list[str] = field(default_factory=list)
    refusal: str | None = None


# Which delete images to restore, said of the image table: a function, so that each query can
# apply it to the table it reads.
Which = Callable[[Any], ColumnElement[bool]]
# Organizer ids looked up per statement (well under every database's parameter limit).
CHUNK = 1_000


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


def _missing_organizers(session: Session, chosen: Which) -> list[int]:
    # Organizers the chosen events need that are neither live users nor chosen themselves. Set
    # operations (EXCEPT), not joins: their cost never depends on the planner's row estimates,
    # which are wrong for images written in this very transaction.
    needed = select(RowImage.data["organizer_id"].as_integer()).where(
        RowImage.target == "event", chosen(RowImage)
    )
    coming = select(RowImage.row_id).where(RowImage.target == "user", chosen(RowImage))
    missing = needed.except_(select(User.id), coming)
    return sorted(session.scalars(select(missing.subquery().c[0])))


def _organizer_images(missing: list[int]) -> Select[Any]:
    # The newest unrestored image of each of these deleted users.
    return (
        select(func.max(RowImage.id))
        .where(
            RowImage.target == "user",
            RowImage.row_id.in_(missing),
            pending(lambda image: true())(RowImage),
        )
        .group_by(RowImage.row_id)
    )


def _chunks(ids: list[int]) -> list[list[int]]:
    return [ids[start : start + CHUNK] for start in range(0, len(ids), CHUNK)]


def plan(session: Session, which: Which) -> RestorePlan:
    """What restoring `which` would do (it only writes what `images.unpack` writes)."""
    images.unpack(session)
    chosen = pending(which)
    counts = dict(
        session.execute(
            select(RowImage.target, func.count()).where(chosen(RowImage)).group_by(RowImage.target)
        ).all()
    )
    organizer_ids: list[int] = []
    for chunk in _chunks(_missing_organizers(session, chosen)):
        organizer_ids += session.scalars(_organizer_images(chunk))
    organizers = session.scalars(
        select(RowImage.label).where(RowImage.id.in_(organizer_ids[:NAMED]))
    ).all()
    everything = (
        chosen
        if not organizer_ids
        else lambda image: or_(chosen(image), by_ids(organizer_ids)(image))
    )
    counts["user"] = counts.get("user", 0) + len(organizer_ids)
    return RestorePlan(
        counts={target: int(counts.get(target, 0)) for target in RESTORE_ORDER},
        organizers=list(organizers),
        refusal=_refusal(session, everything),
    )


def _refusal(session: Session, everything: Which) -> str | None:
    taken = session.execute(
        select(RowImage.label, User.id)
        .join(User, User.email == RowImage.label)
        .where(RowImage.target == "user", everything(RowImage))
        .limit(NAMED)
    ).all()
    if taken:
        named = ", ".join(f"{email} (now user #{user_id})" for email, user_id in taken)
        return f"Nothing was restored: another user now has the email of {named}."
    twice = session.scalars(
        select(RowImage.label)
        .where(RowImage.target == "user", everything(RowImage))
        .group_by(RowImage.label)
        .having(func.count() > 1)
        .limit(NAMED)
    ).all()
    if twice:
        return f"Nothing was restored: two deleted users had the email {', '.join(twice)}."
    if missing := _missing_organizers(session, everything):
        orphans = session.scalars(
            select(RowImage.label)
            .where(
                RowImage.target == "event",
                everything(RowImage),
                RowImage.data["organizer_id"].as_integer().in_(missing[:CHUNK]),
            )
            .limit(NAMED)
        ).all()
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
    images.unpack(session)
    claimed = claimed_by(change_set_id)
    connection = session.connection()
    connection.execute(
        update(RowImage).where(pending(which)(RowImage)).values(restored_by=change_set_id)
    )
    for chunk in _chunks(_missing_organizers(session, claimed)):
        connection.execute(
            update(RowImage)
            .where(RowImage.id.in_(_organizer_images(chunk)))
            .values(restored_by=change_set_id)
        )
    if refusal := _refusal(session, claimed):
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


def _refuse_others_large(session: Session, which: Which, acting: Acting) -> None:
    # The undo rule (refusals.not_theirs), for every change set the chosen rows were deleted by.
    deleted_by = select(RowImage.change_set_id).where(pending(which)(RowImage)).distinct()
    for change_set in session.scalars(select(ChangeSet).where(ChangeSet.id.in_(deleted_by))):
        if refused := not_theirs(change_set, acting, verb="restore rows of"):
            raise Refusal(refused)


def restored_in_words(restored: dict[str, int]) -> str:
    """ "164 events", "1 user and 12 events": the kinds that came back, counted."""
    parts = [
        f"{n:,} {noun if n == 1 else noun + 's'}"
        for noun, n in (("user", restored.get("user", 0)), ("event", restored.get("event", 0)))
        if n
    ]
    return " and ".join(parts) or "nothing"


def restore_deleted(
    session: Session, *, which: Which, reason: str | None, acting: Acting
) -> dict[str, int]:
    """Restore from Recently deleted as its own change set (audited, and undoable)."""
    images.unpack(session)
    _refuse_others_large(session, which, acting)
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
        summary=f"Restored {restored_in_words(restored)}",
        changes=dict(restored),
        rows=total,
    )
    return restored
