"""The dry run: every row of the file read into the staging table (import_rows) with the forms'
rules cell by cell, then the rules that need the whole file or the database applied set-based
(a key twice in the file, an organizer or id that does not exist, an email another user has),
and each row classified: create, update, unchanged, skip or error. Nothing outside the import's
own tables is written."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    and_,
    cast,
    delete,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session, aliased

from admin_app.admin.imports.fields import CellProblem, field_map, unguarded
from admin_app.admin.imports.reading import FileProblem, Layout, rows
from admin_app.models import (
    PROBLEM_VALUE_MAX_LENGTH,
    Event,
    Import,
    ImportProblem,
    ImportRow,
    User,
)

# Rows read and written to the staging table at a time (and progress reported).
BATCH_ROWS = 5_000
# The most rows one file may hold (docs/IMPORTS.md).
MAX_ROWS = 2_000_000
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
# Staging columns, in the order rows are written.
_STAGED = (
    "import_id",
    "row_no",
    "action",
    "key_id",
    "email",
    "title",
    "date_of",
    "social_status",
    "organizer_ref",
    "organizer_id",
)
_TARGETS: dict[str, Any] = {"user": User, "event": Event}
# Where each field's value goes in a staged row (the organizer: one of the last two).
_SLOTS = {
    name: _STAGED.index(column)
    for name, column in [
        ("id", "key_id"),
        ("email", "email"),
        ("title", "title"),
        ("date_of", "date_of"),
        ("social_status", "social_status"),
    ]
}
_DATE = _STAGED.index("date_of")
_ORGANIZER_REF = _STAGED.index("organizer_ref")
_ORGANIZER_ID = _STAGED.index("organizer_id")


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


@dataclass
class _Batch:
    rows: list[list[Any]] = field(default_factory=list)
    problems: list[dict[str, Any]] = field(default_factory=list)


def mapping_problems(identity: str, mapping: list[str], mode: str) -> list[str]:
    """Why this mapping cannot be checked (said on the mapping form), or nothing."""
    fields = field_map(identity)
    problems = []
    chosen = [name for name in mapping if name]
    for name in sorted({name for name in chosen if chosen.count(name) > 1}):
        problems.append(f"{fields[name].label} is chosen for more than one column.")
    if unknown := [name for name in chosen if name not in fields]:
        problems.append(f"There is no field {unknown[0]!r} to import.")
    if mode not in MODES:
        problems.append("Choose what to do with rows found and not found.")
    keys = {"user": ("id", "email"), "event": ("id",)}[identity]
    if mode == "update_only" and not any(key in chosen for key in keys):
        names = " or ".join(fields[key].label for key in keys)
        problems.append(f"Only updating needs a column that finds the rows: {names}.")
    if mode != "update_only":
        missing = [f.label for f in fields.values() if f.needed_to_create and f.name not in chosen]
        if missing:
            problems.append(
                f"To create rows the file needs {', '.join(missing)}: choose the columns that "
                "hold them, or choose to only update."
            )
    if not chosen:
        problems.append("Choose at least one column to import.")
    return problems


def stage(
    session_for: Callable[[], Session],
    plan: Plan,
    path: Path,
    progress: Callable[[int], None],
) -> int:
    """Read the file into the staging table, a batch per transaction; returns the rows read."""
    with session_for() as session, session.begin():
        session.execute(delete(ImportRow).where(ImportRow.import_id == plan.import_id))
        session.execute(delete(ImportProblem).where(ImportProblem.import_id == plan.import_id))
    read = 0
    for batch in _batches(plan, path):
        with session_for() as session, session.begin():
            _write(session, batch)
        read += len(batch.rows)
        progress(read)
    return read


def _batches(plan: Plan, path: Path) -> Iterator[_Batch]:
    # Rows are lists in _STAGED order: a million rows are built here, so no dict per row.
    fields = field_map(plan.identity)
    columns = [
        (
            index,
            fields[name].check,
            _SLOTS.get(name),
            plan.headers[index] if index < len(plan.headers) else "",
        )
        for index, name in enumerate(plan.mapping)
        if name
    ]
    batch = _Batch()
    source = rows(path, plan.layout)
    next(source, None)  # the header row
    for row_no, cells in enumerate(source, start=2):
        if not "".join(cells).strip():
            continue  # a blank line, or a sheet's empty row
        if row_no - 1 > MAX_ROWS:
            raise FileProblem(f"The file has more than {MAX_ROWS:,} rows; split it.")
        staged: list[Any] = [plan.import_id, row_no, NEW, None, None, None, None, None, None, None]
        width = len(cells)
        for index, check, slot, header in columns:
            text = cells[index] if index < width else ""
            if text[:1] == "'":
                text = unguarded(text)
            try:
                value = check(text)
            except CellProblem as problem:
                staged[2] = ERROR
                batch.problems.append(_problem(plan.import_id, row_no, header, text, str(problem)))
                continue
            if slot is not None:
                staged[slot] = value
            elif isinstance(value, int):
                staged[_ORGANIZER_ID] = value  # an id names the user at once
            else:
                staged[_ORGANIZER_REF] = value  # an email is looked up set-based below
        batch.rows.append(staged)
        if len(batch.rows) >= BATCH_ROWS:
            yield batch
            batch = _Batch()
    if batch.rows:
        yield batch


def _problem(import_id: int, row_no: int, column: str, value: str, message: str) -> dict[str, Any]:
    cut = PROBLEM_VALUE_MAX_LENGTH
    shown = value.replace("\x00", "")
    return {
        "import_id": import_id,
        "row_no": row_no,
        "column": column[:cut],
        "value": shown if len(shown) <= cut else shown[: cut - 1] + "…",
        "message": message[:500],
    }


def _write(session: Session, batch: _Batch) -> None:
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # COPY: the fastest way in, a row at a time through psycopg's own encoder.
        raw = connection.connection.driver_connection
        assert raw is not None
        columns = ", ".join(_STAGED)
        with raw.cursor().copy(f"COPY import_rows ({columns}) FROM STDIN") as copy:
            for staged in batch.rows:
                copy.write_row(staged)
    else:
        marks = ", ".join("?" for _ in _STAGED)
        connection.exec_driver_sql(
            f"INSERT INTO import_rows ({', '.join(_STAGED)}) VALUES ({marks})",
            [_sqlite_row(staged) for staged in batch.rows],
        )
    if batch.problems:
        connection.execute(insert(ImportProblem), batch.problems)


def _sqlite_row(staged: list[Any]) -> tuple[Any, ...]:
    # SQLite keeps a date as its ISO text (what the Date type writes).
    if staged[_DATE] is None:
        return tuple(staged)
    return (*staged[:_DATE], staged[_DATE].isoformat(), *staged[_DATE + 1 :])


# --- The set-based rules ----------------------------------------------------------------------


def classify(session: Session, plan: Plan) -> dict[str, int]:
    """Apply the rules that need the whole file or the database, and say what each row would
    do; returns the counts by action (and "rows")."""
    mine = ImportRow.import_id == plan.import_id
    if plan.identity == "user":
        key = ImportRow.key_id if plan.mapped("id") else ImportRow.email
        _refuse_repeats(session, plan, key, "id" if plan.mapped("id") else "email")
        if plan.mapped("id") and plan.mapped("email"):
            _refuse_repeats(session, plan, ImportRow.email, "email")
        _match(session, plan)
        if plan.mapped("id") and plan.mapped("email"):
            _refuse_taken_emails(session, plan)
    else:
        _refuse_repeats(session, plan, ImportRow.key_id, "id")
        _resolve_organizers(session, plan)
        _match(session, plan)
    _decide(session, plan)
    counted = session.execute(
        select(ImportRow.action, func.count()).where(mine).group_by(ImportRow.action)
    ).all()
    counts = dict.fromkeys(ACTIONS, 0) | {str(action): int(n) for action, n in counted}
    counts["rows"] = sum(counts[action] for action in ACTIONS)
    return counts


def _pending(plan: Plan) -> ColumnElement[bool]:
    return and_(ImportRow.import_id == plan.import_id, ImportRow.action == NEW)


def column_of(plan: Plan, name: str) -> str:
    # The header of the column mapped to `name` (what the error file names).
    return plan.headers[plan.mapping.index(name)] if name in plan.mapping else name


def _as_text(value: Any) -> Any:
    return func.coalesce(cast(value, String), "")


def problem_rows(plan: Plan, which: Any, column: str, value: Any, message: Any) -> Select[Any]:
    """Problem rows (for the error file) of the staged rows `which` selects."""
    return select(
        literal(plan.import_id, Integer),
        ImportRow.row_no,
        literal(column, String),
        func.substr(_as_text(value), 1, PROBLEM_VALUE_MAX_LENGTH),
        message,
    ).where(which)


def _flag(session: Session, plan: Plan, which: Any, column: str, value: Any, message: Any) -> None:
    """Record a problem for the pending rows `which` selects, and take them out."""
    columns = ["import_id", "row_no", "column", "value", "message"]
    rows = problem_rows(plan, and_(_pending(plan), which), column, value, message)
    session.execute(insert(ImportProblem).from_select(columns, rows))
    session.execute(update(ImportRow).where(_pending(plan), which).values(action=ERROR))


def _refuse_repeats(session: Session, plan: Plan, key: Any, name: str) -> None:
    # A key on more than one row: which row wins would be a guess, so none does.
    repeats = (
        select(key.label("key"), func.min(ImportRow.row_no).label("first"))
        .where(_pending(plan), key.is_not(None))
        .group_by(key)
        .having(func.count() > 1)
        .subquery()
    )
    first = select(repeats.c.first).where(repeats.c.key == key).scalar_subquery()
    message = (
        literal("The same ")
        + literal(name)
        + literal(" is on more than one row (first on row ")
        + cast(first, String)
        + literal("): keep one of them.")
    )
    which = key.in_(select(repeats.c.key))
    _flag(session, plan, which, column_of(plan, name), key, message)


def _resolve_organizers(session: Session, plan: Plan) -> None:
    if not plan.mapped("organizer"):
        return
    found = select(User.id).where(User.email == ImportRow.organizer_ref).scalar_subquery()
    session.execute(
        update(ImportRow)
        .where(_pending(plan), ImportRow.organizer_ref.is_not(None))
        .values(organizer_id=found)
    )
    column = column_of(plan, "organizer")
    nobody = ~exists().where(User.id == ImportRow.organizer_id)
    by_email = literal("No user has this email; the organizer must be a user already.")
    _flag(
        session,
        plan,
        and_(ImportRow.organizer_ref.is_not(None), ImportRow.organizer_id.is_(None)),
        column,
        ImportRow.organizer_ref,
        by_email,
    )
    _flag(
        session,
        plan,
        and_(ImportRow.organizer_ref.is_(None), ImportRow.organizer_id.is_not(None), nobody),
        column,
        ImportRow.organizer_id,
        literal("There is no user with this id."),
    )


def _match(session: Session, plan: Plan) -> None:
    model = _TARGETS[plan.identity]
    if plan.mapped("id"):
        target = select(model.id).where(model.id == ImportRow.key_id)
        version = select(model.version).where(model.id == ImportRow.key_id)
        with_key = and_(_pending(plan), ImportRow.key_id.is_not(None))
        session.execute(
            update(ImportRow)
            .where(with_key)
            .values(target_id=target.scalar_subquery(), target_version=version.scalar_subquery())
        )
        noun = plan.identity
        _flag(
            session,
            plan,
            and_(ImportRow.key_id.is_not(None), ImportRow.target_id.is_(None)),
            column_of(plan, "id"),
            ImportRow.key_id,
            literal(f"There is no {noun} with this id (leave the id empty to create one)."),
        )
    elif plan.identity == "user":
        session.execute(
            update(ImportRow)
            .where(_pending(plan), ImportRow.email == User.email)
            .values(target_id=User.id, target_version=User.version)
        )


def _refuse_taken_emails(session: Session, plan: Plan) -> None:
    other = aliased(User)
    taken = exists().where(
        other.email == ImportRow.email,
        or_(ImportRow.target_id.is_(None), other.id != ImportRow.target_id),
    )
    _flag(
        session,
        plan,
        and_(ImportRow.email.is_not(None), taken),
        column_of(plan, "email"),
        ImportRow.email,
        literal("Another user has this email."),
    )


def _differs(plan: Plan) -> ColumnElement[bool]:
    """A matched row whose mapped fields differ from the database's."""
    if plan.identity == "user":
        changes = [User.email.is_distinct_from(ImportRow.email)] if plan.mapped("email") else []
        return exists().where(User.id == ImportRow.target_id, or_(False, *changes))
    compared = {
        "title": Event.title,
        "date_of": Event.date_of,
        "social_status": cast(Event.social_status, String),
        "organizer": Event.organizer_id,
    }
    staged = {
        "title": ImportRow.title,
        "date_of": ImportRow.date_of,
        "social_status": ImportRow.social_status,
        "organizer": ImportRow.organizer_id,
    }
    changes = [
        compared[name].is_distinct_from(staged[name]) for name in compared if plan.mapped(name)
    ]
    return exists().where(Event.id == ImportRow.target_id, or_(False, *changes))


def _decide(session: Session, plan: Plan) -> None:
    found = ImportRow.target_id.is_not(None)
    if plan.mode == "create_only":
        session.execute(update(ImportRow).where(_pending(plan), found).values(action=SKIP))
    elif plan.skip_unchanged:
        session.execute(
            update(ImportRow).where(_pending(plan), found, ~_differs(plan)).values(action=UNCHANGED)
        )
    session.execute(update(ImportRow).where(_pending(plan), found).values(action=UPDATE))
    not_found = ImportRow.target_id.is_(None)
    new_action = SKIP if plan.mode == "update_only" else CREATE
    session.execute(update(ImportRow).where(_pending(plan), not_found).values(action=new_action))
