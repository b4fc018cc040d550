"""Event dates between 1900-01-01 and 9999-12-31, checked by both databases.

A batch edit could move a date to year 0 (SQLite stored '0000-12-28', PostgreSQL a BC date):
neither Python nor psycopg can read such a row back, and every page that loaded it failed. The
forms, cells, inline rows and batch edit now refuse such dates
(admin_app/admin/forms/validators.py); this constraint is the database's own guard behind them.

A database that already holds such rows is not changed behind anyone's back: the upgrade stops
and names them (undo the change set that wrote them, or set their dates, then upgrade again).

SQLite adds a CHECK only by rebuilding the table (AUTOINCREMENT kept); its triggers (search
index, tallies) are read before the rebuild and created again after it, unchanged.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "date_of_in_range"
# Reflection does not see AUTOINCREMENT (0006): the rebuilt table keeps it only if told.
NEVER_REUSE_IDS = {"sqlite_autoincrement": True}
CONDITION = "date_of BETWEEN '1900-01-01' AND '9999-12-31'"


def _refuse_rows_out_of_range(bind: sa.Connection) -> None:
    ids = bind.scalars(sa.text(f"SELECT id FROM events WHERE NOT ({CONDITION}) LIMIT 20")).all()
    if ids:
        raise RuntimeError(
            f"Events with dates outside 1900-01-01..9999-12-31 (ids {', '.join(map(str, ids))}"
            f"{', ...' if len(ids) == 20 else ''}): undo the change set that wrote them or set "
            "their dates, then run the migration again."
        )


def _event_triggers(bind: sa.Connection) -> list[str]:
    query = "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'events'"
    return list(bind.scalars(sa.text(query)))


def upgrade() -> None:
    bind = op.get_bind()
    _refuse_rows_out_of_range(bind)
    if bind.dialect.name != "sqlite":
        op.create_check_constraint(NAME, "events", CONDITION)
        return
    triggers = _event_triggers(bind)
    with op.batch_alter_table("events", recreate="always", table_kwargs=NEVER_REUSE_IDS) as batch:
        batch.create_check_constraint(NAME, CONDITION)
    for trigger in triggers:
        op.execute(trigger)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.drop_constraint(NAME, "events", type_="check")  # the naming convention adds ck_events_
        return
    triggers = _event_triggers(bind)
    with op.batch_alter_table("events", recreate="always", table_kwargs=NEVER_REUSE_IDS) as batch:
        batch.drop_constraint(NAME, type_="check")
    for trigger in triggers:
        op.execute(trigger)
