"""Figures kept by the database itself: events per month and status, and users, maintained by
triggers in the same transaction as every change (forms, bulk work, restores, seeding, a
command-line import), so the dashboard reads a few rows instead of counting a million.

SQLite has row triggers only, and one writer at a time: each changed row adds to or takes from
its (month, status) row. PostgreSQL gets statement triggers with transition tables that append
one delta row per (month, status) a statement touched: concurrent transactions never wait on a
shared counter row (nor deadlock over two of them), and `compact` folds the deltas now and then.
The DDL lives here, for migration 0010 to run.
"""

from typing import Final

from sqlalchemy import Connection, func, select, text

from admin_app.models import EventTally, UserTally

# Past this many delta rows, a dashboard view folds them into one row per (month, status).
COMPACT_AFTER: Final = 2_000

_SQLITE_EVENT_ROW = """
    INSERT INTO event_tallies (month, social_status, delta)
      SELECT substr({row}.date_of, 1, 7), {row}.social_status, 0
      WHERE NOT EXISTS (SELECT 1 FROM event_tallies
        WHERE month = substr({row}.date_of, 1, 7) AND social_status = {row}.social_status);
    UPDATE event_tallies SET delta = delta {sign} 1 WHERE id = (SELECT id FROM event_tallies
      WHERE month = substr({row}.date_of, 1, 7) AND social_status = {row}.social_status LIMIT 1);
"""
_SQLITE_USER_ROW = """
    INSERT INTO user_tallies (delta) SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM user_tallies);
    UPDATE user_tallies SET delta = delta {sign} 1 WHERE id = (SELECT min(id) FROM user_tallies);
"""
_SQLITE_MOVED = (
    "substr(OLD.date_of, 1, 7) <> substr(NEW.date_of, 1, 7) "
    "OR OLD.social_status <> NEW.social_status"
)
SQLITE_CREATE: Final = [
    "CREATE TRIGGER events_tally_insert AFTER INSERT ON events BEGIN"
    + _SQLITE_EVENT_ROW.format(row="NEW", sign="+")
    + "END",
    "CREATE TRIGGER events_tally_delete AFTER DELETE ON events BEGIN"
    + _SQLITE_EVENT_ROW.format(row="OLD", sign="-")
    + "END",
    f"CREATE TRIGGER events_tally_update AFTER UPDATE OF date_of, social_status ON events "
    f"WHEN {_SQLITE_MOVED} BEGIN"
    + _SQLITE_EVENT_ROW.format(row="OLD", sign="-")
    + _SQLITE_EVENT_ROW.format(row="NEW", sign="+")
    + "END",
    "CREATE TRIGGER users_tally_insert AFTER INSERT ON users BEGIN"
    + _SQLITE_USER_ROW.format(sign="+")
    + "END",
    "CREATE TRIGGER users_tally_delete AFTER DELETE ON users BEGIN"
    + _SQLITE_USER_ROW.format(sign="-")
    + "END",
]
SQLITE_DROP: Final = [
    f"DROP TRIGGER IF EXISTS {name}"
    for name in (
        "events_tally_insert",
        "events_tally_delete",
        "events_tally_update",
        "users_tally_insert",
        "users_tally_delete",
    )
]

