"""Lost-update protection: a form carries the row version it was opened at."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.requests import Request

from admin_app.admin.ids import parse_id
from admin_app.models import AuditEntry

VERSION_FIELD = "version"
_CURRENT_VERSION_STATE = "current_version"
# Changes listed in a refusal; older ones are in the object's history.
CHANGES_SHOWN = 5


class StaleEdit(Exception):
    """Someone saved the row after this form was opened; str() explains what changed."""

    def __init__(self, message: str, *, current_version: int) -> None:
        super().__init__(message)
        self.current_version = current_version


def seen_version(data: dict[str, Any]) -> int | None:
    """The version the form was opened at (removed from the data to save)."""
    raw = str(data.pop(VERSION_FIELD, "") or "")
    return parse_id(raw)


def stale_edit(
    session: Session, *, target: str, noun: str, pk: str, seen: int | None, current: int
) -> StaleEdit:
    entries = session.scalars(
        select(AuditEntry)
        .where(
            AuditEntry.target == target,
            AuditEntry.target_id == pk,
            AuditEntry.version > (seen or 0),
        )
        .order_by(AuditEntry.id.desc())
        .limit(CHANGES_SHOWN)
    ).all()
    changes = "; ".join(_describe(entry) for entry in reversed(entries))
    message = (
        f"Nothing was saved: someone else changed this {noun} after you opened the form. "
        f"{'Changes since: ' + changes + '. ' if changes else ''}"
        "Your values are still in the form: check them against the changes and save again."
    )
    return StaleEdit(message, current_version=current)


def _describe(entry: AuditEntry) -> str:
    fields = ", ".join(
        f"{name} {before!r} → {after!r}" for name, (before, after) in (entry.changes or {}).items()
    )
    return f"{entry.staff_email} at {entry.at:%Y-%m-%d %H:%M} UTC: {fields or entry.summary}"


def remember_current_version(request: Request, version: int) -> None:
    setattr(request.state, _CURRENT_VERSION_STATE, version)


def refresh_form_version(form: Any, request: Request) -> None:
    """After a refusal, the re-shown form carries today's version so a second save can work."""
    version = getattr(request.state, _CURRENT_VERSION_STATE, None)
    field = form._fields.get(VERSION_FIELD)
    if version is not None and field is not None:
        field.data = version
