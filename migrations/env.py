"""Alembic environment: the URL comes from the app's Settings, the schema from its models."""

from collections.abc import Callable

from alembic import context
from sqlalchemy import Connection

from admin_app import models  # noqa: F401  (registers the tables on Base.metadata)
from admin_app.config import Settings
from admin_app.db import Base, engine_for
from admin_app.jobs.queue_tables import is_queue_table
from admin_app.search_index import is_search_table

config = context.config
target_metadata = Base.metadata
# Given by admin_app.migrate when run from code; read from the environment by `alembic upgrade`.
settings: Settings = config.attributes.get("settings") or Settings()


def _exists_on(dialect: str) -> Callable[..., bool]:
    """Skip schema objects that the models create only on other databases (Index.ddl_if)."""

    def include(obj: object, name: object, kind: str, _reflected: bool, _other: object) -> bool:
        if kind == "table" and isinstance(name, str) and is_search_table(name):
            return False  # SQLite's FTS5 search tables (0008), not models
        if kind == "table" and isinstance(name, str) and is_queue_table(name):
            return False  # the job queue's own tables (0014), not models
        ddl_if = getattr(obj, "_ddl_if", None)
        return ddl_if is None or ddl_if.dialect in (None, dialect)

    return include


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=_exists_on(connection.dialect.name),
        # SQLite cannot ALTER most things in place; batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


def _run_on(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # Batch mode rebuilds tables (copy, drop, rename); with foreign keys enforced the drop
        # of a referenced table fails. Off for the migration, then every reference is checked.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()  # end the implicit transaction so the migration owns its own
    _configure(connection)
    with context.begin_transaction():
        context.run_migrations()
    if sqlite:
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")
        connection.commit()
        if broken:
            raise RuntimeError(f"migration left rows with broken foreign keys: {broken[:5]}")


def run_migrations_offline() -> None:
    context.configure(
        url=settings.database_url, target_metadata=target_metadata, literal_binds=True
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_on(connection)
        return
    engine = engine_for(settings)
    try:
        with engine.connect() as connection:
            _run_on(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
