"""Where each benchmark database lives: a SQLite file under bench/.data or a PostgreSQL database."""

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sqlalchemy.engine import make_url

BENCH_DIR = Path(__file__).resolve().parent
DATA_DIR = BENCH_DIR / ".data"
RESULTS_DIR = BENCH_DIR / "results"
DEFAULT_POSTGRES_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"

DatabaseKind = Literal["sqlite", "postgresql"]


@dataclass(frozen=True)
class Size:
    users: int
    events: int

    @property
    def slug(self) -> str:
        return f"{self.users}u_{self.events}e"

    @property
    def label(self) -> str:
        return f"{self.users:,} users / {self.events:,} events"


DEFAULT_SIZE = Size(users=100_000, events=1_000_000)
QUICK_SIZE = Size(users=2_000, events=20_000)


@dataclass(frozen=True)
class Target:
    """One benchmark database: its kind, the URL the servers use, and how to recreate it."""

    kind: DatabaseKind
    size: Size
    url: str
    # SQLite: the file; PostgreSQL: None.
    path: Path | None = None
    # PostgreSQL: the maintenance database URL used to create / drop the bench database.
    server_url: str | None = None
    database: str | None = None


def sqlite_target(size: Size, data_dir: Path = DATA_DIR) -> Target:
    path = data_dir / f"events_bench_{size.slug}.db"
    return Target(kind="sqlite", size=size, url=f"sqlite:///{path}", path=path)


def postgres_target(size: Size, server_url: str = DEFAULT_POSTGRES_SERVER) -> Target:
    database = f"events_bench_{size.slug}"
    url = make_url(server_url).set(database=database)
    return Target(
        kind="postgresql",
        size=size,
        url=url.render_as_string(hide_password=False),
        server_url=server_url,
        database=database,
    )


def make_target(kind: DatabaseKind, size: Size, *, postgres_server: str) -> Target:
    return sqlite_target(size) if kind == "sqlite" else postgres_target(size, postgres_server)
