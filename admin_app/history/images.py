"""Row images: a user or event as JSON, written and read back set-based, never a loop per row.

Each image is written by one `INSERT ... SELECT` from the live table (`json_object` on SQLite,
`json_build_object` on PostgreSQL) and read back by one `INSERT ... SELECT` or `UPDATE ... FROM`
over the images, so a change set of 100,000 rows costs a few statements and constant memory.
"""

from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    Table,
    cast,
    delete,
    func,
    insert,
    literal,
    literal_column,
    select,
    update,
)
from sqlalchemy.orm import Session

from admin_app import clock
from admin_app.models import Event, RowImage, User

# The models whose rows are kept as images, by their admin view identity.
TABLES: dict[str, Table] = {"user": User.__table__, "event": Event.__table__}  # type: ignore[dict-item]
# The column that names a row among the deleted.
LABELS = {"user": "email", "event": "title"}
# What staff edit, and so what undoing an edit or reverting to a version puts back.
EDITABLE: dict[str, tuple[str, ...]] = {
    "user": ("email",),
    "event": ("title", "date_of", "social_status", "organizer_id"),
}
# Parents first: restore users before their events, delete events before their organizers.
RESTORE_ORDER = ("user", "event")

CREATE, UPDATE, DELETE = "create", "update", "delete"

ImageFilter = ColumnElement[bool]
_IMAGE_COLUMNS = ["change_set_id", "target", "action", "row_id", "version_after", "label", "data"]
# SQLAlchemy drops the row count of an INSERT ... SELECT unless asked to keep it.
_COUNTED = {"preserve_rowcount": True}


def row_json(session: Session, table: Table) -> ColumnElement[Any]:
    """The whole row as one JSON object, built by the database."""
    return _json_of(session, [(column.key, column) for column in table.columns])


def _json_of(session: Session, fields: list[tuple[str, Any]]) -> ColumnElement[Any]:
    pairs: list[Any] = []
    for key, value in fields:
        # Keys are our own column names, inlined: PostgreSQL cannot type a bare parameter here.
        pairs += [literal_column(f"'{key}'"), value]
    sqlite = session.get_bind().dialect.name == "sqlite"
    return (func.json_object if sqlite else func.json_build_object)(*pairs)


def capture(
    session: Session,
    *,
    change_set_id: int,
    target: str,
    action: str,
    ids: Select[Any] | Iterable[int],
    version_bump: int,
) -> int:
    """Image the rows with these ids as they are now; `version_bump` is what the change set
    adds to their version (1 for an update, 0 for a create or a delete)."""
    table = TABLES[target]
    rows = _image_rows(
        change_set_id,
        target,
        action,
        table,
        table.c.version + version_bump,
        row_json(session, table),
    )
    return _insert_images(session, rows.where(table.c.id.in_(ids)))


def _image_rows(
    change_set_id: int, target: str, action: str, source: Any, version: Any, data: Any
) -> Select[Any]:
    # One image per row of `source` (the table, or the rows a DELETE returned).
    return select(
        literal(change_set_id, Integer),
        literal(target, String),
        literal(action, String),
        source.c.id,
        version,
        source.c[LABELS[target]],
        data,
    )


def _insert_images(session: Session, rows: Select[Any]) -> int:
    statement = insert(RowImage).from_select(_IMAGE_COLUMNS, rows)
    return int(session.connection().execute(statement, execution_options=_COUNTED).rowcount)


def delete_rows(
    session: Session, *, change_set_id: int | None, target: str, ids: Select[Any] | list[int]
) -> int:
    """Delete these rows, imaged first when a change set is open (it can bring them back)."""
    table = TABLES[target]
    if change_set_id is not None and session.get_bind().dialect.name == "postgresql":
        return _delete_returning_images(
            session, change_set_id=change_set_id, target=target, ids=ids
        )
    if change_set_id is not None:
        capture(
            session,
            change_set_id=change_set_id,
            target=target,
            action=DELETE,
            ids=ids,
            version_bump=0,
        )
    result = session.connection().execute(delete(table).where(table.c.id.in_(ids)))
    return int(result.rowcount)


def _delete_returning_images(
    session: Session, *, change_set_id: int, target: str, ids: Select[Any] | list[int]
) -> int:
    # PostgreSQL deletes and images in one statement (a data-modifying CTE): the rows are found
    # once, and their images are built from what the DELETE returns.
    table = TABLES[target]
    gone = delete(table).where(table.c.id.in_(ids)).returning(*table.c).cte("gone")
    # row_to_json: the same keys and text as json_build_object (the CTE has the table's columns).
    data = func.row_to_json(literal_column(gone.name))
    return _insert_images(
        session, _image_rows(change_set_id, target, DELETE, gone, gone.c.version, data)
    )


def _value(session: Session, table: Table, key: str) -> ColumnElement[Any]:
    # A typed value from an image; SQLite keeps dates and times as the same text it imaged.
    column = table.c[key]
    field: Any = RowImage.data[key]
    if isinstance(column.type, Integer):
        return field.as_integer()  # type: ignore[no-any-return]
    text: ColumnElement[Any] = field.as_string()
    if session.get_bind().dialect.name == "sqlite":
        return text
    return cast(text, column.type)


def insert_from_images(session: Session, *, target: str, which: ImageFilter) -> int:
    """Put the imaged rows back with their ids, timestamps and relationships; the version is
    bumped, so a form opened before the delete is stale."""
    table = TABLES[target]
    keys = [column.key for column in table.columns]
    values = [
        _value(session, table, key) + 1 if key == "version" else _value(session, table, key)
        for key in keys
    ]
    rows = select(*values).where(RowImage.target == target, which)
    result = session.connection().execute(
        insert(table).from_select(keys, rows), execution_options=_COUNTED
    )
    return int(result.rowcount)


def update_from_images(session: Session, *, target: str, which: ImageFilter) -> int:
    """Put back the editable fields of the imaged rows that are still at the image's
    `version_after` (nothing changed them since); returns how many rows changed."""
    table = TABLES[target]
    values: dict[str, Any] = {key: _value(session, table, key) for key in EDITABLE[target]}
    statement = (
        update(table)
        .where(
            table.c.id == RowImage.row_id,
            table.c.version == RowImage.version_after,
            RowImage.target == target,
            which,
        )
        .values(**values, version=table.c.version + 1, updated_at=clock.now())
    )
    result = session.connection().execute(statement)
    return int(result.rowcount)


def row_ids(target: str, which: ImageFilter) -> Select[Any]:
    """The row ids of the images `which` selects, as a subquery for `capture` and deletes."""
    # Never correlated to a caller that reads the same table: it is a list of ids.
    return select(RowImage.row_id).where(RowImage.target == target, which).correlate(None)


def unchanged_since(target: str, which: ImageFilter) -> Select[Any]:
    """Row ids of these images whose row is still at the image's `version_after`."""
    table = TABLES[target]
    return (
        select(RowImage.row_id)
        .join(table, table.c.id == RowImage.row_id)
        .where(RowImage.target == target, which, table.c.version == RowImage.version_after)
        .correlate(None)
    )
