"""One chunk of Confirm, in the caller's transaction: the rows that moved on since the dry run
reported and left alone, the rest updated (imaged first, only if still at the version the dry
run saw) and created (with their ids given first, imaged after), all set-based."""

from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    String,
    and_,
    cast,
    exists,
    func,
    insert,
    literal,
    literal_column,
    select,
    update,
)
from sqlalchemy.orm import Session, aliased

from admin_app import audit, clock
from admin_app.admin.actions.imports.checking import problem_rows
from admin_app.admin.actions.imports.staged import CREATE, STALE, TARGETS, UPDATE, Plan
from admin_app.history import images
from admin_app.jobs.store import changed
from admin_app.models import ImportProblem, ImportRow, SocialStatus, User


def write_chunk(session: Session, plan: Plan, start: int, end: int) -> int:
    model = TARGETS[plan.identity]
    table = model.__table__
    updating = _writing(plan, start, end, UPDATE)
    creating = _writing(plan, start, end, CREATE)
    postgres = session.get_bind().dialect.name == "postgresql"
    targets = select(ImportRow.target_id).where(updating).correlate(None)
    if postgres:
        # Lock the rows to update first: none can change between the version check below and
        # the UPDATE (which would image a row it then leaves alone).
        session.execute(select(model.id).where(model.id.in_(targets)).with_for_update()).all()
    _leave_stale(session, plan, start, end)
    change_set_id = audit.change_set_of(session)
    written = 0
    if change_set_id is not None:
        images.capture(
            session,
            change_set_id=change_set_id,
            target=plan.identity,
            action=images.UPDATE,
            ids=targets,
            version_bump=1,
        )
    values = _values(plan, table, ImportRow)
    if values:
        written += changed(
            session.execute(
                update(table)
                .where(
                    table.c.id == ImportRow.target_id,
                    table.c.version == ImportRow.target_version,
                    updating,
                )
                .values(**values, version=table.c.version + 1, updated_at=clock.now())
            )
        )
    created = _create(session, plan, creating, postgres)
    if created and change_set_id is not None:
        images.capture(
            session,
            change_set_id=change_set_id,
            target=plan.identity,
            action=images.CREATE,
            ids=select(ImportRow.target_id).where(creating).correlate(None),
            version_bump=0,
        )
    written += created
    audit.count_rows(session, written)
    return written


def _values(plan: Plan, table: Any, source: Any) -> dict[str, Any]:
    """The live columns an update sets: the mapped fields only (the rest stay as they are)."""
    if plan.identity == "user":
        return {"email": source.email} if plan.mapped("email") else {}
    values: dict[str, Any] = {}
    if plan.mapped("title"):
        values["title"] = source.title
    if plan.mapped("date_of"):
        values["date_of"] = source.date_of
    if plan.mapped("social_status"):
        values["social_status"] = cast(source.social_status, table.c.social_status.type)
    if plan.mapped("organizer"):
        values["organizer_id"] = source.organizer_id
    return values


def _create(session: Session, plan: Plan, creating: ColumnElement[bool], postgres: bool) -> int:
    """Insert the chunk's new rows with ids given here first (so that their images, and Undo,
    can find them): the sequence's next values on PostgreSQL; on SQLite past the largest id
    ever used, under the write lock this transaction holds."""
    table = TARGETS[plan.identity].__table__
    if postgres:
        next_id = func.nextval(func.pg_get_serial_sequence(table.name, "id"))
        session.execute(update(ImportRow).where(creating).values(target_id=next_id))
    else:
        # Table names are our own (users, events), never input.
        used = literal_column(
            f"(SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = '{table.name}'), "
            f"0), coalesce((SELECT max(id) FROM {table.name}), 0)))",
            Integer,
        )
        # Numbered in file order, one after another (a window over the chunk's new rows).
        ranked = (
            select(
                ImportRow.row_no.label("row_no"),
                func.row_number().over(order_by=ImportRow.row_no).label("rank"),
            )
            .where(creating)
            .subquery()
        )
        session.execute(
            update(ImportRow)
            .where(ImportRow.import_id == plan.import_id, ImportRow.row_no == ranked.c.row_no)
            .values(target_id=used + ranked.c.rank)
        )
    now = clock.now()
    stamps = [literal(now, table.c.created_at.type), literal(now, table.c.updated_at.type)]
    if plan.identity == "user":
        columns = ["id", "email", "version", "created_at", "updated_at"]
        rows = select(ImportRow.target_id, ImportRow.email, literal(1, Integer), *stamps)
    else:
        status = func.coalesce(ImportRow.social_status, SocialStatus.PUBLIC.value)
        columns = [
            "id",
            "title",
            "date_of",
            "social_status",
            "organizer_id",
            "version",
            "created_at",
            "updated_at",
        ]
        rows = select(
            ImportRow.target_id,
            ImportRow.title,
            ImportRow.date_of,
            cast(status, table.c.social_status.type),
            ImportRow.organizer_id,
            literal(1, Integer),
            *stamps,
        )
    statement = insert(table).from_select(columns, rows.where(creating).order_by(ImportRow.row_no))
    return changed(session.execute(statement, execution_options={"preserve_rowcount": True}))


def _leave_stale(session: Session, plan: Plan, start: int, end: int) -> None:
    """Rows that moved on since the dry run are reported and left alone."""
    model = TARGETS[plan.identity]
    updating = _writing(plan, start, end, UPDATE)
    moved = ~exists().where(
        model.id == ImportRow.target_id, model.version == ImportRow.target_version
    )
    key = ImportRow.key_id if plan.mapped("id") else ImportRow.email
    reasons: list[tuple[ColumnElement[bool], str, Any, str]] = [
        (
            and_(updating, moved),
            "id" if plan.mapped("id") else "email",
            key,
            "Changed (or deleted) by someone after the dry run: left as it is now. Check the "
            "file again to update it.",
        )
    ]
    if plan.identity == "user" and plan.mapped("email"):
        other = aliased(User)
        taken = exists().where(
            other.email == ImportRow.email,
            (ImportRow.target_id.is_(None)) | (other.id != ImportRow.target_id),
        )
        reasons.append(
            (
                and_(_writing(plan, start, end, CREATE, UPDATE), taken),
                "email",
                ImportRow.email,
                "Another user took this email after the dry run: left out.",
            )
        )
    elif plan.identity == "event" and plan.mapped("organizer"):
        reasons.append(
            (
                and_(
                    _writing(plan, start, end, CREATE, UPDATE),
                    ~exists().where(User.id == ImportRow.organizer_id),
                ),
                "organizer",
                func.coalesce(ImportRow.organizer_ref, cast(ImportRow.organizer_id, String)),
                "The organizer was deleted after the dry run: left out.",
            )
        )
    columns = ["import_id", "row_no", "column", "value", "message"]
    for which, name, value, message in reasons:
        problems = problem_rows(plan, which, plan.column_of(name), value, literal(message))
        session.execute(insert(ImportProblem).from_select(columns, problems))
        session.execute(update(ImportRow).where(which).values(action=STALE))


def _writing(plan: Plan, start: int, end: int, *actions: str) -> ColumnElement[bool]:
    """The chunk's staged rows with these actions."""
    return and_(
        ImportRow.import_id == plan.import_id,
        ImportRow.row_no.between(start, end),
        ImportRow.action.in_(actions),
    )
