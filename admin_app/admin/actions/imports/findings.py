"""What an import's page shows of its dry run: its jobs and their state, a sample of the
updates with each changed field before and after, the first problems, and the error file's
lines a batch at a time."""

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from admin_app.admin.actions.imports.fields import field_map
from admin_app.admin.actions.imports.jobs import dry_run_current
from admin_app.admin.actions.imports.staged import UPDATE
from admin_app.models import Event, Import, ImportProblem, ImportRow, Job, JobState, User
from admin_app.staff import preferences

# Rows of the dry run shown on the page (the error file has every problem).
SAMPLE_ROWS = 20
# Lines of the error file read at a time.
PROBLEMS_READ = 5_000
RUNNING = (JobState.QUEUED, JobState.RUNNING)


def details(factory: sessionmaker[Session], staff_id: int | None, found: Import) -> dict[str, Any]:
    """What the import's page shows besides the import itself: its jobs, the dry run's sample
    of updates and first problems, the staff member's saved mappings, each column's first
    values."""
    with factory() as session:
        check_job = session.get(Job, found.check_job_id) if found.check_job_id else None
        commit_job = session.get(Job, found.commit_job_id) if found.commit_job_id else None
        samples = samples_of(session, found)
        errors = session.scalars(
            select(ImportProblem)
            .where(ImportProblem.import_id == found.id)
            .order_by(ImportProblem.row_no, ImportProblem.id)
            .limit(SAMPLE_ROWS)
        ).all()
        problem_count = session.scalar(
            select(func.count()).where(ImportProblem.import_id == found.id)
        )
        saved = (
            preferences.load(session, staff_id=staff_id).import_mappings.get(found.identity, {})
            if staff_id is not None
            else {}
        )
    busy = any(job is not None and job.state in RUNNING for job in (check_job, commit_job))
    return {
        "check_job": check_job,
        "commit_job": commit_job,
        "samples": samples,
        "errors": errors,
        "problem_count": problem_count or 0,
        "saved_mappings": sorted(saved),
        "dry_run_current": dry_run_current(found),
        "busy": busy,
        # Each column's first values, beside its field on the mapping form.
        "examples": [
            [row[n] if n < len(row) else "" for row in found.preview or []]
            for n in range(len(found.headers))
        ],
        "to_write": (found.counts or {}).get("create", 0) + (found.counts or {}).get("update", 0),
    }


def problems_after(
    factory: Any, import_id: int, after: tuple[int, int]
) -> list[tuple[int, int, int, str, str, str]]:
    row_no, problem_id = after
    with factory() as session:
        rows = session.execute(
            select(
                ImportProblem.row_no,
                ImportProblem.id,
                ImportProblem.row_no,
                ImportProblem.column,
                ImportProblem.value,
                ImportProblem.message,
            )
            .where(
                ImportProblem.import_id == import_id,
                (ImportProblem.row_no > row_no)
                | ((ImportProblem.row_no == row_no) & (ImportProblem.id > problem_id)),
            )
            .order_by(ImportProblem.row_no, ImportProblem.id)
            .limit(PROBLEMS_READ)
        ).all()
    return [tuple(row) for row in rows]


def samples_of(session: Session, found: Import) -> list[dict[str, Any]]:
    """A few rows the import would update, with each changed field before and after."""
    staged = session.scalars(
        select(ImportRow)
        .where(ImportRow.import_id == found.id, ImportRow.action == UPDATE)
        .order_by(ImportRow.row_no)
        .limit(SAMPLE_ROWS)
    ).all()
    if not staged:
        return []
    model: Any = User if found.identity == "user" else Event
    live = {
        row.id: row
        for row in session.scalars(select(model).where(model.id.in_([s.target_id for s in staged])))
    }
    mentioned = {s.organizer_id for s in staged}
    mentioned |= {getattr(r, "organizer_id", None) for r in live.values()}
    organizers = _emails(session, mentioned)
    samples = []
    for row in staged:
        now = live.get(row.target_id)
        if now is None:
            continue
        changes = []
        for name in [name for name in found.mapping if name and name != "id"]:
            before, after = _field_values(now, row, name, organizers)
            if before != after:
                changes.append((field_map(found.identity)[name].label, before, after))
        samples.append(
            {"row_no": row.row_no, "id": row.target_id, "label": str(now), "changes": changes}
        )
    return samples


def _field_values(
    now: Any, row: ImportRow, name: str, organizers: dict[int, str]
) -> tuple[str, str]:
    if name == "organizer":
        return organizers.get(now.organizer_id, ""), organizers.get(row.organizer_id or 0, "")
    before = getattr(now, name)
    before = before.value if hasattr(before, "value") else before
    after = getattr(row, name)
    return ("" if before is None else str(before)), ("" if after is None else str(after))


def _emails(session: Session, ids: set[int | None]) -> dict[int, str]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    return dict(session.execute(select(User.id, User.email).where(User.id.in_(wanted))).all())
