"""Fixtures: every database test runs once on SQLite and once on PostgreSQL."""

import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from admin_app import clock
from admin_app.config import Settings
from admin_app.db import Base
from admin_app.main import create_app
from admin_app.migrate import upgrade_to_head
from admin_app.models import Staff, StaffRole
from admin_app.staff import passwords
from tests import factories
from tests.databases import BACKENDS, throwaway_database
from tests.e2e.support import RESULTS_DIR as E2E_RESULTS_DIR

# Every table the models declare, children before parents.
TABLES_CHILD_FIRST = [table.name for table in reversed(Base.metadata.sorted_tables)]


# Tests hash passwords with argon2id at its lowest cost, as Django's test settings swap in a
# fast hasher: most tests make and log in a staff member, and OWASP's parameters cost 50 ms each
# time. Tests marked `real_password_hashing` (the parameters themselves) keep the real one.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
FAST_DUMMY_HASH = FAST_HASHER.hash("a password nobody has, used to equalise timing")


def pytest_sessionstart(session: pytest.Session) -> None:
    """Empty test-results/e2e/ once per run, so it holds only this run's screenshots: here, in
    the controller of a parallel run before any worker starts (each worker emptying it raced
    with the others creating it, and failed their tests)."""
    if not hasattr(session.config, "workerinput"):
        shutil.rmtree(E2E_RESULTS_DIR, ignore_errors=True)


@pytest.fixture(autouse=True)
def fast_password_hashing(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    if request.node.get_closest_marker("real_password_hashing") is None:
        monkeypatch.setattr(passwords, "_HASHER", FAST_HASHER)
        monkeypatch.setattr(passwords, "_DUMMY_HASH", FAST_DUMMY_HASH)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    folder: Path = tmp_path_factory.mktemp(request.param)
    with throwaway_database(request.param, folder) as url:
        upgrade_to_head(Settings(_env_file=None, database_url=url))
        yield url


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        _env_file=None,
        database_url=database_url,
        secret_key=SecretStr("test-only-signing-key-0123456789abcdef"),
        allowed_hosts=["testserver"],
        dashboard_cache_seconds=0,
        list_count_cache_seconds=0,
        # Jobs run inside the request that asks for them (tests/jobs/ runs a real worker too).
        jobs_immediate=True,
    )


@pytest.fixture
def app(settings: Settings) -> Iterator[FastAPI]:
    app = create_app(settings)
    yield app
    _empty_tables(app.state.engine)
    app.state.engine.dispose()


def _empty_tables(engine: Engine) -> None:
    # DELETE, not TRUNCATE, on PostgreSQL too: a test leaves a few rows, and TRUNCATE of every
    # table costs 70 ms a test. Deleting events and users moves their tallies (triggers): the
    # tallies go last. Ids restart, as tests expect. PostgreSQL takes it all in one round trip.
    tallies_last = sorted(TABLES_CHILD_FIRST, key=lambda name: name.endswith("_tallies"))
    deletes = [f"DELETE FROM {table}" for table in tallies_last]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            restarts = [f"ALTER SEQUENCE {name} RESTART" for name in _SEQUENCES]
            conn.exec_driver_sql("; ".join([*deletes, *restarts]))
        else:
            for statement in [*deletes, "DELETE FROM sqlite_sequence"]:
                conn.exec_driver_sql(statement)


# Every id sequence of the schema (PostgreSQL names a serial id's <table>_id_seq).
_SEQUENCES = [f"{table.name}_id_seq" for table in Base.metadata.sorted_tables if "id" in table.c]


@pytest.fixture
def session_factory(app: FastAPI) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = app.state.session_factory
    return factory


@pytest.fixture
def db(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    with session_factory() as session:
        yield session


@pytest.fixture
def anonymous(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://testserver") as client:
        yield client


ClientFactory = Callable[[], TestClient]
ClockMover = Callable[[timedelta], None]


@pytest.fixture
def move_clock(monkeypatch: pytest.MonkeyPatch) -> ClockMover:
    """Move the app's clock forward from now (tests move time instead of sleeping)."""

    def move(by: timedelta) -> None:
        moved = datetime.now(UTC) + by
        monkeypatch.setattr(clock, "now", lambda: moved)

    return move


@pytest.fixture
def anonymous_factory(app: FastAPI) -> Iterator[ClientFactory]:
    """More browsers on the same app (e.g. a second staff member, a second device)."""
    clients: list[TestClient] = []

    def make() -> TestClient:
        clients.append(TestClient(app, base_url="http://testserver").__enter__())
        return clients[-1]

    yield make
    for made in clients:
        made.__exit__(None, None, None)


@pytest.fixture
def admin_staff(db: Session) -> Staff:
    return factories.make_staff(db, email="admin@example.org", role=StaffRole.ADMIN)


@pytest.fixture
def client(anonymous: TestClient, admin_staff: Staff) -> TestClient:
    """A client logged in as an admin, sending its CSRF token like the panel's script does."""
    factories.login(anonymous, admin_staff.email)
    anonymous.headers["X-CSRF-Token"] = factories.csrf_token(anonymous)
    return anonymous


RoleClient = Callable[[StaffRole], TestClient]


@pytest.fixture
def client_as(db: Session, admin_staff: Staff, anonymous_factory: ClientFactory) -> RoleClient:
    """A browser logged in as a new staff member with this role, sending its CSRF token."""

    def make(role: StaffRole) -> TestClient:
        browser = anonymous_factory()
        factories.login(browser, factories.make_staff(db, role=role).email)
        browser.headers["X-CSRF-Token"] = factories.csrf_token(browser, "/admin/")
        return browser

    return make
