"""The events database: users who organize events, and the staff who administer them."""

import enum
from datetime import date, datetime
from typing import Any, Final

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    Enum,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    false,
    func,
    select,
    text,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from admin_app.db import Base, UTCDateTime, utcnow

EMAIL_MAX_LENGTH = 320
TITLE_MAX_LENGTH = 200
# The dates an event may have (docs/SECURITY.md): before 1900 is a typing slip, and both
# databases read four-digit years only (SQLite's date functions and Python's date stop at 9999;
# PostgreSQL would store year 0 as a BC date that psycopg cannot load).
EARLIEST_EVENT_DATE = date(1900, 1, 1)
LATEST_EVENT_DATE = date(9999, 12, 31)
# A client address as recorded (an IPv6 address with a zone fits).
CLIENT_MAX_LENGTH = 64
# An audit entry's object key and one-line summary.
TARGET_ID_MAX_LENGTH = 64
SUMMARY_MAX_LENGTH = 500
# A change set's kind ("bulk_delete") and the reason staff may give for it.
KIND_MAX_LENGTH = 32
REASON_MAX_LENGTH = 500
# A saved view's name, and its list state (a query string: filters, search, sort, page size,
# columns).
VIEW_NAME_MAX_LENGTH = 80
VIEW_QUERY_MAX_LENGTH = 2_000
# The largest INTEGER on PostgreSQL, the type of every id column: a bigger number names no row,
# and sent as a parameter it is a database error ("out of range"), not an empty result.
MAX_ID = 2**31 - 1


class SocialStatus(enum.StrEnum):
    PUBLIC = "public"
    PRIVATE = "private"


class StaffRole(enum.StrEnum):
    ADMIN = "admin"
    EDITOR = "editor"
    VIEWER = "viewer"


def _enum_values(enum_class: type[enum.Enum]) -> list[str]:
    # Store the lower-case values ("public"), not the member names ("PUBLIC").
    return [str(member.value) for member in enum_class]


# SQLite hands the id of a deleted newest row to the next insert unless told not to; a stale form,
# link or session cookie would then point at a different record. PostgreSQL never reuses ids.
SQLITE_NEVER_REUSE_IDS: Final = {"sqlite_autoincrement": True}


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Event(TimestampMixin, Base):
    __tablename__ = "events"
    __table_args__ = (
        # The list pages sort by date and filter by status; id breaks ties so paging is stable.
        Index("ix_events_date_of_id", "date_of", "id"),
        Index("ix_events_social_status_date_of_id", "social_status", "date_of", "id"),
        Index("ix_events_title_id", "title", "id"),
        Index("ix_events_organizer_id_date_of_id", "organizer_id", "date_of", "id"),
        # Substring search on titles: a trigram index on PostgreSQL; SQLite has an FTS5 trigram
        # table instead (migration 0008, admin_app/search_index.py).
        Index(
            "ix_events_title_trgm",
            "title",
            postgresql_using="gin",
            postgresql_ops={"title": "gin_trgm_ops"},
        ).ddl_if(dialect="postgresql"),
        CheckConstraint("length(trim(title)) > 0", name="title_not_blank"),
        CheckConstraint(
            f"date_of BETWEEN '{EARLIEST_EVENT_DATE}' AND '{LATEST_EVENT_DATE}'",
            name="date_of_in_range",
        ),
        SQLITE_NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX_LENGTH))
    date_of: Mapped[date] = mapped_column(Date)
    social_status: Mapped[SocialStatus] = mapped_column(
        Enum(
            SocialStatus,
            name="social_status",
            values_callable=_enum_values,
            create_constraint=True,
            validate_strings=True,
        ),
        default=SocialStatus.PUBLIC,
    )
    # Indexed with the date (ix_events_organizer_id_date_of_id, above): a user's page lists
    # their events newest first, 25 at a time, at any number of events.
    organizer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))

    # Bumped on every update; a save based on an older version is refused (no lost updates).
    version: Mapped[int] = mapped_column(default=1)

    organizer: Mapped["User"] = relationship(back_populates="events")

    __mapper_args__ = {"version_id_col": version}

    def __str__(self) -> str:
        return self.title

    def __repr__(self) -> str:
        return f"Event(id={self.id!r}, title={self.title!r}, date_of={self.date_of!r})"


