"""SQLite: FTS5 trigram indexes for substring search on event titles and user emails.

PostgreSQL already serves `ILIKE '%term%'` from its pg_trgm index (0005). SQLite gets an
external-content FTS5 table per searchable column (the `trigram` tokenizer, in the SQLite bundled
with Python 3.11 here), kept in step by triggers and rebuilt from the existing rows here. The
DDL lives in admin_app/search_index.py, which the search code reads as well.

Later SQLite migrations that rebuild `events` or `users` in batch mode drop these triggers with
the old table: such a migration must run `create_statements` again afterwards.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

from admin_app.search_index import INDEXED, create_statements, drop_statements

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table, column in INDEXED:
        for statement in create_statements(table, column):
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table, column in INDEXED:
        for statement in drop_statements(table, column):
            op.execute(statement)
