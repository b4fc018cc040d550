"""Dashboard figures kept by the database: events per month and status, and users.

Two small tables, filled from the rows already there, then kept in step by triggers in the same
transaction as every change (admin_app/tallies.py holds the DDL and says why SQLite and
PostgreSQL differ). The dashboard reads them instead of aggregating every event.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from admin_app import tallies

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "event_tallies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("social_status", sa.String(length=16), nullable=False),
        sa.Column("delta", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_tallies")),
    )
    op.create_index(
        "ix_event_tallies_month_social_status", "event_tallies", ["month", "social_status"]
    )
    op.create_table(
        "user_tallies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delta", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_tallies")),
    )
    bind = op.get_bind()
    tallies.backfill(bind)
    statements = (
        tallies.POSTGRESQL_CREATE if bind.dialect.name == "postgresql" else tallies.SQLITE_CREATE
    )
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    bind = op.get_bind()
    statements = (
        tallies.POSTGRESQL_DROP if bind.dialect.name == "postgresql" else tallies.SQLITE_DROP
    )
    for statement in statements:
        op.execute(statement)
    op.drop_table("user_tallies")
    op.drop_index("ix_event_tallies_month_social_status", table_name="event_tallies")
    op.drop_table("event_tallies")
