"""The database before and after a request: every row of users, events, staff and saved views,
and the row counts of the append-only tables (audit, change sets, row images), so a test can say
exactly what a request changed."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import Engine, Table, func, select

from admin_app.db import Base
from admin_app.models import ImagePack

Row = dict[str, Any]
ROW_TABLES: Final = ("users", "events", "staff", "saved_views")
COUNTED_TABLES: Final = (
    "audit_log",
    "change_sets",
    "row_images",
    "login_attempts",
    "recovery_codes",
)
# What a diff counts when nothing was appended: the base of an expected `Diff.counts`.
NO_COUNTS: Final = dict.fromkeys(COUNTED_TABLES, 0)
# A delete's images wait in one pack until a reader unpacks them (history/images.py): a pack counts
# as the images it holds, so a delete adds its images at once and unpacking them changes nothing.
PACKED_IMAGES: Final = select(func.coalesce(func.sum(ImagePack.row_count), 0))
# Stamped by every successful login; not a change the request asked for.
IGNORED_COLUMNS: Final = {"staff": {"last_login_at"}}


@dataclass(frozen=True)
class Snapshot:
    rows: dict[str, dict[int, Row]]
    counts: dict[str, int]


@dataclass(frozen=True)
class Diff:
    added: dict[str, dict[int, Row]]
    removed: dict[str, dict[int, Row]]
    changed: dict[str, dict[int, tuple[Row, Row]]]
    counts: dict[str, int]

    def rows_touched(self) -> dict[str, int]:
        touched = {}
        for table in ROW_TABLES:
            total = len(self.added[table]) + len(self.removed[table]) + len(self.changed[table])
            if total:
                touched[table] = total
        return touched

    def describe(self) -> str:
        parts = [f"{table}: {count} row(s) touched" for table, count in self.rows_touched().items()]
        parts += [f"{table} {delta:+d}" for table, delta in self.counts.items() if delta]
        for table in ROW_TABLES:
            for pk, (old, new) in list(self.changed[table].items())[:3]:
                fields = {k: (old[k], new[k]) for k in new if old.get(k) != new[k]}
                parts.append(f"{table} #{pk} changed {fields!r}"[:300])
        return "; ".join(parts) or "nothing changed"


def snapshot(engine: Engine) -> Snapshot:
    tables: Mapping[str, Table] = Base.metadata.tables
    rows: dict[str, dict[int, Row]] = {}
    with engine.connect() as conn:
        for name in ROW_TABLES:
            ignored = IGNORED_COLUMNS.get(name, set())
            columns = [column for column in tables[name].columns if column.name not in ignored]
            rows[name] = {row.id: dict(row._mapping) for row in conn.execute(select(*columns))}
        counts = {
            name: int(conn.scalar(select(func.count()).select_from(tables[name])) or 0)
            for name in COUNTED_TABLES
        }
        counts["row_images"] += int(conn.scalar(PACKED_IMAGES) or 0)
    return Snapshot(rows=rows, counts=counts)


def diff(before: Snapshot, after: Snapshot) -> Diff:
    added: dict[str, dict[int, Row]] = {}
    removed: dict[str, dict[int, Row]] = {}
    changed: dict[str, dict[int, tuple[Row, Row]]] = {}
    for table in ROW_TABLES:
        old, new = before.rows[table], after.rows[table]
        added[table] = {pk: row for pk, row in new.items() if pk not in old}
        removed[table] = {pk: row for pk, row in old.items() if pk not in new}
        changed[table] = {
            pk: (old[pk], row) for pk, row in new.items() if pk in old and old[pk] != row
        }
    counts = {table: after.counts[table] - before.counts[table] for table in COUNTED_TABLES}
    return Diff(added=added, removed=removed, changed=changed, counts=counts)
