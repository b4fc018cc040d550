"""The dry run: every row of the file read into the staging table (import_rows) with the forms'
rules cell by cell, then the rules that need the whole file or the database applied set-based
(a key twice in the file, an organizer or id that does not exist, an email another user has),
and each row classified: create, update, unchanged, skip or error. Nothing outside the import's
own tables is written."""

import queue
import threading
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
    case,
    cast,
    delete,
    exists,
    false,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    true,
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
    """Read the file into the staging table, a batch per transaction; returns the rows read.

    A second thread writes each batch while this one reads and checks the next: the database
    driver lets go of the interpreter while it writes, so the two overlap (a third faster)."""
    with session_for() as session, session.begin():
        session.execute(delete(ImportRow).where(ImportRow.import_id == plan.import_id))
        session.execute(delete(ImportProblem).where(ImportProblem.import_id == plan.import_id))

    def write(batch: _Batch) -> None:
        with session_for() as session, session.begin():
            _write(session, batch)

    read = 0
    with Beside(write) as writer:
        for batch in _batches(plan, path):
            writer.put(batch)
            read += len(batch.rows)
            progress(read)
    with session_for() as session, session.begin():
        if session.get_bind().dialect.name == "postgresql":
            # The planner's figures for the rows just written: without them it takes a
            # million staged rows for a few and joins them a row at a time.
            session.execute(text("ANALYZE import_rows"))
    return read


class Beside:
    """Runs `work` on each item put, in a thread of its own, one item behind the caller; the
    first error it meets is raised in the caller (at the next put, or on leaving)."""

    def __init__(self, work: Callable[[Any], None]) -> None:
        self._work = work
        self._items: queue.Queue[Any] = queue.Queue(maxsize=1)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "Beside":
        self._thread.start()
        return self

    def put(self, item: Any) -> None:
        self._raise()
        self._items.put(item)

    def __exit__(self, *exc: object) -> None:
        self._items.put(_DONE)
        self._thread.join()
        if exc[0] is None:
            self._raise()

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        while (item := self._items.get()) is not _DONE:
            if self._error is None:
                try:
                    self._work(item)
                except BaseException as error:  # handed to the caller's thread
                    self._error = error


