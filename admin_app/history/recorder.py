"""Row images for saves made through the ORM (the create and edit forms, a revert).

Set-based work images its rows itself (admin/actions/delete.py, undo.py); a form save touches
one row, and these session listeners image it with the same `capture` statement: the row before
an edit (read just before the UPDATE), the row after a create.
"""

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, UOWTransaction, sessionmaker

from admin_app import audit
from admin_app.history.images import CREATE, UPDATE, capture
from admin_app.models import Event, User

_TARGETS: dict[type, str] = {User: "user", Event: "event"}


def install(factory: sessionmaker[Session]) -> None:
    event.listen(factory, "before_flush", _image_before_edits)
    event.listen(factory, "after_flush", _image_after_creates)


def _image_before_edits(session: Session, _flush: UOWTransaction, _objects: Any) -> None:
    for obj in list(session.dirty):
        target = _TARGETS.get(type(obj))
        if target is None or obj in session.deleted or not session.is_modified(obj):
            continue
        _capture(session, target, UPDATE, obj.id, kind="edit", bump=1)


def _image_after_creates(session: Session, _flush: UOWTransaction) -> None:
    for obj in list(session.new):
        target = _TARGETS.get(type(obj))
        if target is not None:
            _capture(session, target, CREATE, obj.id, kind="create", bump=0)


def _capture(
    session: Session, target: str, action: str, row_id: int, *, kind: str, bump: int
) -> None:
    change_set_id = audit.begin_change_set(session, kind=kind, target=target)
    if change_set_id is None:
        return  # not a staff request: nothing to undo later
    capture(
        session,
        change_set_id=change_set_id,
        target=target,
        action=action,
        ids=[row_id],
        version_bump=bump,
    )