class User(TimestampMixin, Base):
    __tablename__ = "users"
    __table_args__ = (
        Index("ix_users_created_at_id", "created_at", "id"),
        # Substring search on emails (list, picker, global search): trigrams on PostgreSQL
        # (migration 0012); SQLite's FTS5 table (search_index.py).
        Index(
            "ix_users_email_trgm",
            "email",
            postgresql_using="gin",
            postgresql_ops={"email": "gin_trgm_ops"},
        ).ddl_if(dialect="postgresql"),
        SQLITE_NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(EMAIL_MAX_LENGTH), unique=True)
    version: Mapped[int] = mapped_column(default=1)

    # passive_deletes="all": never null out organizer_id; the database refuses the delete instead.
    events: Mapped[list[Event]] = relationship(
        back_populates="organizer", passive_deletes="all", lazy="raise_on_sql"
    )
    # Deferred so picker lookups don't pay for it; list and detail views undefer it.
    event_count: Mapped[int] = column_property(
        select(func.count(Event.id)).where(Event.organizer_id == id).scalar_subquery(),
        deferred=True,
    )

    __mapper_args__ = {"version_id_col": version}

    def __str__(self) -> str:
        return self.email

    def __repr__(self) -> str:
        return f"User(id={self.id!r}, email={self.email!r})"


class Staff(Base):
    """A person who may log in to the panel (not one of the administered users)."""

    __tablename__ = "staff"
    __table_args__ = SQLITE_NEVER_REUSE_IDS

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(EMAIL_MAX_LENGTH), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[StaffRole] = mapped_column(
        Enum(
            StaffRole,
            name="staff_role",
            values_callable=_enum_values,
            create_constraint=True,
            validate_strings=True,
        ),
        default=StaffRole.VIEWER,
    )
    is_active: Mapped[bool] = mapped_column(default=True)
    # Bumped to revoke every session cookie issued before (logout everywhere, deactivation).
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Base32 TOTP secret once two-factor login is switched on; None while it is off.
    mfa_secret: Mapped[str | None] = mapped_column(String(64))
    # How this person likes the panel (staff/preferences.py): columns per list, theme, shortcuts.
    preferences: Mapped[dict[str, Any]] = mapped_column(
        JSON, default=dict, server_default=text("'{}'")
    )

    def __str__(self) -> str:
        return self.email

    def __repr__(self) -> str:
        return f"Staff(id={self.id!r}, email={self.email!r}, role={self.role!r})"


class SavedView(Base):
    """A list as a staff member left it (filters, search, sort, page size, columns), under a name:
    private to its owner, or shared with everyone, and then perhaps the list's team default."""

    __tablename__ = "saved_views"
    __table_args__ = (
        Index("ix_saved_views_identity_owner_id", "identity", "owner_id"),
        # One team default per list at most.
        Index(
            "uq_saved_views_identity_team_default",
            "identity",
            unique=True,
            sqlite_where=text("team_default"),
            postgresql_where=text("team_default"),
        ),
        SQLITE_NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"))
    # The admin view identity of the list ("user", "event").
    identity: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(VIEW_NAME_MAX_LENGTH))
    # The list's query string, paging and selection left out.
    query: Mapped[str] = mapped_column(String(VIEW_QUERY_MAX_LENGTH))
    shared: Mapped[bool] = mapped_column(default=False)
    team_default: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def __str__(self) -> str:
        return self.name

    @property
    def audit_label(self) -> str:
        # A private view's name is its owner's own: audit summaries name it by id only.
        return self.name if self.shared else f"#{self.id} (private)"

    def __repr__(self) -> str:
        return f"SavedView(id={self.id!r}, identity={self.identity!r}, name={self.name!r})"


