"""The load harness's stage: a fresh database (migrated, seeded, with staff) and uvicorn servers.

A PostgreSQL database is created under a unique name and dropped afterwards; a SQLite database is
a file in a temporary directory. Servers are real `uvicorn admin_app.main:create_app --factory`
processes, configured through the environment like a deployment.
"""

import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from admin_app.db import engine_at, make_session_factory
from admin_app.models import StaffRole
from admin_app.staff.accounts import create_staff

ROOT = Path(__file__).resolve().parent.parent
# Where the app's code is imported from by the servers and CLI commands (--app-dir changes it).
APP_DIR = [ROOT]
# The server the harness creates its databases on (the tests use the same variable).
POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
STAFF_PASSWORD = "load harness staff password 7"
READY_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0


@dataclass
class LoadDatabase:
    backend: str
    url: str
    # The PostgreSQL database name (for pg_stat_activity), or the SQLite file.
    name: str
    staff: list[str] = field(default_factory=list)
    users: int = 0
    events: int = 0

    def engine(self) -> Engine:
        return engine_at(self.url)


def use_app_dir(path: Path | None) -> None:
    """Serve another copy of the code (e.g. `git archive HEAD | tar -x -C DIR`), not this tree."""
    if path is not None:
        APP_DIR[0] = path.resolve()
        print(f"app code from {APP_DIR[0]}")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _cli(database_url: str, *args: str) -> None:
    """`python -m admin_app ARGS` against the database, as an operator would run it."""
    env = {**os.environ, "DATABASE_URL": database_url}
    result = subprocess.run(
        [sys.executable, "-m", "admin_app", *args],
        cwd=APP_DIR[0],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"admin_app {' '.join(args)} failed: {result.stderr or result.stdout}")


@contextmanager
def _postgres_database() -> Iterator[tuple[str, str]]:
    name = f"events_load_{uuid.uuid4().hex[:10]}"
    _admin_execute(f'CREATE DATABASE "{name}"')
    try:
        url = make_url(POSTGRES_ADMIN_URL).set(database=name)
        yield url.render_as_string(hide_password=False), name
    finally:
        # A new connection: the one that created it may have died with a server restart.
        _admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _admin_execute(statement: str) -> None:
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with admin.connect() as conn:
            conn.execute(text(statement))
    finally:
        admin.dispose()


@contextmanager
def fresh_database(backend: str, *, users: int, events: int, staff: int) -> Iterator[LoadDatabase]:
    """A migrated, seeded database with `staff` editor/admin accounts; removed afterwards."""
    if backend == "postgresql":
        with _postgres_database() as (url, name):
            yield _prepare(LoadDatabase(backend, url, name), users, events, staff)
        return
    with tempfile.TemporaryDirectory(prefix="events_load_") as folder:
        path = Path(folder) / "load.db"
        database = LoadDatabase(backend, f"sqlite:///{path}", str(path))
        yield _prepare(database, users, events, staff)


def _prepare(database: LoadDatabase, users: int, events: int, staff: int) -> LoadDatabase:
    started = time.monotonic()
    _cli(database.url, "migrate")
    _cli(database.url, "seed-demo", "--users", str(users), "--events", str(events), "--seed", "7")
    engine = engine_at(database.url)
    try:
        with make_session_factory(engine)() as session:
            for index in range(staff):
                email = f"load{index}@example.org"
                role = StaffRole.ADMIN if index % 4 == 0 else StaffRole.EDITOR
                create_staff(session, email=email, password=STAFF_PASSWORD, role=role)
                database.staff.append(email)
    finally:
        engine.dispose()
    database.users, database.events = users, events
    print(
        f"{database.backend}: migrated, seeded {users:,} users / {events:,} events and "
        f"{staff} staff in {time.monotonic() - started:.1f} s"
    )
    return database


class AppServer:
    """`uvicorn admin_app.main:create_app --factory` in its own process group."""

    def __init__(
        self,
        database_url: str,
        *,
        workers: int,
        log_path: Path,
        secret_key: str | None = None,
        port: int | None = None,
        behind_pooler: bool = False,
    ) -> None:
        self.database_url = database_url
        # DATABASE_URL is a PgBouncer in transaction pooling mode (reliability/pooler.py).
        self.behind_pooler = behind_pooler
        self.workers = workers
        self.log_path = log_path
        self.secret_key = secret_key or secrets.token_urlsafe(48)
        self.port = port or free_port()
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def process_group(self) -> int:
        """The server's process group (its supervisor's pid: it starts a session of its own)."""
        assert self._process is not None, "the server is not running"
        return self._process.pid

    def start(self) -> None:
        command = [sys.executable, "-m", "uvicorn", "admin_app.main:create_app", "--factory"]
        command += ["--host", "127.0.0.1", "--port", str(self.port)]
        command += ["--workers", str(self.workers), "--no-access-log", "--log-level", "warning"]
        command += ["--app-dir", str(APP_DIR[0])]
        env = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "SECRET_KEY": self.secret_key,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "PORT": str(self.port),  # the Host header carries the port, and is checked with it
            "APP_ENV": "development",
            "DATABASE_TRANSACTION_POOLER": "true" if self.behind_pooler else "false",
        }
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(
                command,
                cwd=APP_DIR[0],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise RuntimeError(f"the server exited; see {self.log_path}")
            try:
                if httpx.get(self.base_url + "/health", timeout=2.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"the server did not answer /health in {READY_TIMEOUT:.0f} s")

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()  # uvicorn's supervisor stops its workers on SIGTERM
        try:
            process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # our own process group, by its id
            process.wait()

    def unhandled_errors(self) -> list[str]:
        """Exceptions that escaped the app (a 500), from the server's log."""
        if not self.log_path.exists():
            return []
        lines = self.log_path.read_text(errors="replace").splitlines()
        return [line for line in lines if "Exception in ASGI application" in line]

    def __enter__(self) -> "AppServer":
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()