_DONE = object()


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
    do; returns the counts by action (and "rows").

    Each staged row is rewritten once (`_decide`: its organizer, the row it matches and its
    action, from one query joining the staging table to the live tables); only the rows with a
    problem are touched again. A million-row UPDATE costs seconds on PostgreSQL, each time."""
    mine = ImportRow.import_id == plan.import_id
    if plan.identity == "user":
        key = ImportRow.key_id if plan.mapped("id") else ImportRow.email
        _refuse_repeats(session, plan, key, "id" if plan.mapped("id") else "email")
        if plan.mapped("id") and plan.mapped("email"):
            _refuse_repeats(session, plan, ImportRow.email, "email")
    else:
        _refuse_repeats(session, plan, ImportRow.key_id, "id")
    _decide(session, plan)
    _refuse_unknown(session, plan)
    if plan.identity == "user" and plan.mapped("id") and plan.mapped("email"):
        _refuse_taken_emails(session, plan)
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


def _flag(
    session: Session,
    plan: Plan,
    which: Any,
    column: str,
    value: Any,
    message: Any,
    *,
    among: Any = None,
) -> None:
    """Record a problem for the rows `which` selects (among the pending ones, unless told),
    and take them out."""
    open_rows = and_(
        ImportRow.import_id == plan.import_id,
        ImportRow.action == NEW if among is None else among,
        which,
    )
    columns = ["import_id", "row_no", "column", "value", "message"]
    rows = problem_rows(plan, open_rows, column, value, message)
    session.execute(insert(ImportProblem).from_select(columns, rows))
    session.execute(update(ImportRow).where(open_rows).values(action=ERROR))


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
        among=ImportRow.action.in_((CREATE, UPDATE, UNCHANGED, SKIP)),
    )


def _decide(session: Session, plan: Plan) -> None:
    """Every pending row's organizer, match and action, each row written once: the rows that
    match a live row (an inner join on the key: rows without a key never enter a hash, where a
    million NULL keys once made PostgreSQL's hash join spill for minutes), then the rest. A row
    whose organizer or id names nothing stays pending for `_refuse_unknown`."""
    model = _TARGETS[plan.identity]
    row = ImportRow
    sources: Any = ImportRow.__table__
    organizer: Any = row.organizer_id
    organizer_known: Any = true()
    if plan.identity == "event" and plan.mapped("organizer"):
        by_email = aliased(User)
        sources = sources.outerjoin(by_email, by_email.email == row.organizer_ref)
        organizer = case((row.organizer_ref.is_not(None), by_email.id), else_=row.organizer_id)
        by_id = exists().where(User.id == row.organizer_id)
        organizer_known = case(
            (row.organizer_ref.is_not(None), by_email.id.is_not(None)), else_=by_id
        )
    if plan.mapped("id"):
        key: Any = model.id == row.key_id
    elif plan.identity == "user":
        key = model.email == row.email
    else:
        key = None  # events without ids: all created
    if key is not None:
        if plan.mode == "create_only":
            when_found: Any = literal(SKIP)
        elif plan.skip_unchanged:
            differs = _differs(plan, model, organizer)
            when_found = case((differs, literal(UPDATE)), else_=literal(UNCHANGED))
        else:
            when_found = literal(UPDATE)
        found = case((organizer_known, when_found), else_=literal(NEW))
        _set_decided(
            session,
            plan,
            sources.join(model, key),
            organizer,
            found,
            target=(model.id, model.version),
        )
    unknown_key = (
        and_(row.key_id.is_not(None), row.target_id.is_(None)) if plan.mapped("id") else false()
    )
    when_new = literal(SKIP if plan.mode == "update_only" else CREATE)
    created = case((or_(~organizer_known, unknown_key), literal(NEW)), else_=when_new)
    _set_decided(session, plan, sources, organizer, created, target=None)


def _set_decided(
    session: Session,
    plan: Plan,
    sources: Any,
    organizer: Any,
    action: Any,
    *,
    target: tuple[Any, Any] | None,
) -> None:
    # UPDATE ... FROM (a query over the staging table and its joins) on the row's key.
    columns = [
        ImportRow.row_no.label("row_no"),
        organizer.label("organizer_id"),
        action.label("action"),
    ]
    pending = _pending(plan)
    if target is not None:
        columns += [target[0].label("target_id"), target[1].label("target_version")]
    else:
        pending = and_(pending, ImportRow.target_id.is_(None))
    decided = select(*columns).select_from(sources).where(pending).subquery()
    values: dict[str, Any] = {"organizer_id": decided.c.organizer_id, "action": decided.c.action}
    if target is not None:
        values.update(target_id=decided.c.target_id, target_version=decided.c.target_version)
    session.execute(
        update(ImportRow)
        .where(ImportRow.import_id == plan.import_id, ImportRow.row_no == decided.c.row_no)
        .values(**values)
    )


def _differs(plan: Plan, model: Any, organizer: Any) -> ColumnElement[bool]:
    """A matched row whose mapped fields differ from the database's (`organizer`: the file's
    organizer as resolved)."""
    if plan.identity == "user":
        changes = [model.email.is_distinct_from(ImportRow.email)] if plan.mapped("email") else []
        return or_(false(), *changes)
    compared = {
        "title": (model.title, ImportRow.title),
        "date_of": (model.date_of, ImportRow.date_of),
        "social_status": (cast(model.social_status, String), ImportRow.social_status),
        "organizer": (model.organizer_id, organizer),
    }
    return or_(
        false(),
        *(now.is_distinct_from(new) for name, (now, new) in compared.items() if plan.mapped(name)),
    )


def _refuse_unknown(session: Session, plan: Plan) -> None:
    """The rows `_decide` left pending: an organizer or an id that names nothing."""
    if plan.identity == "event" and plan.mapped("organizer"):
        column = column_of(plan, "organizer")
        _flag(
            session,
            plan,
            and_(ImportRow.organizer_ref.is_not(None), ImportRow.organizer_id.is_(None)),
            column,
            ImportRow.organizer_ref,
            literal("No user has this email; the organizer must be a user already."),
        )
        _flag(
            session,
            plan,
            and_(
                ImportRow.organizer_ref.is_(None),
                ImportRow.organizer_id.is_not(None),
                ~exists().where(User.id == ImportRow.organizer_id),
            ),
            column,
            ImportRow.organizer_id,
            literal("There is no user with this id."),
        )
    if plan.mapped("id"):
        _flag(
            session,
            plan,
            and_(ImportRow.key_id.is_not(None), ImportRow.target_id.is_(None)),
            column_of(plan, "id"),
            ImportRow.key_id,
            literal(
                f"There is no {plan.identity} with this id (leave the id empty to create one)."
            ),
        )
