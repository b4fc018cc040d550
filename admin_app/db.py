"""The database plumbing: declarative base, the one engine factory, the session factory."""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from admin_app import clock
from admin_app.config import Settings

# Stable constraint names on every database, so migrations can name what they alter.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Seconds to wait for a PostgreSQL connection before reporting the database unavailable.
CONNECT_TIMEOUT_SECONDS = 5


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime on every backend (SQLite keeps no offset, so we store UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass a timezone-aware one")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def utcnow() -> datetime:
    return clock.now()


def _sqlite_pragmas(lock_wait_ms: int) -> Callable[[Any, Any], None]:
    def configure(dbapi_connection: Any, _record: Any) -> None:
        # SQLite leaves foreign keys off per connection; WAL lets readers run beside a writer.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={lock_wait_ms}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return configure


def engine_for(settings: Settings) -> Engine:
    """The only place an engine is created (server, CLI, migrations, bench alike): the lock
    wait, echo and pre-ping come from the settings; SQLite gets the pragmas it needs."""
    url, echo = settings.database_url, settings.sql_echo
    # A statement waits this long for a lock another transaction holds (SQLite: another writer;
    # PostgreSQL: a locked row or table) before failing, which the app answers with a 503.
    lock_wait_ms = max(1, round(settings.database_lock_wait_seconds * 1000))
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"check_same_thread": False, "timeout": lock_wait_ms / 1000},
        )
        event.listen(engine, "connect", _sqlite_pragmas(lock_wait_ms))
        return engine
    # pool_pre_ping replaces connections a database restart killed; the timeouts turn an
    # unreachable server, or a row someone else keeps locked, into a quick 503, not a hung page.
    return create_engine(
        url,
        echo=echo,
        pool_pre_ping=True,
        pool_timeout=10,
        connect_args=_postgres_connect_args(lock_wait_ms, settings.database_transaction_pooler),
    )


def _postgres_connect_args(lock_wait_ms: int, behind_pooler: bool) -> dict[str, object]:
    if behind_pooler:
        # Transaction pooling: each transaction may get another server connection, where a
        # statement prepared on the last one does not exist; and PgBouncer refuses `options`.
        return {"connect_timeout": CONNECT_TIMEOUT_SECONDS, "prepare_threshold": None}
    return {
        "connect_timeout": CONNECT_TIMEOUT_SECONDS,
        "options": f"-c lock_timeout={lock_wait_ms}",
    }


def engine_at(database_url: str) -> Engine:
    """`engine_for` the settings of the environment, at this URL (tools that take a URL)."""
    return engine_for(Settings(_env_file=None, database_url=database_url))


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, autoflush=False, expire_on_commit=False)


def sync_factory(factory: object) -> sessionmaker[Session]:
    """SQLAdmin types its session maker as sync-or-async; this app always builds a sync one."""
    assert isinstance(factory, sessionmaker), "the panel runs on a synchronous engine"
    return factory
