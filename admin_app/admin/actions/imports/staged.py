"""A staged row and what a dry run follows: the plan (list, file layout, mapping, options), the
actions a row can end with, the staging table's columns in the order rows are written, and a
problem as the error file records it."""

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from admin_app.admin.actions.imports.reading import Layout
from admin_app.models import (
    PROBLEM_VALUE_MAX_LENGTH,
    Event,
    Import,
    ImportProblem,
    ImportRow,
    User,
)

NEW, CREATE, UPDATE, UNCHANGED, SKIP, ERROR, STALE = (
    "new",
    "create",
    "update",
    "unchanged",
    "skip",
    "error",
    "stale",
)
ACTIONS = (CREATE, UPDATE, UNCHANGED, SKIP, ERROR, STALE)
MODES = {
    "create_update": "Create new rows and update existing ones",
    "update_only": "Only update existing rows (rows not found are skipped)",
    "create_only": "Only create new rows (rows found are skipped)",
}
TARGETS: dict[str, Any] = {"user": User, "event": Event}
# Staging columns, in the order rows are written (a staged row is a list in this order).
COLUMNS = (
    "import_id",
    "row_no",
    "action",
    "key_id",
    "target_id",
    "target_version",
    "email",
    "title",
    "date_of",
    "social_status",
    "organizer_ref",
    "organizer_id",
)
(
    IMPORT_ID,
    ROW_NO,
    ACTION,
    KEY_ID,
    TARGET_ID,
    TARGET_VERSION,
    EMAIL,
    TITLE,
    DATE_OF,
    SOCIAL_STATUS,
    ORGANIZER_REF,
    ORGANIZER_ID,
) = range(len(COLUMNS))
# Where each field's value goes in a staged row (the organizer: a reference or an id).
SLOTS = {"id": KEY_ID, "email": EMAIL, "title": TITLE, "date_of": DATE_OF}
SLOTS["social_status"] = SOCIAL_STATUS


@dataclass(frozen=True)
class Plan:
    """What the dry run reads: the list, the file's layout and the mapping (column -> field)."""

    import_id: int
    identity: str
    layout: Layout
    headers: list[str]
    mapping: list[str]
    mode: str
    skip_unchanged: bool

    @classmethod
    def of(cls, found: Import) -> "Plan":
        return cls(
            import_id=found.id,
            identity=found.identity,
            layout=Layout(found.file_format, found.encoding, found.delimiter),
            headers=list(found.headers),
            mapping=list(found.mapping),
            mode=found.mode,
            skip_unchanged=found.skip_unchanged,
        )

    def mapped(self, name: str) -> bool:
        return name in self.mapping

    def column_of(self, name: str) -> str:
        """The header of the column mapped to `name` (what the error file names)."""
        return self.headers[self.mapping.index(name)] if name in self.mapping else name


@dataclass
class Batch:
    """Staged rows on their way to the staging table, and the problems found in them."""

    rows: list[list[Any]] = field(default_factory=list)
    problems: list[dict[str, Any]] = field(default_factory=list)


def problem(
    import_id: int, row_no: int, column: str, value: object, message: str
) -> dict[str, Any]:
    """A line of the error file, cut to the columns' sizes."""
    cut = PROBLEM_VALUE_MAX_LENGTH
    shown = ("" if value is None else str(value)).replace("\x00", "")
    return {
        "import_id": import_id,
        "row_no": row_no,
        "column": column[:cut],
        "value": shown if len(shown) <= cut else shown[: cut - 1] + "…",
        "message": message[:500],
    }


def counted(session: Session, import_id: int) -> dict[str, int]:
    """The import's staged rows by action (every action, 0 when none), and "rows"."""
    found = session.execute(
        select(ImportRow.action, func.count())
        .where(ImportRow.import_id == import_id)
        .group_by(ImportRow.action)
    ).all()
    counts = dict.fromkeys(ACTIONS, 0) | {str(action): int(n) for action, n in found}
    counts["rows"] = sum(counts[action] for action in ACTIONS)
    return counts


def discard(session: Session, import_id: int) -> None:
    """An import gone: its staged rows and problems (no foreign key deletes them), then the
    import and, by cascade, its file."""
    session.execute(delete(ImportRow).where(ImportRow.import_id == import_id))
    session.execute(delete(ImportProblem).where(ImportProblem.import_id == import_id))
    session.execute(delete(Import).where(Import.id == import_id))
