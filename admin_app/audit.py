"""The audit trail: every change made by a staff member, written in the change's own transaction.

Each staff operation is one change set (`begin_change_set`), opened by the operation itself or,
for a form save, by the first entry of the transaction; every entry belongs to it. ORM changes
(create, edit through the forms) are recorded by a flush listener on the panel's session factory;
set-based work (bulk delete, bulk status, export, undo) calls `record()`. Nothing is recorded
outside a staff request (seeding, tests that write directly); the CLI acts as `cli_actor()`.
"""

import enum
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import event, insert, inspect, update
from sqlalchemy.orm import Session, UOWTransaction, sessionmaker

from admin_app import clock
from admin_app.models import (
    CLIENT_MAX_LENGTH,
    REASON_MAX_LENGTH,
    SUMMARY_MAX_LENGTH,
    AuditEntry,
    ChangeSet,
    Event,
    SavedView,
    Staff,
    User,
)

AUDITED: dict[type, str] = {User: "user", Event: "event", Staff: "staff", SavedView: "saved-view"}
# Never written to the trail; a change to them is noted without values.
SECRET_FIELDS = {"password_hash": "password", "mfa_secret": "two-factor login"}
# Bookkeeping that changes on every save and says nothing to a reader.
UNTRACKED_FIELDS = {
    "updated_at",
    "version",
    "session_version",
    "last_login_at",
    "created_at",
    "preferences",
}


@dataclass(frozen=True)
class Actor:
    staff_id: int | None
    email: str
    client: str


# session.info key: the id of the transaction's change set.
_CHANGE_SET = "change_set_id"
# What a form save's change set is called, by the first entry's action.
_FLUSH_KINDS = {"create": "create", "update": "edit", "delete": "delete"}


_actor: ContextVar[Actor | None] = ContextVar("audit_actor", default=None)


def set_actor(actor: Actor | None) -> None:
    """Who is acting in the current request (set by authentication, read by the recorder)."""
    _actor.set(actor)


def current_actor() -> Actor | None:
    return _actor.get()


def cli_actor(name: str) -> Actor:
    """Who acts when a command is run on the server (purge-deleted): named, with no account."""
    return Actor(staff_id=None, email=f"command line ({name})", client="local")


def begin_change_set(
    session: Session, *, kind: str, target: str, reason: str | None = None
) -> int | None:
    """Open this transaction's change set (None outside a staff request); idempotent."""
    if (existing := session.info.get(_CHANGE_SET)) is not None:
        return int(existing)
    actor = current_actor()
    if actor is None:
        return None
    row = {
        **_made_by(actor),
        "kind": kind,
        "target": target,
        "row_count": 0,
        "reason": (reason or "").strip()[:REASON_MAX_LENGTH] or None,
    }
    change_set_id = (
        session.connection().execute(insert(ChangeSet).returning(ChangeSet.id), [row]).scalar_one()
    )
    session.info[_CHANGE_SET] = change_set_id
    return int(change_set_id)


def continue_change_set(session: Session, change_set_id: int) -> None:
    """Write this transaction into a change set an earlier one opened: an import commits in
    chunks, each its own transaction, and is still one change set (undone whole)."""
    session.info[_CHANGE_SET] = change_set_id


def change_set_of(session: Session) -> int | None:
    """The change set this transaction writes to, if one is open."""
    value = session.info.get(_CHANGE_SET)
    return None if value is None else int(value)


def count_rows(session: Session, rows: int) -> None:
    """Add `rows` to the open change set's row count."""
    change_set_id = change_set_of(session)
    if change_set_id is not None and rows:
        session.connection().execute(
            update(ChangeSet)
            .where(ChangeSet.id == change_set_id)
            .values(row_count=ChangeSet.row_count + rows)
        )


