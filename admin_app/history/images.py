"""Row images: a user or event as JSON, written and read back set-based, never a loop per row.

Each image is written by one `INSERT ... SELECT` from the live table (`json_object` on SQLite,
`json_build_object` on PostgreSQL) and read back by one `INSERT ... SELECT` or `UPDATE ... FROM`
over the images, so a change set of 100,000 rows costs a few statements and constant memory.

A delete packs its images: one `image_packs` row holds the whole batch as a JSON array, because
one image row per deleted row cost a bulk delete 2-3x the raw DELETE on PostgreSQL. Every reader
of images calls `unpack` first, which turns the packs into image rows, so nothing else ever
reads a pack and the image rows stay the one shape history, undo, restore and purge know.
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
    text,
    update,
)
from sqlalchemy.orm import Session

from admin_app import clock
from admin_app.models import Event, ImagePack, RowImage, User

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
_PACK_COLUMNS = ["change_set_id", "target", "action", "row_count", "rows"]
# Rows per pack: about 2.5 MB of JSON for events. A delete of more rows writes more packs, so no
# pack nears PostgreSQL's 1 GB limit on one value (or SQLite's on one string).
PACK_ROWS = 10_000
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
    """Delete these rows; when a change set is open, their images go into one pack first (it
    can bring them back)."""
    table = TABLES[target]
    if change_set_id is not None and session.get_bind().dialect.name == "postgresql":
        return _delete_into_packs(session, change_set_id=change_set_id, target=target, ids=ids)
    if change_set_id is not None:
        chosen = select(row_json(session, table)).where(table.c.id.in_(ids))
        # json(): the object keeps its JSON type through the subquery (else it is packed as text).
        packs = _packs_of(
            change_set_id, target, chosen, lambda doc: func.json_group_array(func.json(doc))
        )
        session.connection().execute(insert(ImagePack).from_select(_PACK_COLUMNS, packs))
    result = session.connection().execute(delete(table).where(table.c.id.in_(ids)))
    return int(result.rowcount)


def _packs_of(change_set_id: int, target: str, docs: Select[Any], aggregate: Any) -> Select[Any]:
    # The packs for rows whose JSON `docs` selects: PACK_ROWS rows to a pack, numbered in turn.
    numbered = docs.add_columns(
        ((func.row_number().over() - 1) // PACK_ROWS).label("pack")
    ).subquery("numbered")
    doc = numbered.c[0]
    return select(
        literal(change_set_id, Integer),
        literal(target, String),
        literal(DELETE, String),
        func.count(),
        aggregate(doc),
    ).group_by(numbered.c.pack)


def _delete_into_packs(
    session: Session, *, change_set_id: int, target: str, ids: Select[Any] | list[int]
) -> int:
    # PostgreSQL deletes and packs in one statement (a data-modifying CTE): the rows are found
    # once, and the packs are built from what the DELETE returns.
    table = TABLES[target]
    gone = delete(table).where(table.c.id.in_(ids)).returning(*table.c).cte("gone")
    # row_to_json: the same keys and text as json_build_object (the CTE has the table's columns).
    docs = select(func.row_to_json(literal_column(gone.name)).label("doc")).select_from(gone)
    packs = _packs_of(change_set_id, target, docs, func.json_agg)
    statement = insert(ImagePack).from_select(_PACK_COLUMNS, packs).returning(ImagePack.row_count)
    return sum(session.connection().execute(statement).scalars())


def unpack(session: Session) -> int:
    """Turn every pack into image rows, in pack order, in the session's transaction; returns
    how many images it wrote. Every reader of images calls this first.

    Two readers never unpack a pack twice: on PostgreSQL the second one's DELETE of the pack
    waits for the first to commit and then finds it gone; on SQLite the first statement takes
    the database's write lock, which the transaction keeps until it ends.
    """
    connection = session.connection()
    if connection.execute(select(ImagePack.id).limit(1)).first() is None:
        return 0
    postgresql = session.get_bind().dialect.name == "postgresql"
    statement = _UNPACK_POSTGRESQL if postgresql else _UNPACK_SQLITE
    written = int(connection.execute(text(statement), execution_options=_COUNTED).rowcount)
    if not postgresql:
        connection.execute(delete(ImagePack))
    return written


def unpack_for_reading(session: Session) -> None:
    """`unpack` for a session that only reads: committed at once, so the next page finds image
    rows and does not unpack the same packs again."""
    if unpack(session):
        session.commit()


# The label is the row's email or title (LABELS); version_after is its version, as a delete
# leaves it. The ORDER BY keeps image ids in the order the rows were packed.
_LABEL_KEY = " ".join(f"WHEN '{target}' THEN '{key}'" for target, key in LABELS.items())
_UNPACK_POSTGRESQL = f"""
WITH taken AS (DELETE FROM image_packs RETURNING id, change_set_id, target, action, rows)
INSERT INTO row_images (change_set_id, target, action, row_id, version_after, label, data)
SELECT taken.change_set_id, taken.target, taken.action,
       CAST(image.value ->> 'id' AS INTEGER), CAST(image.value ->> 'version' AS INTEGER),
       image.value ->> CASE taken.target {_LABEL_KEY} END,
       image.value
FROM taken CROSS JOIN LATERAL json_array_elements(taken.rows) WITH ORDINALITY
     AS image (value, position)
ORDER BY taken.id, image.position
"""
_UNPACK_SQLITE = f"""
INSERT INTO row_images (change_set_id, target, action, row_id, version_after, label, data)
SELECT pack.change_set_id, pack.target, pack.action,
       json_extract(image.value, '$.id'), json_extract(image.value, '$.version'),
       json_extract(image.value, '$.' || CASE pack.target {_LABEL_KEY} END),
       image.value
FROM image_packs AS pack, json_each(pack.rows) AS image
ORDER BY pack.id, image.key
"""


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
