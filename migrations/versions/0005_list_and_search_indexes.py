"""Indexes for large tables: status filter sorted by date with the id tie-breaker, and a trigram
index for title search on PostgreSQL (SQLite has no equivalent; it scans).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The list sorts by (date, id) within a status: one index serves filter, sort and paging.
    op.drop_index("ix_events_social_status_date_of", table_name="events")
    op.create_index(
        "ix_events_social_status_date_of_id", "events", ["social_status", "date_of", "id"]
    )
    if op.get_bind().dialect.name != "postgresql":
        return
    # Needs a role allowed to create extensions (or pg_trgm installed by the DBA beforehand).
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_index(
        "ix_events_title_trgm",
        "events",
        ["title"],
        postgresql_using="gin",
        postgresql_ops={"title": "gin_trgm_ops"},
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_events_title_trgm", table_name="events")
    op.drop_index("ix_events_social_status_date_of_id", table_name="events")
    op.create_index("ix_events_social_status_date_of", "events", ["social_status", "date_of"])
