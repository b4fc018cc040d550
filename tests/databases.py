"""Throwaway databases for the test suites: a SQLite file, or a fresh PostgreSQL database."""

import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

BACKENDS = ("sqlite", "postgresql")
# The server the suite creates its databases on; CI and developer machines run it locally.
POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def _postgres_unavailable(reason: str) -> None:
    message = f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {reason}"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message + " (start it, or set TEST_POSTGRES_URL)")


@contextmanager
def postgres_database() -> Iterator[str]:
    """Create a uniquely named database, yield its URL, drop it afterwards."""
    name = f"events_admin_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
            # A test database need not survive a crash: commits return without waiting for the
            # disk (a third of the suite's PostgreSQL time). Only this database is changed.
            conn.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit TO off'))
    except OperationalError as exc:
        admin.dispose()
        _postgres_unavailable(str(exc.orig))
    try:
        yield make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# SQLite test files go to memory-backed storage where the machine has it: each commit's fsync
# to disk is most of a SQLite test's time, and a test database need not survive a crash.
MEMORY_BACKED = Path("/dev/shm")


@contextmanager
def throwaway_database(backend: str, folder: Path) -> Iterator[str]:
    if backend == "postgresql":
        with postgres_database() as url:
            yield url
        return
    if not MEMORY_BACKED.is_dir():
        yield f"sqlite:///{folder / 'events_admin.db'}"
        return
    with tempfile.TemporaryDirectory(prefix="events_admin_test_", dir=MEMORY_BACKED) as memory:
        yield f"sqlite:///{Path(memory) / 'events_admin.db'}"
