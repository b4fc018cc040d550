"""SQLite: ids of deleted rows are never handed out again (AUTOINCREMENT) on users, events, staff.

Without it SQLite reuses the id of a deleted newest row, so an edit form or a bookmarked link
opened before the delete would act on a different, new record, and a session cookie of a deleted
staff account could match a new account that got its id. PostgreSQL sequences never reuse ids:
nothing to do there.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("users", "events", "staff")


def _rebuild(*, autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in TABLES:
        # Batch mode copies the rows into a new table; existing ids are kept, and SQLite starts
        # the sequence after the largest of them.
        with op.batch_alter_table(
            table, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
        ):
            pass


def upgrade() -> None:
    _rebuild(autoincrement=True)


def downgrade() -> None:
    _rebuild(autoincrement=False)
