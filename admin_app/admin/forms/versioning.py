"""Lost-update protection: a form carries the row version it was opened at."""

from typing import Any

from sqladmin import ModelView
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from starlette.requests import Request
from wtforms import Form, HiddenField

from admin_app.admin.core.ids import parse_id
from admin_app.models import AuditEntry

# The hidden form field with the version the form was opened at.
VERSION_FIELD = "version"
# The version read in the check before the save, carried in the data SQLAdmin hands to
# on_model_change (the save's own transaction), where it is compared once more and removed.
EXPECTED_VERSION = "_expected_version"
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
    if version is not None and VERSION_FIELD in form:
        form[VERSION_FIELD].data = version


class VersionedView(ModelView):
    """Forms of versioned models carry the version they were opened at; a save from an older
    version is refused with what changed since (checked before, and again inside, the save)."""

    @property
    def versioned(self) -> bool:
        return sa_inspect(self.model).version_id_col is not None

    async def scaffold_form(self, rules: list[str] | None = None) -> type[Form]:
        form = await super().scaffold_form(rules)
        if not self.versioned:
            return form
        return type(form.__name__, (form,), {VERSION_FIELD: HiddenField()})

    async def get_form_data_for_edit(self, obj: Any) -> dict[str, Any]:
        data = await super().get_form_data_for_edit(obj)
        if self.versioned:
            data[VERSION_FIELD] = obj.version
        return data

    def check_version(self, session: Session, data: dict[str, Any], *, pk: str | None) -> None:
        """Before a save: refuse (StaleEdit) a form opened at an older version; the version read
        travels on in `data` (EXPECTED_VERSION). The version field is taken out of `data`."""
        if not self.versioned:
            return
        seen = seen_version(data)
        if pk is None:
            return
        version_column: Any = sa_inspect(self.model).version_id_col
        # SQLAdmin's (private) statement for one row by its URL key; strict.py checks the key.
        current = session.scalar(self._stmt_by_identifier(pk).with_only_columns(version_column))
        if current is not None and seen != current:
            noun = self.name.lower()
            raise stale_edit(
                session, target=self.identity, noun=noun, pk=pk, seen=seen, current=current
            )
        data[EXPECTED_VERSION] = current

    async def on_model_change(
        self, data: dict[str, Any], model: Any, is_created: bool, request: Request
    ) -> None:
        expected = data.pop(EXPECTED_VERSION, None)
        changed = model is not None and expected is not None and model.version != expected
        if changed and not is_created:
            # Saved by someone between our check and this transaction's read of the row.
            raise StaleDataError(f"{self.name} {model} changed while saving")