_PG_EVENTS_FUNCTION = """
CREATE FUNCTION tally_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO event_tallies (month, social_status, delta)
      SELECT to_char(date_of, 'YYYY-MM'), social_status::text, count(*) FROM new_rows GROUP BY 1, 2;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO event_tallies (month, social_status, delta)
      SELECT to_char(date_of, 'YYYY-MM'), social_status::text, -count(*) FROM old_rows
      GROUP BY 1, 2;
  ELSE
    INSERT INTO event_tallies (month, social_status, delta)
      SELECT month, status, sum(change) FROM (
        SELECT to_char(date_of, 'YYYY-MM') AS month, social_status::text AS status, -1 AS change
          FROM old_rows
        UNION ALL
        SELECT to_char(date_of, 'YYYY-MM'), social_status::text, 1 FROM new_rows
      ) AS moved GROUP BY month, status HAVING sum(change) <> 0;
  END IF;
  RETURN NULL;
END $$
"""
_PG_USERS_FUNCTION = """
CREATE FUNCTION tally_users() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO user_tallies (delta) SELECT count(*) FROM new_rows HAVING count(*) > 0;
  ELSE
    INSERT INTO user_tallies (delta) SELECT -count(*) FROM old_rows HAVING count(*) > 0;
  END IF;
  RETURN NULL;
END $$
"""
POSTGRESQL_CREATE: Final = [
    _PG_EVENTS_FUNCTION,
    _PG_USERS_FUNCTION,
    "CREATE TRIGGER events_tally_insert AFTER INSERT ON events REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION tally_events()",
    "CREATE TRIGGER events_tally_delete AFTER DELETE ON events REFERENCING OLD TABLE AS old_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION tally_events()",
    # Transition tables cannot go with a column list: every UPDATE fires, and only rows whose
    # month or status moved leave a delta.
    "CREATE TRIGGER events_tally_update AFTER UPDATE ON events REFERENCING OLD TABLE AS old_rows "
    "NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tally_events()",
    "CREATE TRIGGER users_tally_insert AFTER INSERT ON users REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION tally_users()",
    "CREATE TRIGGER users_tally_delete AFTER DELETE ON users REFERENCING OLD TABLE AS old_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION tally_users()",
]
POSTGRESQL_DROP: Final = [
    "DROP TRIGGER IF EXISTS events_tally_insert ON events",
    "DROP TRIGGER IF EXISTS events_tally_delete ON events",
    "DROP TRIGGER IF EXISTS events_tally_update ON events",
    "DROP TRIGGER IF EXISTS users_tally_insert ON users",
    "DROP TRIGGER IF EXISTS users_tally_delete ON users",
    "DROP FUNCTION IF EXISTS tally_events()",
    "DROP FUNCTION IF EXISTS tally_users()",
]


def backfill(conn: Connection) -> None:
    """The tallies of the rows already there (the migration, before the triggers exist)."""
    month, status = (
        ("to_char(date_of, 'YYYY-MM')", "social_status::text")
        if conn.dialect.name == "postgresql"
        else ("substr(date_of, 1, 7)", "social_status")
    )
    conn.execute(
        text(
            "INSERT INTO event_tallies (month, social_status, delta) "
            f"SELECT {month}, {status}, count(*) FROM events GROUP BY 1, 2"
        )
    )
    conn.execute(text("INSERT INTO user_tallies (delta) SELECT count(*) FROM users"))


def events_by_month(conn: Connection, *, first: str, end: str) -> dict[str, int]:
    """Events per month ("2026-11" -> count) for months in [first, end)."""
    rows = conn.execute(
        select(EventTally.month, func.sum(EventTally.delta))
        .where(EventTally.month >= first, EventTally.month < end)
        .group_by(EventTally.month)
    )
    return {month: int(total) for month, total in rows}


def events_by_status(conn: Connection) -> dict[str, int]:
    rows = conn.execute(
        select(EventTally.social_status, func.sum(EventTally.delta)).group_by(
            EventTally.social_status
        )
    )
    return {status: int(total) for status, total in rows}


def user_count(conn: Connection) -> int:
    return int(conn.scalar(select(func.coalesce(func.sum(UserTally.delta), 0))) or 0)


def compact(conn: Connection) -> None:
    """Fold PostgreSQL's delta rows into one per (month, status) once there are many.

    One statement per table, the same on every view (it deletes nothing while the rows are
    few): the rows it deletes are summed back in; rows appended meanwhile by other transactions
    are not in its snapshot and stay, so no change is lost or counted twice.
    """
    if conn.dialect.name != "postgresql":
        return  # SQLite keeps one row per (month, status) already
    conn.execute(
        text(
            "WITH gone AS (DELETE FROM event_tallies "
            "WHERE (SELECT count(*) FROM event_tallies) > :limit "
            "RETURNING month, social_status, delta) "
            "INSERT INTO event_tallies (month, social_status, delta) "
            "SELECT month, social_status, sum(delta) FROM gone GROUP BY 1, 2 "
            "HAVING sum(delta) <> 0"
        ),
        {"limit": COMPACT_AFTER},
    )
    conn.execute(
        text(
            "WITH gone AS (DELETE FROM user_tallies "
            "WHERE (SELECT count(*) FROM user_tallies) > :limit RETURNING delta) "
            "INSERT INTO user_tallies (delta) SELECT sum(delta) FROM gone HAVING count(*) > 0"
        ),
        {"limit": COMPACT_AFTER},
    )
