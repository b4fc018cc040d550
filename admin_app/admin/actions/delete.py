"""Bulk delete of a selection, in one transaction with its audit entry (batch.py edits)."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from sqlalchemy import Select, delete
from sqlalchemy.orm import Session

from admin_app import audit
from admin_app.admin.changelist.selection import Selection
from admin_app.admin.core.errors import ActionRefused, refusing
from admin_app.admin.core.wording import counted, plural
from admin_app.history import images


@dataclass(frozen=True)
class Dependents:
    """Rows that a delete would take with it (Django's "related objects" preview)."""

    # The dependents' name, one and several: "event", "events" (the audit key uses `noun`).
    noun: str
    total: int
    # (owner, count) for the owners with the most dependents, for the message.
    top: list[tuple[str, int]] = field(default_factory=list)
    owners: int = 0
    noun_one: str = ""

    @property
    def counted(self) -> str:
        """ "1 event", "2,000 events"."""
        return f"{self.total:,} {plural(self.total, self.noun_one or self.noun, self.noun)}"

    def describe(self) -> str:
        """ "21 events still belong to ann@example.org"; with several owners, each one's share:
        "30 events still belong to ann@example.org (21), bob@example.org (9)"."""
        belong = plural(self.total, "belongs", "belong")
        if len(self.top) == 1 and self.owners == 1:
            return f"{self.counted} still {belong} to {self.top[0][0]}"
        who = ", ".join(f"{owner} ({count:,})" for owner, count in self.top)
        more = f" and {self.owners - len(self.top):,} more" if self.owners > len(self.top) else ""
        return f"{self.counted} still {belong} to {who}{more}"


class DeletableView(Protocol):
    """What a delete needs of a view (admin/base.PanelModelView has it all)."""

    model: ClassVar[type]
    name: ClassVar[str]
    name_plural: ClassVar[str]
    identity: ClassVar[str]

    @property
    def pk_columns(self) -> Sequence[Any]: ...

    def delete_blocker(self, session: Session, ids: Select[Any]) -> str | None: ...

    def dependents(self, session: Session, ids: Select[Any]) -> "Dependents | None": ...

    def delete_dependents(self, session: Session, ids: Select[Any]) -> int: ...


def delete_selection(
    view: DeletableView,
    session: Session,
    ids: Select[Any],
    selection: Selection,
    *,
    cascade: bool,
    may_cascade: bool = False,
    reason: str | None = None,
) -> int:
    """Delete the selection, all or nothing, each row imaged first (Recently deleted can bring
    it back); `cascade` also deletes what depends on it."""
    with refusing("Nothing was deleted."), session.begin():
        if blocker := view.delete_blocker(session, ids):
            raise ActionRefused(f"Nothing was deleted: {blocker}")
        dependents = view.dependents(session, ids)
        extra: dict[str, Any] = {}
        if dependents and not cascade:
            together = (
                "delete them together from “Delete with preview…”"
                if may_cascade
                else "ask an admin to delete them together"
            )
            raise ActionRefused(
                f"Nothing was deleted: {dependents.describe()}. Delete those first, or {together}."
            )
        change_set_id = audit.begin_change_set(
            session,
            kind=_delete_kind(selection, dependents),
            target=view.identity,
            reason=reason,
        )
        if dependents:
            extra[f"{dependents.noun}_deleted"] = view.delete_dependents(session, ids)
        deleted_ids = None if selection.whole_filter else sorted(session.scalars(ids))
        # Ticked rows go to the database as the list they are: as a subquery, PostgreSQL
        # would scan the whole table to match 10,000 ids rather than look each one up.
        count = _delete(view, session, change_set_id, deleted_ids or ids)
        cascaded = f" and {dependents.counted}" if dependents else ""
        audit.record(
            session,
            action="delete",
            target=view.identity,
            summary=f"Deleted {counted(count, view)}{cascaded}",
            changes={**selection.audit_scope(deleted_ids, count), **extra},
            rows=count + (dependents.total if dependents else 0),
        )
        return count


def _delete(
    view: DeletableView, session: Session, change_set_id: int | None, ids: Select[Any] | list[int]
) -> int:
    if view.identity in images.TABLES:
        return images.delete_rows(
            session, change_set_id=change_set_id, target=view.identity, ids=ids
        )
    # Staff accounts are not imaged: a deleted account is recreated, never restored.
    pk = view.pk_columns[0]
    return int(session.execute(delete(view.model).where(pk.in_(ids))).rowcount)  # type: ignore[attr-defined]


def _delete_kind(selection: Selection, dependents: Dependents | None) -> str:
    if dependents:
        return "delete_cascade"
    return "delete" if len(selection.pks) == 1 else "bulk_delete"
