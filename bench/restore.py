"""Bulk-delete repetitions delete real rows: pick them, keep a copy, put them back afterwards."""

import random
from typing import Any

from sqlalchemy import Table, func, insert, select

from admin_app.db import Base, engine_at
from admin_app.models import Event

EVENTS: Table = Base.metadata.tables[Event.__tablename__]


class EventRestorer:
    def __init__(self, database_url: str, total_events: int, seed: int = 7) -> None:
        self.engine = engine_at(database_url)
        self.total_events = total_events
        self.rng = random.Random(seed)

    def close(self) -> None:
        self.engine.dispose()

    def pick(self, count: int) -> list[int]:
        """Random existing ids, spread over the table like a selection across pages."""
        return sorted(self.rng.sample(range(1, self.total_events + 1), count))

    def snapshot(self, ids: list[int]) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(EVENTS).where(EVENTS.c.id.in_(ids))).mappings().all()
        return [dict(row) for row in rows]

    def remaining(self, ids: list[int]) -> int:
        with self.engine.connect() as conn:
            stmt = select(func.count()).select_from(EVENTS).where(EVENTS.c.id.in_(ids))
            return int(conn.scalar(stmt) or 0)

    def restore(self, rows: list[dict[str, Any]]) -> None:
        """Insert back whichever of these rows are gone (all, after a successful delete)."""
        if not rows:
            return
        with self.engine.begin() as conn:
            ids = [row["id"] for row in rows]
            present = set(conn.scalars(select(EVENTS.c.id).where(EVENTS.c.id.in_(ids))))
            missing = [row for row in rows if row["id"] not in present]
            if missing:
                conn.execute(insert(EVENTS), missing)
