"""A large export's speed: result file chunks are stored as they are on PostgreSQL (STORAGE
EXTERNAL: out of line, not compressed; a CSV chunk would compress about fourfold, but
compressing 512 KiB per chunk made writing a million-row export's file take twice as long, for a
file kept three days); and a job's total may be the planner's estimate until it ends
(`jobs.total_is_estimate`), where counting a million rows first cost a third of the export.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("jobs") as jobs:
        jobs.add_column(
            sa.Column("total_is_estimate", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE job_file_chunks ALTER COLUMN data SET STORAGE EXTERNAL")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE job_file_chunks ALTER COLUMN data SET STORAGE EXTENDED")
    with op.batch_alter_table("jobs") as jobs:
        jobs.drop_column("total_is_estimate")
