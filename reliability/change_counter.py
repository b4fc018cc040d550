"""A counter the database bumps on every write to the tables a scan watches, so that a scan
takes a full snapshot (tests/snapshots.py) only after a request that wrote something.

The route sweep sends some 13,000 requests, nearly all refused or read-only; two full snapshots
around each cost more than the requests. Triggers on the scan's own throwaway database (never a
migration's) bump one row; the sweep reads it after each answer, one tiny statement.
"""

from sqlalchemy import Engine, text

from tests.snapshots import COUNTED_TABLES, ROW_TABLES, Snapshot, snapshot

TABLE = "scan_changes"
_POSTGRES_FUNCTION = (
    f"CREATE FUNCTION {TABLE}_bump() RETURNS trigger LANGUAGE plpgsql AS "
    f"$$ BEGIN UPDATE {TABLE} SET n = n + 1; RETURN NULL; END $$"
)


class ChangeCounter:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        with engine.begin() as conn:
            conn.execute(text(f"CREATE TABLE {TABLE} (n INTEGER NOT NULL)"))
            conn.execute(text(f"INSERT INTO {TABLE} (n) VALUES (0)"))
            for statement in self._triggers(engine.dialect.name):
                conn.execute(text(statement))
        self.settle()

    def settle(self) -> None:
        """Take the database as it is now as the state the next request starts from."""
        self.seen, self.last = self.read(), snapshot(self.engine)

    @staticmethod
    def _triggers(dialect: str) -> list[str]:
        # image_packs: a delete's images, counted with row_images (tests/snapshots.py).
        tables = [*ROW_TABLES, *COUNTED_TABLES, "image_packs"]
        if dialect == "postgresql":
            return [_POSTGRES_FUNCTION] + [
                f"CREATE TRIGGER {TABLE}_{table} AFTER INSERT OR UPDATE OR DELETE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_bump()"
                for table in tables
            ]
        return [
            f"CREATE TRIGGER {TABLE}_{table}_{op.lower()} AFTER {op} ON {table} "
            f"BEGIN UPDATE {TABLE} SET n = n + 1; END"
            for table in tables
            for op in ("INSERT", "UPDATE", "DELETE")
        ]

    def read(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.scalar(text(f"SELECT n FROM {TABLE}")) or 0)

    def around(self) -> tuple[Snapshot, Snapshot]:
        """The database before and after the last request: the same snapshot twice when the
        counter did not move (nothing was written), else the last one and a fresh one."""
        before = self.last
        if (now := self.read()) != self.seen:
            self.seen, self.last = now, snapshot(self.engine)
        return before, self.last
