"""Saved list views, and each staff member's preferences (columns per list, theme, shortcuts).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("staff") as batch:
        batch.add_column(
            sa.Column("preferences", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )
    op.create_table(
        "saved_views",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("identity", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("query", sa.String(length=2000), nullable=False),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("team_default", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["staff.id"],
            name=op.f("fk_saved_views_owner_id_staff"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_views")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_saved_views_identity_owner_id", "saved_views", ["identity", "owner_id"])
    op.create_index(
        "uq_saved_views_identity_team_default",
        "saved_views",
        ["identity"],
        unique=True,
        sqlite_where=sa.text("team_default"),
        postgresql_where=sa.text("team_default"),
    )


def downgrade() -> None:
    op.drop_index("uq_saved_views_identity_team_default", table_name="saved_views")
    op.drop_index("ix_saved_views_identity_owner_id", table_name="saved_views")
    op.drop_table("saved_views")
    with op.batch_alter_table("staff") as batch:
        batch.drop_column("preferences")
