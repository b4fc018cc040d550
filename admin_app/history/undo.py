"""Undo a change set: deleted rows come back, edits and status changes go back, created rows go.

Rows changed again after the change set are never overwritten silently: `plan` lists them with
their newer change, and `undo` leaves them alone, only when told to (`accept_conflicts`). A change
set is undone once: the claim on it is a conditional UPDATE, so of two staff undoing it at the
same moment exactly one succeeds. The undo is itself a change set, and so can be undone.
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from admin_app import audit
from admin_app.history import images, restore
from admin_app.history.images import CREATE, DELETE, RESTORE_ORDER, TABLES, UPDATE
from admin_app.history.refusals import Refusal
from admin_app.models import ChangeSet, Event, RowImage, User

# Conflicting rows listed on the page; the rest are counted.
CONFLICTS_SHOWN = 50
NOT_UNDOABLE = {"purge": "A purge cannot be undone: the images it removed are gone."}


@dataclass(frozen=True)
class Conflict:
    target: str
    row_id: int
    label: str
    newer: str


@dataclass(frozen=True)
class UndoPlan:
    change_set: ChangeSet
    rows: int
    conflicts: list[Conflict]
    conflict_count: int
    restore_plan: restore.RestorePlan
    refusal: str | None


def _newer_change(session: Session, image: RowImage) -> str:
    later = session.scalars(
        select(ChangeSet)
        .join(RowImage, RowImage.change_set_id == ChangeSet.id)
        .where(
            RowImage.target == image.target,
            RowImage.row_id == image.row_id,
            RowImage.id > image.id,
        )
        .order_by(RowImage.id.desc())
        .limit(1)
    ).first()
    if later is None:
        return "changed since (no record of by whom)"
    when = f"{later.at:%Y-%m-%d %H:%M}"
    return f"{later.kind} in change set #{later.id} by {later.staff_email} at {when} UTC"


def _conflicting(change_set_id: int) -> Any:
    # Images of the change set whose row moved on: restored already, changed, or deleted since.
    clauses = []
    for target, table in TABLES.items():
        still_there = exists().where(table.c.id == RowImage.row_id)
        unchanged = exists().where(
            table.c.id == RowImage.row_id, table.c.version == RowImage.version_after
        )
        clauses.append(
            and_(
                RowImage.target == target,
                ((RowImage.action == DELETE) & (RowImage.restored_by.is_not(None) | still_there))
                | ((RowImage.action != DELETE) & ~unchanged),
            )
        )
    return and_(RowImage.change_set_id == change_set_id, or_(*clauses))


def plan(session: Session, change_set_id: int, *, describe: bool = True) -> UndoPlan | None:
    """What undoing would do; `describe` names each conflicting row's newer change (a query
    per row, for the page only: the undo itself needs just their count)."""
    images.unpack(session)
    change_set = session.get(ChangeSet, change_set_id)
    if change_set is None:
        return None
    mine = RowImage.change_set_id == change_set_id
    rows = session.scalar(select(func.count()).where(mine)) or 0
    conflicting = _conflicting(change_set_id)
    count = session.scalar(select(func.count()).where(conflicting)) or 0
    shown = (
        session.scalars(
            select(RowImage).where(conflicting).order_by(RowImage.id).limit(CONFLICTS_SHOWN)
        ).all()
        if describe
        else []
    )
    conflicts = [
        Conflict(image.target, image.row_id, image.label, _newer_change(session, image))
        for image in shown
    ]
    restore_plan = restore.plan(session, restore.by_change_set(change_set_id))
    return UndoPlan(
        change_set=change_set,
        rows=rows,
        conflicts=conflicts,
        conflict_count=count,
        restore_plan=restore_plan,
        refusal=_refusal(session, change_set, rows, restore_plan),
    )


def _refusal(
    session: Session, change_set: ChangeSet, rows: int, restore_plan: restore.RestorePlan
) -> str | None:
    if change_set.undone_by is not None:
        return (
            f"Change set #{change_set.id} was already undone "
            f"(by change set #{change_set.undone_by})."
        )
    if change_set.kind in NOT_UNDOABLE:
        return NOT_UNDOABLE[change_set.kind]
    if rows == 0:
        return (
            f"Change set #{change_set.id} has nothing to undo: it changed no user or event, "
            "or its images were purged."
        )
    if restore_plan.refusal:
        return restore_plan.refusal
    return _email_refusal(session, change_set.id) or _organizer_refusal(session, change_set.id)


def _email_refusal(session: Session, change_set_id: int) -> str | None:
    # Undoing an edit puts an email back that another user may have taken since.
    other = aliased(User)
    taken = (
        session.connection()
        .execute(
            select(RowImage.data["email"].as_string(), other.id)
            .join(other, other.email == RowImage.data["email"].as_string())
            .where(
                RowImage.change_set_id == change_set_id,
                RowImage.action == UPDATE,
                RowImage.target == "user",
                other.id != RowImage.row_id,
            )
            .limit(restore.NAMED)
        )
        .all()
    )
    if not taken:
        return None
    named = ", ".join(f"{email} (now user #{user_id})" for email, user_id in taken)
    return f"Nothing was undone: another user now has the earlier email of {named}."


def _organizer_refusal(session: Session, change_set_id: int) -> str | None:
    # Undoing a create deletes the user; events added to them since would block it.
    created_users = images.unchanged_since(
        "user", and_(RowImage.change_set_id == change_set_id, RowImage.action == CREATE)
    )
    created_events = images.unchanged_since(
        "event", and_(RowImage.change_set_id == change_set_id, RowImage.action == CREATE)
    )
    busy = session.scalars(
        select(User.email)
        .where(
            User.id.in_(created_users),
            exists().where(Event.organizer_id == User.id, Event.id.not_in(created_events)),
        )
        .limit(restore.NAMED)
    ).all()
    if not busy:
        return None
    return (
        f"Nothing was undone: {', '.join(busy)} organizes events added since; "
        "delete or move those first."
    )


def undo(
    session: Session, *, change_set_id: int, accept_conflicts: bool, reason: str | None
) -> tuple[int, int]:
    """Undo the change set in the session's transaction; returns (the undo's change set id, rows
    undone). Raises Refusal with nothing written when it may not, or when rows changed since
    and `accept_conflicts` is false."""
    found = plan(session, change_set_id, describe=False)
    if found is None:
        raise Refusal(f"There is no change set #{change_set_id}.")
    if found.refusal:
        raise Refusal(found.refusal)
    if found.conflict_count and not accept_conflicts:
        raise Refusal(
            f"Nothing was undone: {found.conflict_count} rows changed after change set "
            f"#{change_set_id}. Review them and confirm to undo the rest."
        )
    target = found.change_set.target
    new_id = audit.begin_change_set(session, kind="undo", target=target, reason=reason)
    if new_id is None:
        raise Refusal("Only a staff member can undo a change set.")
    claimed = (
        session.connection()
        .execute(
            update(ChangeSet)
            .where(ChangeSet.id == change_set_id, ChangeSet.undone_by.is_(None))
            .values(undone_by=new_id)
        )
        .rowcount
    )
    if claimed != 1:
        raise Refusal(f"Change set #{change_set_id} was already undone by someone else just now.")
    session.connection().execute(
        update(ChangeSet).where(ChangeSet.id == new_id).values(undo_of=change_set_id)
    )
    undone = _revert_updates(session, change_set_id, new_id)
    undone += _delete_created(session, change_set_id, new_id)
    which = restore.by_change_set(change_set_id)
    undone += sum(restore.restore(session, change_set_id=new_id, which=which).values())
    audit.record(
        session,
        action="undo",
        target=target,
        summary=f"Undid change set #{change_set_id} ({found.change_set.kind}): {undone} rows"
        + (f", {found.conflict_count} changed since left alone" if found.conflict_count else ""),
        changes={"change_set": change_set_id, "left_alone": found.conflict_count},
        rows=undone,
    )
    return new_id, undone


def _revert_updates(session: Session, change_set_id: int, new_id: int) -> int:
    undone = 0
    for target in RESTORE_ORDER:
        which = and_(RowImage.change_set_id == change_set_id, RowImage.action == UPDATE)
        images.capture(
            session,
            change_set_id=new_id,
            target=target,
            action=UPDATE,
            ids=images.unchanged_since(target, which),
            version_bump=1,
        )
        undone += images.update_from_images(session, target=target, which=which)
    return undone


def _delete_created(session: Session, change_set_id: int, new_id: int) -> int:
    undone = 0
    for target in reversed(RESTORE_ORDER):
        which = and_(RowImage.change_set_id == change_set_id, RowImage.action == CREATE)
        # The new delete images belong to `new_id`, so `which` never selects them.
        undone += images.delete_rows(
            session,
            change_set_id=new_id,
            target=target,
            ids=images.unchanged_since(target, which),
        )
    return undone
