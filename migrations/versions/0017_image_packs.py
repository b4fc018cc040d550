"""Image packs: a bulk delete's images in one row per deleted batch, unpacked into row_images by
the first reader. One image row per deleted row made a bulk delete cost 2-3x the raw DELETE on
PostgreSQL (a second logged write of every row, plus four index entries). A pack of 10,000
events is about 2.5 MB of JSON: PostgreSQL compresses it with lz4 where the server has it, which
measured 1.16x the raw DELETE against 1.55x with its default pglz.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "image_packs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("change_set_id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=32), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("rows", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["change_set_id"],
            ["change_sets.id"],
            name=op.f("fk_image_packs_change_set_id_change_sets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_image_packs")),
    )
    if _has_lz4():
        op.execute("ALTER TABLE image_packs ALTER COLUMN rows SET COMPRESSION lz4")


def _has_lz4() -> bool:
    # A server built without lz4 lists only pglz among the compressions it offers.
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return False
    offered = bind.exec_driver_sql(
        "SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'"
    ).scalar()
    return "lz4" in (offered or [])


def downgrade() -> None:
    # Unpack first (as history/images.py did at this revision), so a downgrade loses no image.
    columns = "change_set_id, target, action, row_id, version_after, label, data"
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"WITH taken AS (DELETE FROM image_packs RETURNING id, change_set_id, target, action,"
            f" rows) INSERT INTO row_images ({columns})"
            " SELECT taken.change_set_id, taken.target, taken.action,"
            " CAST(image.value ->> 'id' AS INTEGER), CAST(image.value ->> 'version' AS INTEGER),"
            " image.value ->> CASE taken.target WHEN 'user' THEN 'email' ELSE 'title' END,"
            " image.value FROM taken CROSS JOIN LATERAL json_array_elements(taken.rows)"
            " WITH ORDINALITY AS image (value, position) ORDER BY taken.id, image.position"
        )
    else:
        op.execute(
            f"INSERT INTO row_images ({columns})"
            " SELECT pack.change_set_id, pack.target, pack.action,"
            " json_extract(image.value, '$.id'), json_extract(image.value, '$.version'),"
            " json_extract(image.value,"
            " CASE pack.target WHEN 'user' THEN '$.email' ELSE '$.title' END),"
            " image.value FROM image_packs AS pack, json_each(pack.rows) AS image"
            " ORDER BY pack.id, image.key"
        )
    op.drop_table("image_packs")
