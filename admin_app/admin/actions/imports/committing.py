"""Confirm: the checked rows written in chunks of a few thousand, each chunk its own transaction
that records where it got to (a retry resumes after it), all of them one change set of kind
`import`, so Undo removes every created row and puts every updated one back. Updated rows are
imaged before they change, created ones after, set-based, as bulk edits are.

A row someone changed after the dry run (its version moved on), a user whose email someone took
since, an organizer deleted since: each is left as it is and reported (`stale`), never
overwritten silently."""

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import (
    and_,
    func,
    select,
    update,
)
from sqlalchemy.orm import Session, sessionmaker

from admin_app import audit, clock
from admin_app.admin.actions.imports.chunk import write_chunk
from admin_app.admin.actions.imports.staged import CREATE, STALE, UPDATE, Plan, counted
from admin_app.models import Import, ImportRow

# Rows written per transaction: large enough that a million rows is a few hundred commits,
# small enough that a chunk holds its locks for well under a second.
CHUNK_ROWS = 5_000


@dataclass(frozen=True)
class Outcome:
    created: int
    updated: int
    stale: int


def run(
    factory: sessionmaker[Session],
    plan: Plan,
    progress: Callable[[int], None],
    *,
    summary: Callable[[Outcome], str],
    chunk_rows: int | None = None,
) -> Outcome:
    """Commit every checked row after the import's checkpoint, a chunk per transaction; the
    last transaction writes the audit entry (`summary` words it)."""
    with factory() as session:
        found = session.get(Import, plan.import_id)
        assert found is not None, "the job's import exists (it cascades with the import)"
        start = found.committed_through + 1
        change_set_id = found.change_set_id
    done = _done_before(factory, plan, start)
    chunk_rows = chunk_rows or CHUNK_ROWS
    while (end := _chunk_end(factory, plan, start, chunk_rows)) is not None:
        with factory() as session, session.begin():
            change_set_id = _change_set(session, plan, change_set_id)
            done += write_chunk(session, plan, start, end)
            session.execute(
                update(Import).where(Import.id == plan.import_id).values(committed_through=end)
            )
        progress(done)
        start = end + 1
    outcome = _outcome(factory, plan)
    with factory() as session, session.begin():
        _change_set(session, plan, change_set_id)
        audit.record(
            session,
            action="import",
            target=plan.identity,
            summary=summary(outcome)[:500],
            changes={"created": outcome.created, "updated": outcome.updated, "left": outcome.stale},
        )
        session.execute(
            update(Import)
            .where(Import.id == plan.import_id)
            .values(
                committed_at=clock.now(),
                committed={
                    "create": outcome.created,
                    "update": outcome.updated,
                    "stale": outcome.stale,
                },
            )
        )
    return outcome


def _change_set(session: Session, plan: Plan, change_set_id: int | None) -> int | None:
    if change_set_id is not None:
        audit.continue_change_set(session, change_set_id)
        return change_set_id
    opened = audit.begin_change_set(session, kind="import", target=plan.identity)
    if opened is not None:
        session.execute(
            update(Import).where(Import.id == plan.import_id).values(change_set_id=opened)
        )
    return opened


def _done_before(factory: sessionmaker[Session], plan: Plan, start: int) -> int:
    with factory() as session:
        return int(
            session.scalar(
                select(func.count()).where(
                    ImportRow.import_id == plan.import_id,
                    ImportRow.row_no < start,
                    ImportRow.action.in_((CREATE, UPDATE)),
                )
            )
            or 0
        )


def _chunk_end(
    factory: sessionmaker[Session], plan: Plan, start: int, chunk_rows: int
) -> int | None:
    """The last file row of the chunk starting at `start`: `chunk_rows` rows to write, or the
    rest; None when nothing is left."""
    writing = and_(
        ImportRow.import_id == plan.import_id,
        ImportRow.row_no >= start,
        ImportRow.action.in_((CREATE, UPDATE)),
    )
    with factory() as session:
        end = session.scalar(
            select(ImportRow.row_no)
            .where(writing)
            .order_by(ImportRow.row_no)
            .offset(chunk_rows - 1)
            .limit(1)
        )
        if end is None:
            end = session.scalar(select(func.max(ImportRow.row_no)).where(writing))
    return None if end is None else int(end)


def _outcome(factory: sessionmaker[Session], plan: Plan) -> Outcome:
    with factory() as session:
        counts = counted(session, plan.import_id)
    return Outcome(created=counts[CREATE], updated=counts[UPDATE], stale=counts[STALE])
