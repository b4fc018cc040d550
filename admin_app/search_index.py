"""SQLite's substring indexes: FTS5 trigram tables over event titles and user emails.

PostgreSQL answers `ILIKE '%term%'` from its trigram (pg_trgm) indexes; SQLite has no such index
on a plain column, so each searchable column gets an external-content FTS5 table with the
`trigram` tokenizer (kept in step by triggers, created by migration 0008). Its `LIKE` gives the
same answers as SQLite's own (ASCII case folding, `ESCAPE` honoured) and uses the index when the
pattern has no escapes. The tables live outside `Base.metadata`, as the migration's own business:
the models know nothing of them, and Alembic's comparison leaves them out (migrations/env.py).
"""

from typing import Final

from sqlalchemy import Column, Integer, MetaData, String, Table

# (table, column) -> the FTS5 table that indexes it.
INDEXED: Final = {
    ("events", "title"): "events_title_search",
    ("users", "email"): "users_email_search",
}

_metadata = MetaData()
SEARCH_TABLES: Final = {
    name: Table(name, _metadata, Column("rowid", Integer), Column(column, String))
    for (_, column), name in INDEXED.items()
}


def is_search_table(name: str) -> bool:
    """An FTS table or one of its shadow tables (`<name>_data`, `_idx`, `_docsize`, `_config`)."""
    return any(name == table or name.startswith(f"{table}_") for table in SEARCH_TABLES)


def create_statements(table: str, column: str) -> list[str]:
    """The FTS table over `table.column`, its three triggers, and the rebuild of existing rows."""
    fts = INDEXED[(table, column)]
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5({column}, content='{table}', "
        "content_rowid='id', tokenize='trigram')",
        f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO {fts}(rowid, {column}) VALUES (new.id, new.{column}); END",
        f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, {column}) VALUES ('delete', old.id, old.{column}); END",
        f"CREATE TRIGGER {fts}_update AFTER UPDATE OF {column} ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, {column}) VALUES ('delete', old.id, old.{column}); "
        f"INSERT INTO {fts}(rowid, {column}) VALUES (new.id, new.{column}); END",
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
    ]


def drop_statements(table: str, column: str) -> list[str]:
    fts = INDEXED[(table, column)]
    triggers = [f"DROP TRIGGER IF EXISTS {fts}_{kind}" for kind in ("insert", "delete", "update")]
    return [*triggers, f"DROP TABLE IF EXISTS {fts}"]
