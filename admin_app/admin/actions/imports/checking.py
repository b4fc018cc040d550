"""The dry run: every row of the file read with the forms' rules cell by cell, matched and
decided a batch at a time (matching.py), and written to the staging table (import_rows) once;
then the rule that needs the whole file (a key on two rows) applied set-based, and the rows
counted by what Confirm would do: create, update, unchanged, skip or error. Nothing outside the
import's own tables is written."""

import csv
import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Integer,
    Select,
    String,
    and_,
    cast,
    delete,
    func,
    insert,
    literal,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session

from admin_app.admin.actions.imports.fields import CellProblem, field_map, unguarded
from admin_app.admin.actions.imports.matching import Matcher
from admin_app.admin.actions.imports.reading import FileProblem, rows
from admin_app.admin.actions.imports.staged import (
    ACTION,
    COLUMNS,
    ERROR,
    MODES,
    NEW,
    ORGANIZER_ID,
    ORGANIZER_REF,
    SLOTS,
    Batch,
    Plan,
    counted,
    problem,
)
from admin_app.jobs.beside import Beside
from admin_app.models import PROBLEM_VALUE_MAX_LENGTH, ImportProblem, ImportRow

# Rows read, decided and written to the staging table at a time (and progress reported).
BATCH_ROWS = 10_000
# The most rows one file may hold (docs/IMPORTS.md).
MAX_ROWS = 2_000_000


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
    """Read, decide and write the file's rows, a batch per transaction; returns the rows read.

    A second thread decides and writes each batch while this one reads and checks the next: the
    database driver lets go of the interpreter while it waits, so the two overlap."""
    with session_for() as session, session.begin():
        session.execute(delete(ImportRow).where(ImportRow.import_id == plan.import_id))
        session.execute(delete(ImportProblem).where(ImportProblem.import_id == plan.import_id))
        postgres = session.get_bind().dialect.name == "postgresql"
    matcher = Matcher(plan)

    def write(batch: Batch) -> None:
        with session_for() as session, session.begin():
            matcher.decide(session, batch)
            _write(session, batch)

    read = 0
    # On SQLite the writing is Python as much as the reading (its driver binds each value):
    # a second thread only made both wait for the interpreter.
    with Beside(write, threaded=postgres) as writer:
        for batch in _batches(plan, path):
            writer.put(batch)
            read += len(batch.rows)
            progress(read)
    with session_for() as session, session.begin():
        if session.get_bind().dialect.name == "postgresql":
            # The planner's figures for the rows just written (the commit pages through them
            # by row number): without them it takes a million rows for a few.
            session.execute(text("ANALYZE import_rows"))
    return read


def _batches(plan: Plan, path: Path) -> Iterator[Batch]:
    # Rows are lists in COLUMNS order: a million rows are built here, so no dict per row.
    fields = field_map(plan.identity)
    columns = [
        (index, fields[name].check, SLOTS.get(name), header)
        for index, (name, header) in enumerate(zip(plan.mapping, plan.headers, strict=False))
        if name
    ]
    batch = Batch()
    staged_rows, problems = batch.rows, batch.problems
    source = rows(path, plan.layout)
    next(source, None)  # the header row
    import_id, organizer_id, organizer_ref = plan.import_id, ORGANIZER_ID, ORGANIZER_REF
    assert len(COLUMNS) == 12, "the row literal below has a place per staging column"
    for row_no, cells in enumerate(source, start=2):
        if not "".join(cells).strip():
            continue  # a blank line, or a sheet's empty row
        if row_no > MAX_ROWS + 1:
            raise FileProblem(f"The file has more than {MAX_ROWS:,} rows; split it.")
        staged = [import_id, row_no, NEW, None, None, None, None, None, None, None, None, None]
        width = len(cells)
        for index, check, slot, header in columns:
            text = cells[index] if index < width else ""
            if text[:1] == "'":
                text = unguarded(text)
            try:
                value = check(text)
            except CellProblem as refused:
                staged[ACTION] = ERROR
                problems.append(problem(import_id, row_no, header, text, str(refused)))
                continue
            if slot is not None:
                staged[slot] = value
            elif isinstance(value, int):
                staged[organizer_id] = value  # an id names the user at once
            else:
                staged[organizer_ref] = value  # an email is looked up with the batch
        staged_rows.append(staged)
        if len(staged_rows) >= BATCH_ROWS:
            yield batch
            batch = Batch()
            staged_rows, problems = batch.rows, batch.problems
    if staged_rows:
        yield batch


def _write(session: Session, batch: Batch) -> None:
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # COPY: the fastest way in, a row at a time through psycopg's own encoder.
        raw = connection.connection.driver_connection
        assert raw is not None
        # The batch as one CSV block, written by csv's C writer (a row at a time through
        # psycopg's dumpers took three times as long). An empty field is NULL in COPY's CSV:
        # no staged text is ever empty (the cells' checks refuse empty values), only None.
        block = io.StringIO()
        csv.writer(block, lineterminator="\n").writerows(batch.rows)
        statement = f"COPY import_rows ({', '.join(COLUMNS)}) FROM STDIN (FORMAT csv)"
        with raw.cursor().copy(statement) as copy:
            copy.write(block.getvalue().encode())
    else:
        # sqlite3's own executemany: the rows as they are (dates are ISO text already).
        marks = ", ".join("?" for _ in COLUMNS)
        raw = connection.connection.driver_connection
        assert raw is not None
        raw.cursor().executemany(
            f"INSERT INTO import_rows ({', '.join(COLUMNS)}) VALUES ({marks})", batch.rows
        )
    if batch.problems:
        connection.execute(insert(ImportProblem), batch.problems)


# --- The rule for the whole file -------------------------------------------------------------


def classify(session: Session, plan: Plan) -> dict[str, int]:
    """Refuse keys on more than one row, and count the rows by what Confirm would do with
    them (and "rows")."""
    if plan.identity == "user":
        key = ImportRow.key_id if plan.mapped("id") else ImportRow.email
        _refuse_repeats(session, plan, key, "id" if plan.mapped("id") else "email")
        if plan.mapped("id") and plan.mapped("email"):
            _refuse_repeats(session, plan, ImportRow.email, "email")
    elif plan.mapped("id"):
        _refuse_repeats(session, plan, ImportRow.key_id, "id")
    return counted(session, plan.import_id)


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


def _refuse_repeats(session: Session, plan: Plan, key: Any, name: str) -> None:
    # A key on more than one row: which row wins would be a guess, so none does (a row with
    # another problem counts too: fixed, it would be the second).
    mine = ImportRow.import_id == plan.import_id
    repeats = (
        select(key.label("key"), func.min(ImportRow.row_no).label("first"))
        .where(mine, key.is_not(None))
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
    which = and_(mine, key.in_(select(repeats.c.key)))
    columns = ["import_id", "row_no", "column", "value", "message"]
    problems = problem_rows(plan, which, plan.column_of(name), key, message)
    session.execute(insert(ImportProblem).from_select(columns, problems))
    session.execute(update(ImportRow).where(which).values(action=ERROR))