def jsonable(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def record(
    session: Session,
    *,
    action: str,
    target: str,
    summary: str,
    target_id: str | None = None,
    changes: dict[str, Any] | None = None,
    version: int | None = None,
    rows: int = 0,
) -> None:
    """Add one entry for `rows` rows to the transaction's change set (opened as `action` if none
    is); a no-op outside a staff request."""
    actor = current_actor()
    if actor is None:
        return
    change_set_id = begin_change_set(session, kind=action, target=target)
    row = _entry(actor, change_set_id, action, target, target_id, version, summary, changes)
    session.connection().execute(insert(AuditEntry), [row])
    count_rows(session, rows)


def install(factory: sessionmaker[Session]) -> None:
    event.listen(factory, "after_flush", _record_flush)
    # A change set belongs to one transaction: the next one opens its own.
    event.listen(factory, "after_commit", _forget_change_set)
    event.listen(factory, "after_rollback", _forget_change_set)


def _forget_change_set(session: Session) -> None:
    session.info.pop(_CHANGE_SET, None)


def _made_by(actor: Actor) -> dict[str, Any]:
    # Who, when and from where: the same on a change set and on each of its entries.
    return {
        "at": clock.now(),
        "staff_id": actor.staff_id,
        "staff_email": actor.email,
        "client": actor.client[:CLIENT_MAX_LENGTH],
    }


def _entry(
    actor: Actor,
    change_set_id: int | None,
    action: str,
    target: str,
    target_id: str | None,
    version: int | None,
    summary: str,
    changes: dict[str, Any] | None,
) -> dict[str, Any]:
    return {
        **_made_by(actor),
        "change_set_id": change_set_id,
        "action": action,
        "target": target,
        "target_id": target_id,
        "version": version,
        "summary": summary[:SUMMARY_MAX_LENGTH],
        "changes": changes,
    }


def _tracked_columns(obj: Any) -> list[str]:
    # Table columns only: not computed properties such as User.event_count.
    keys = [column.key for column in inspect(obj).mapper.local_table.columns]
    return [key for key in keys if key not in UNTRACKED_FIELDS]


def _primary_key(obj: Any) -> str | None:
    state = inspect(obj)
    value = state.dict.get(state.mapper.primary_key[0].key)
    return None if value is None else str(value)


def _values(obj: Any) -> dict[str, Any]:
    # The in-memory values: reading attributes could reload a row that is being deleted.
    loaded = inspect(obj).dict
    return {
        key: jsonable(loaded.get(key)) for key in _tracked_columns(obj) if key not in SECRET_FIELDS
    }


def _diff(obj: Any) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    state = inspect(obj)
    for key in _tracked_columns(obj):
        history = state.attrs[key].history
        if not history.added and not history.deleted:
            continue
        before = jsonable(history.deleted[0]) if history.deleted else None
        after = jsonable(history.added[0]) if history.added else None
        if before == after:
            continue
        if key in SECRET_FIELDS:
            changes[SECRET_FIELDS[key]] = ["(hidden)", "(changed)"]
        else:
            changes[key] = [before, after]
    return changes


def _record_flush(session: Session, _flush: UOWTransaction) -> None:
    actor = current_actor()
    if actor is None:
        return
    rows = []
    for action, objects in (
        ("create", session.new),
        ("update", session.dirty),
        ("delete", session.deleted),
    ):
        for obj in objects:
            target = AUDITED.get(type(obj))
            if target is None:
                continue
            changes = _diff(obj) if action == "update" else _values(obj)
            if action == "update" and not changes:
                continue
            pk = _primary_key(obj)
            verb = {"create": "Created", "update": "Changed", "delete": "Deleted"}[action]
            detail = f": {', '.join(changes)}" if action == "update" else ""
            # A model may name itself differently in the trail (SavedView.audit_label).
            summary = f"{verb} {target} {getattr(obj, 'audit_label', obj)}{detail}"
            version = getattr(obj, "version", None) if action != "delete" else None
            change_set_id = begin_change_set(session, kind=_FLUSH_KINDS[action], target=target)
            rows.append(_entry(actor, change_set_id, action, target, pk, version, summary, changes))
    if rows:
        session.connection().execute(insert(AuditEntry), rows)
        count_rows(session, len(rows))
