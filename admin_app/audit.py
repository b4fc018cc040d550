"""The audit trail: every change made by a staff member, written in the change's own transaction.

ORM changes (create, edit, delete through the forms) are recorded by a flush listener on the
panel's session factory; set-based work (bulk delete, bulk status, export) calls `record()`.
Nothing is recorded outside a staff request (CLI, seeding, tests that write directly).
"""

import enum
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session, UOWTransaction, sessionmaker

from admin_app import clock
from admin_app.models import CLIENT_MAX_LENGTH, SUMMARY_MAX_LENGTH, AuditEntry, Event, Staff, User

AUDITED: dict[type, str] = {User: "user", Event: "event", Staff: "staff"}
# Never written to the trail; a change to them is noted without values.
SECRET_FIELDS = {"password_hash": "password", "mfa_secret": "two-factor login"}
# Bookkeeping that changes on every save and says nothing to a reader.
UNTRACKED_FIELDS = {"updated_at", "version", "session_version", "last_login_at", "created_at"}


@dataclass(frozen=True)
class Actor:
    staff_id: int
    email: str
    client: str


_actor: ContextVar[Actor | None] = ContextVar("audit_actor", default=None)


def set_actor(actor: Actor | None) -> None:
    """Who is acting in the current request (set by authentication, read by the recorder)."""
    _actor.set(actor)


def current_actor() -> Actor | None:
    return _actor.get()


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
) -> None:
    """Add one entry to the session's current transaction (no-op outside a staff request)."""
    actor = current_actor()
    if actor is None:
        return
    row = _entry(actor, action, target, target_id, version, summary, changes)
    session.connection().execute(insert(AuditEntry), [row])


def install(factory: sessionmaker[Session]) -> None:
    event.listen(factory, "after_flush", _record_flush)


def _entry(
    actor: Actor,
    action: str,
    target: str,
    target_id: str | None,
    version: int | None,
    summary: str,
    changes: dict[str, Any] | None,
) -> dict[str, Any]:
    return {
        "at": clock.now(),
        "staff_id": actor.staff_id,
        "staff_email": actor.email,
        "client": actor.client[:CLIENT_MAX_LENGTH],
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
            summary = f"{verb} {target} {obj}{detail}"
            version = getattr(obj, "version", None) if action != "delete" else None
            rows.append(_entry(actor, action, target, pk, version, summary, changes))
    if rows:
        session.connection().execute(insert(AuditEntry), rows)