class LoginAttempt(Base):
    """A failed staff login, kept for the throttling window (state shared by every app process)."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_account_attempted_at", "account", "attempted_at"),
        Index("ix_login_attempts_client_attempted_at", "client", "attempted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The normalised email typed, whether or not such an account exists.
    account: Mapped[str] = mapped_column(String(EMAIL_MAX_LENGTH))
    client: Mapped[str] = mapped_column(String(CLIENT_MAX_LENGTH))
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RecoveryCode(Base):
    """A one-time code that stands in for the authenticator app; only its hash is kept."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ChangeSet(Base):
    """One staff operation (an edit, a bulk delete, a restore, an undo): the unit that is undone.

    Every audit entry and every row image belongs to exactly one change set.
    """

    __tablename__ = "change_sets"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    staff_email: Mapped[str] = mapped_column(String(EMAIL_MAX_LENGTH))
    client: Mapped[str] = mapped_column(String(CLIENT_MAX_LENGTH))
    # create, edit, delete, bulk_delete, delete_cascade, set_status, restore, revert, undo, purge
    kind: Mapped[str] = mapped_column(String(KIND_MAX_LENGTH))
    # The admin view identity of the rows ("user", "event", "staff"); "event" for a cascade too.
    target: Mapped[str] = mapped_column(String(32))
    row_count: Mapped[int] = mapped_column(default=0)
    reason: Mapped[str | None] = mapped_column(String(REASON_MAX_LENGTH))
    # The change set this one undid, and the one that undid this (a second undo is refused).
    undo_of: Mapped[int | None] = mapped_column(ForeignKey("change_sets.id", ondelete="SET NULL"))
    undone_by: Mapped[int | None] = mapped_column(ForeignKey("change_sets.id", ondelete="SET NULL"))

    def __str__(self) -> str:
        return f"#{self.id} {self.kind} {self.target}"

    def __repr__(self) -> str:
        return f"ChangeSet(id={self.id!r}, kind={self.kind!r}, rows={self.row_count!r})"


