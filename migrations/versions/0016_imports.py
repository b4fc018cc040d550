"""Imports: an uploaded file of users or events (kept in chunks), its rows as the dry run read
them (the staging table), and the problems that leave rows out (the error file). The staged
rows and problems carry their import's id without a foreign key: checking it for each of a
million rows cost a third of a dry run; the code that discards an import deletes them.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("identity", sa.String(length=32), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("owner_email", sa.String(length=320), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("file_hash", sa.String(length=64), nullable=False),
        sa.Column("file_size", sa.Integer(), nullable=False),
        sa.Column("file_format", sa.String(length=8), nullable=False),
        sa.Column("encoding", sa.String(length=32), nullable=False),
        sa.Column("delimiter", sa.String(length=4), nullable=False),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("preview", sa.JSON(), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("skip_unchanged", sa.Boolean(), nullable=False),
        sa.Column("check_job_id", sa.Integer(), nullable=True),
        sa.Column("checked", sa.JSON(), nullable=True),
        sa.Column("counts", sa.JSON(), nullable=True),
        sa.Column("commit_job_id", sa.Integer(), nullable=True),
        sa.Column("change_set_id", sa.Integer(), nullable=True),
        sa.Column("committed_through", sa.Integer(), nullable=False),
        sa.Column("committed", sa.JSON(), nullable=True),
        sa.Column("committed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["staff.id"], name=op.f("fk_imports_owner_id_staff"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["check_job_id"],
            ["jobs.id"],
            name=op.f("fk_imports_check_job_id_jobs"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["commit_job_id"],
            ["jobs.id"],
            name=op.f("fk_imports_commit_job_id_jobs"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["change_set_id"],
            ["change_sets.id"],
            name=op.f("fk_imports_change_set_id_change_sets"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imports")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "uq_imports_owner_id_identity_file_hash",
        "imports",
        ["owner_id", "identity", "file_hash"],
        unique=True,
    )
    op.create_table(
        "import_file_chunks",
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["imports.id"],
            name=op.f("fk_import_file_chunks_import_id_imports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("import_id", "seq", name=op.f("pk_import_file_chunks")),
    )
    op.create_table(
        "import_rows",
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("row_no", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("key_id", sa.Integer(), nullable=True),
        sa.Column("target_id", sa.Integer(), nullable=True),
        sa.Column("target_version", sa.Integer(), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("date_of", sa.Date(), nullable=True),
        sa.Column("social_status", sa.String(length=16), nullable=True),
        sa.Column("organizer_ref", sa.String(length=320), nullable=True),
        sa.Column("organizer_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("import_id", "row_no", name=op.f("pk_import_rows")),
    )
    op.create_table(
        "import_problems",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("row_no", sa.Integer(), nullable=False),
        sa.Column("column", sa.String(length=200), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("message", sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_problems")),
    )
    op.create_index(
        "ix_import_problems_import_id_row_no", "import_problems", ["import_id", "row_no"]
    )
    if op.get_bind().dialect.name == "postgresql":
        # Staging rows are written once by the dry run and read by Confirm: not worth a WAL
        # record each, and a crash loses only a dry run (the file is kept to run it again).
        op.execute("ALTER TABLE import_rows SET UNLOGGED")
        op.execute("ALTER TABLE import_file_chunks ALTER COLUMN data SET STORAGE EXTERNAL")


def downgrade() -> None:
    op.drop_index("ix_import_problems_import_id_row_no", table_name="import_problems")
    op.drop_table("import_problems")
    op.drop_table("import_rows")
    op.drop_table("import_file_chunks")
    op.drop_index("uq_imports_owner_id_identity_file_hash", table_name="imports")
    op.drop_table("imports")
