"""Every version of one user or event, and reverting it to one of them (whole or one field).

Versions are read from the record's images: an update image holds the version before the edit,
a create image the version it made, a delete image the last version; the live row is the newest.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import JSON, select, type_coerce
from sqlalchemy.orm import Session

from admin_app import audit
from admin_app.history.images import CREATE, DELETE, EDITABLE, TABLES, row_json, unpack
from admin_app.history.refusals import Refusal, StaleRevert
from admin_app.models import ChangeSet, Event, RowImage, SocialStatus, User

MODELS: dict[str, type[User] | type[Event]] = {"user": User, "event": Event}
# The newest images read for one record: its page stays bounded however often it was edited.
IMAGES_READ = 500


@dataclass(frozen=True)
class Version:
    number: int
    values: dict[str, Any]
    # The change set that made this version (None: made before history was kept).
    made_by: ChangeSet | None


@dataclass(frozen=True)
class RecordHistory:
    target: str
    row_id: int
    versions: list[Version]
    current: int | None
    deleted_by: ChangeSet | None

    def version(self, number: int) -> Version | None:
        return next((v for v in self.versions if v.number == number), None)


def history_of(session: Session, *, target: str, row_id: int) -> RecordHistory:
    unpack(session)
    found = session.execute(
        select(RowImage, ChangeSet)
        .join(ChangeSet, ChangeSet.id == RowImage.change_set_id)
        .where(RowImage.target == target, RowImage.row_id == row_id)
        .order_by(RowImage.id.desc())
        .limit(IMAGES_READ)
    ).all()
    states: dict[int, dict[str, Any]] = {}
    made_by: dict[int, ChangeSet] = {}
    deleted_by = None
    for image, change_set in reversed(found):
        data = dict(image.data)
        if image.action == CREATE:
            states[image.version_after] = data
        else:
            states[int(data["version"])] = data
        if image.action == DELETE:
            deleted_by = change_set
        else:
            made_by[image.version_after] = change_set
            deleted_by = None
    current = _live_row(session, target, row_id)
    if current is not None:
        states[int(current["version"])] = current
        deleted_by = None
    versions = [
        Version(number, _shown(target, values), made_by.get(number))
        for number, values in sorted(states.items())
    ]
    return RecordHistory(
        target=target,
        row_id=row_id,
        versions=versions,
        current=None if current is None else int(current["version"]),
        deleted_by=deleted_by,
    )


def _live_row(session: Session, target: str, row_id: int) -> dict[str, Any] | None:
    # Built by the same JSON function as the images, so old and new values compare as equals.
    table = TABLES[target]
    statement = select(type_coerce(row_json(session, table), JSON)).where(table.c.id == row_id)
    value = session.scalar(statement)
    return dict(value) if value is not None else None


def _shown(target: str, values: dict[str, Any]) -> dict[str, Any]:
    # Editable fields first, then the bookkeeping; the version is the column header.
    keys = [*EDITABLE[target], "created_at", "updated_at"]
    return {key: values.get(key) for key in keys}


def _python_value(key: str, value: Any) -> Any:
    if key == "date_of":
        return date.fromisoformat(str(value))
    if key == "social_status":
        return SocialStatus(value)
    if key == "organizer_id":
        return int(value)
    return value


def revert(
    session: Session,
    *,
    target: str,
    row_id: int,
    to_version: int,
    seen_version: int | None,
    field: str | None,
    reason: str | None,
) -> list[str]:
    """Give the record the values it had at `to_version` (all editable fields, or one), as a new
    version; returns the fields changed. Refuses a record changed since the page was opened."""
    model = MODELS[target]
    obj: Any = session.get(model, row_id)
    if obj is None:
        raise Refusal(f"This {target} no longer exists: restore it from Recently deleted first.")
    if seen_version != obj.version:
        raise StaleRevert(
            f"Nothing was reverted: someone changed this {target} after you opened its history "
            f"(it is now at version {obj.version}). Check the newest version and try again."
        )
    old = history_of(session, target=target, row_id=row_id).version(to_version)
    if old is None:
        raise Refusal(f"There is no version {to_version} of this {target} to revert to.")
    fields = [field] if field else list(EDITABLE[target])
    if any(name not in EDITABLE[target] for name in fields):
        raise Refusal(f"{field!r} is not a field of a {target} that can be reverted.")
    changed = _apply(session, obj, {name: old.values[name] for name in fields})
    if not changed:
        raise Refusal(f"Nothing was reverted: the {target} already has those values.")
    audit.begin_change_set(session, kind="revert", target=target, reason=reason)
    session.flush()  # the recorder images the row before the UPDATE; the audit entry follows
    return changed


def _apply(session: Session, obj: Any, values: dict[str, Any]) -> list[str]:
    changed = []
    for key, raw in values.items():
        value = _python_value(key, raw)
        if getattr(obj, key) == value:
            continue
        _check(session, obj, key, value)
        setattr(obj, key, value)
        changed.append(key)
    return changed


def _check(session: Session, obj: Any, key: str, value: Any) -> None:
    if key == "email":
        other = session.scalar(select(User.id).where(User.email == value, User.id != obj.id))
        if other is not None:
            raise Refusal(f"Nothing was reverted: user #{other} now has the email {value}.")
    if key == "organizer_id" and session.get(User, value) is None:
        raise Refusal(
            f"Nothing was reverted: the organizer of that version (user #{value}) no longer "
            "exists. Restore them from Recently deleted first, or revert another field."
        )
