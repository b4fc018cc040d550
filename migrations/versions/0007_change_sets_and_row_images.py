"""Change sets and row images: every staff operation can be undone, every deleted row restored.

`change_sets` groups the audit entries of one operation; `row_images` keeps each user or event
as it was before a delete or an edit (and after a create), written set-based in the operation's
own transaction. Existing audit entries keep no change set (they predate them).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "change_sets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("staff_email", sa.String(length=320), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("target", sa.String(length=32), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("undo_of", sa.Integer(), nullable=True),
        sa.Column("undone_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff.id"],
            name=op.f("fk_change_sets_staff_id_staff"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["undo_of"],
            ["change_sets.id"],
            name=op.f("fk_change_sets_undo_of_change_sets"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["undone_by"],
            ["change_sets.id"],
            name=op.f("fk_change_sets_undone_by_change_sets"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_sets")),
    )
    op.create_index(op.f("ix_change_sets_at"), "change_sets", ["at"])
    op.create_table(
        "row_images",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("change_set_id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=32), nullable=False),
        sa.Column("row_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("version_after", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=320), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("restored_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["change_set_id"],
            ["change_sets.id"],
            name=op.f("fk_row_images_change_set_id_change_sets"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["restored_by"],
            ["change_sets.id"],
            name=op.f("fk_row_images_restored_by_change_sets"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_row_images")),
    )
    op.create_index("ix_row_images_target_row_id_id", "row_images", ["target", "row_id", "id"])
    op.create_index("ix_row_images_change_set_id_target", "row_images", ["change_set_id", "target"])
    op.create_index(
        "ix_row_images_action_restored_by_id", "row_images", ["action", "restored_by", "id"]
    )
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("change_set_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_audit_log_change_set_id_change_sets"),
            "change_sets",
            ["change_set_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_index(op.f("ix_audit_log_change_set_id"), ["change_set_id"])


def downgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_index(op.f("ix_audit_log_change_set_id"))
        batch.drop_constraint(op.f("fk_audit_log_change_set_id_change_sets"), type_="foreignkey")
        batch.drop_column("change_set_id")
    op.drop_table("row_images")
    op.drop_table("change_sets")