class RowImage(Base):
    """A user or event as it was around one change set: what undo and history are built from.

    `delete` and `update` images hold the row before the change; `create` images the row after it.
    `version_after` is the row's version once the change set was done: undo only touches a row
    still at that version, so a later change is never overwritten silently.
    """

    __tablename__ = "row_images"
    __table_args__ = (
        Index("ix_row_images_target_row_id_id", "target", "row_id", "id"),
        Index("ix_row_images_change_set_id_target", "change_set_id", "target"),
        # Recently deleted: the newest unrestored delete images first.
        Index("ix_row_images_action_restored_by_id", "action", "restored_by", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    change_set_id: Mapped[int] = mapped_column(ForeignKey("change_sets.id", ondelete="CASCADE"))
    target: Mapped[str] = mapped_column(String(32))
    row_id: Mapped[int]
    action: Mapped[str] = mapped_column(String(16))
    version_after: Mapped[int]
    # The row's email or title, for finding it among the deleted.
    label: Mapped[str] = mapped_column(String(EMAIL_MAX_LENGTH))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    # For delete images: the change set that brought the row back.
    restored_by: Mapped[int | None] = mapped_column(
        ForeignKey("change_sets.id", ondelete="SET NULL")
    )

    def __str__(self) -> str:
        return f"{self.target} {self.row_id} ({self.label})"


class ImagePack(Base):
    """The delete images of one deleted batch, packed into one row: what `row_images` holds once
    the first reader unpacks it (`history.images.unpack`).

    A bulk delete writes one row here instead of one image per deleted row, so the delete costs
    little more than the raw DELETE; every reader of images unpacks first, so nothing reads a pack.
    """

    __tablename__ = "image_packs"

    id: Mapped[int] = mapped_column(primary_key=True)
    change_set_id: Mapped[int] = mapped_column(ForeignKey("change_sets.id", ondelete="CASCADE"))
    target: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(16))
    row_count: Mapped[int]
    # A JSON array of whole rows, each as `history.images.row_json` builds it.
    rows: Mapped[list[dict[str, Any]]] = mapped_column(JSON)

    def __str__(self) -> str:
        return f"{self.row_count} {self.target} images of change set {self.change_set_id}"


class AuditEntry(Base):
    """One change made through the panel: who, when, from where, what, and the before/after."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_target_target_id_id", "target", "target_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    change_set_id: Mapped[int | None] = mapped_column(
        ForeignKey("change_sets.id", ondelete="CASCADE"), index=True
    )
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    # Kept as text so the trail still names the person after their account is deleted.
    staff_email: Mapped[str] = mapped_column(String(EMAIL_MAX_LENGTH))
    client: Mapped[str] = mapped_column(String(CLIENT_MAX_LENGTH))
    action: Mapped[str] = mapped_column(String(32))
    # The admin view identity ("user", "event", "staff") and the row's primary key.
    target: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[str | None] = mapped_column(String(TARGET_ID_MAX_LENGTH))
    # The row's version after the change, for "what changed since you opened the form".
    version: Mapped[int | None]
    summary: Mapped[str] = mapped_column(String(SUMMARY_MAX_LENGTH))
    # {field: [before, after]} for edits; the row's values for creates and deletes.
    changes: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    def __str__(self) -> str:
        return f"#{self.id} {self.action} {self.target} {self.target_id or ''}".strip()


class EventTally(Base):
    """How many events a month holds per social status, kept by database triggers in the same
    transaction as every change to `events` (admin_app/tallies.py): the dashboard reads these
    few rows instead of counting a million events. A (month, status) may have several rows (on
    PostgreSQL each statement appends its own): the figure is their sum."""

    __tablename__ = "event_tallies"
    __table_args__ = (Index("ix_event_tallies_month_social_status", "month", "social_status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7))  # "2026-11"
    social_status: Mapped[str] = mapped_column(String(16))
    delta: Mapped[int]


class UserTally(Base):
    """How many users exist, as a sum of deltas kept by triggers (admin_app/tallies.py)."""

    __tablename__ = "user_tallies"

    id: Mapped[int] = mapped_column(primary_key=True)
    delta: Mapped[int]


class JobState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


# A job's kind ("export"), its one-line message, and a notification's text and link.
JOB_KIND_MAX_LENGTH = 32
JOB_MESSAGE_MAX_LENGTH = 500
IDEMPOTENCY_KEY_MAX_LENGTH = 64
FILE_NAME_MAX_LENGTH = 200


class Job(Base):
    """Long work in the background (jobs/): what staff see of it. The queue engine only carries
    the job's id to a worker; the state, progress and result live here."""

    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_owner_id_id", "owner_id", "id"),
        Index("ix_jobs_state_heartbeat_at", "state", "heartbeat_at"),
        SQLITE_NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(JOB_KIND_MAX_LENGTH))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    owner_email: Mapped[str] = mapped_column(String(EMAIL_MAX_LENGTH))
    state: Mapped[JobState] = mapped_column(
        Enum(
            JobState,
            name="job_state",
            values_callable=_enum_values,
            create_constraint=True,
            validate_strings=True,
        ),
        default=JobState.QUEUED,
    )
    # What the job was asked to do (its kind reads it): an export's list, filters and format.
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Rows done of the total (None until the job has counted them).
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int | None] = mapped_column()
    # The total is the planner's estimate (a large export on PostgreSQL) until the job ends.
    total_is_estimate: Mapped[bool] = mapped_column(default=False, server_default=false())
    message: Mapped[str] = mapped_column(String(JOB_MESSAGE_MAX_LENGTH), default="")
    # A double submit of the same form makes one job.
    idempotency_key: Mapped[str | None] = mapped_column(
        String(IDEMPOTENCY_KEY_MAX_LENGTH), unique=True
    )
    cancel_requested: Mapped[bool] = mapped_column(default=False)
    attempts: Mapped[int] = mapped_column(default=0)
    change_set_id: Mapped[int | None] = mapped_column(
        ForeignKey("change_sets.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Written by the worker with each chunk: a running job whose heartbeat stops was orphaned.
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __str__(self) -> str:
        return f"#{self.id} {self.kind}"

    def __repr__(self) -> str:
        return f"Job(id={self.id!r}, kind={self.kind!r}, state={self.state!r})"


class JobFile(Base):
    """A job's result file, kept in the database in chunks: every web instance can serve it,
    without a shared disk, streamed a chunk at a time."""

    __tablename__ = "job_files"
    __table_args__ = (Index("ix_job_files_expires_at", "expires_at"), SQLITE_NEVER_REUSE_IDS)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), unique=True)
    name: Mapped[str] = mapped_column(String(FILE_NAME_MAX_LENGTH))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(default=0)
    # Only a finished file is offered for download.
    complete: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class JobFileChunk(Base):
    __tablename__ = "job_file_chunks"

    file_id: Mapped[int] = mapped_column(
        ForeignKey("job_files.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class Notification(Base):
    """A message for one staff member ("Export ready"), read from the bell in the top bar."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_staff_id_read_at", "staff_id", "read_at"),
        SQLITE_NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"))
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(String(JOB_MESSAGE_MAX_LENGTH))
    link: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


# An import's file name, its SHA-256 (hex), and a problem's column, value and message.
IMPORT_HASH_LENGTH = 64
PROBLEM_VALUE_MAX_LENGTH = 200


class Import(Base):
    """A file of users or events being taken in (imports/): uploaded, mapped, checked by a dry
    run, then committed as a job. The same file of the same list, uploaded again by the same
    staff member, is this import again (its hash), never a second one."""

    __tablename__ = "imports"
    __table_args__ = (
        Index(
            "uq_imports_owner_id_identity_file_hash",
            "owner_id",
            "identity",
            "file_hash",
            unique=True,
        ),
        SQLITE_NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The admin view identity of the rows ("user", "event").
    identity: Mapped[str] = mapped_column(String(32))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    owner_email: Mapped[str] = mapped_column(String(EMAIL_MAX_LENGTH))
    file_name: Mapped[str] = mapped_column(String(FILE_NAME_MAX_LENGTH))
    file_hash: Mapped[str] = mapped_column(String(IMPORT_HASH_LENGTH))
    file_size: Mapped[int] = mapped_column(default=0)
    # "csv" or "xlsx"; a CSV's encoding and delimiter as sniffed at upload.
    file_format: Mapped[str] = mapped_column(String(8))
    encoding: Mapped[str] = mapped_column(String(32), default="utf-8")
    delimiter: Mapped[str] = mapped_column(String(4), default=",")
    # The header row, and for each of its columns the field it fills ("" leaves it out).
    headers: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The file's first rows after the header, shown beside the mapping.
    preview: Mapped[list[list[str]]] = mapped_column(JSON, default=list)
    mapping: Mapped[list[str]] = mapped_column(JSON, default=list)
    # create_update, update_only or create_only; whether rows equal to the database are left.
    mode: Mapped[str] = mapped_column(String(16), default="create_update")
    skip_unchanged: Mapped[bool] = mapped_column(default=True)
    # The dry run: its job, the mapping and options it checked, and what it found
    # ({"create": n, "update": n, "unchanged": n, "skip": n, "error": n, "rows": n}).
    check_job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    checked: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    counts: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The commit: its job, its change set, and the last file row it committed (a retry resumes
    # after it).
    commit_job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    change_set_id: Mapped[int | None] = mapped_column(
        ForeignKey("change_sets.id", ondelete="SET NULL")
    )
    committed_through: Mapped[int] = mapped_column(default=0)
    committed: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    committed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __str__(self) -> str:
        return f"#{self.id} {self.file_name}"

    def __repr__(self) -> str:
        return f"Import(id={self.id!r}, identity={self.identity!r}, file={self.file_name!r})"


class ImportFileChunk(Base):
    """An uploaded file, kept in the database in chunks until its import is discarded: the dry
    run reads it on whichever worker runs it."""

    __tablename__ = "import_file_chunks"

    import_id: Mapped[int] = mapped_column(
        ForeignKey("imports.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class ImportRow(Base):
    """One row of an import's file as the dry run read it (the staging table): its values as the
    forms would save them, the row it matches and at which version, and what Confirm does with
    it (create, update, unchanged, skip, error; stale once someone changed it since)."""

    __tablename__ = "import_rows"
    # The primary key (import, row) is the only index: a dry run rewrites every row's action,
    # and each index more is a million more index entries written (and the pages read a few
    # rows of one import at a time).

    # No foreign key: a checked reference per staged row cost PostgreSQL a third of a dry run.
    # Discarding an import deletes its rows (imports/pages.py `_forget`).
    import_id: Mapped[int] = mapped_column(primary_key=True)
    # The row's number as a spreadsheet shows it (the header is row 1).
    row_no: Mapped[int] = mapped_column(primary_key=True)
    action: Mapped[str] = mapped_column(String(16))
    # The id the file gives, and the row matched (or, for a created row, the id it was given).
    key_id: Mapped[int | None]
    target_id: Mapped[int | None]
    target_version: Mapped[int | None]
    email: Mapped[str | None] = mapped_column(String(EMAIL_MAX_LENGTH))
    title: Mapped[str | None] = mapped_column(String(TITLE_MAX_LENGTH))
    date_of: Mapped[date | None] = mapped_column(Date)
    social_status: Mapped[str | None] = mapped_column(String(16))
    # The organizer as the file names them (an email, made canonical, or an id), and who it is.
    organizer_ref: Mapped[str | None] = mapped_column(String(EMAIL_MAX_LENGTH))
    organizer_id: Mapped[int | None]


class ImportProblem(Base):
    """Why a row of an import's file is left out: the error file's lines."""

    __tablename__ = "import_problems"
    __table_args__ = (Index("ix_import_problems_import_id_row_no", "import_id", "row_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # No foreign key, as for the staged rows: deleted with them.
    import_id: Mapped[int]
    row_no: Mapped[int]
    column: Mapped[str] = mapped_column(String(PROBLEM_VALUE_MAX_LENGTH))
    value: Mapped[str] = mapped_column(String(PROBLEM_VALUE_MAX_LENGTH))
    message: Mapped[str] = mapped_column(String(JOB_MESSAGE_MAX_LENGTH))
