"""List row counts: capped, and kept a minute per filter, so no view counts a million rows by
surprise (Django's `show_full_result_count = False`, with the count one click away).

A list counts its matching rows up to LIST_COUNT_CAP (or a little past the page it shows, for deep
pages): past that it says "10,000+ items", and `recount=1` counts them all. A reused count may be
out of date (another worker may have deleted rows since): the page says how old it is and offers
an exact recount.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, event

from admin_app.admin.core.timed_cache import TimedCache

# Rows counted before a list says "10,000+": an index range of this size counts in milliseconds.
LIST_COUNT_CAP = 10_000
EXACT = 0  # the cap of an exact count
# Connection info key: this transaction wrote rows.
_WROTE = "wrote_rows"


@dataclass(frozen=True)
class CachedCount:
    value: int
    age_seconds: int
    # The LIMIT the count ran under (EXACT: none); a value past it means "at least".
    cap: int = EXACT

    @property
    def capped(self) -> bool:
        return self.cap != EXACT and self.value > self.cap

    def serves(self, cap: int) -> bool:
        """Whether this count answers a view that needs counting up to `cap`."""
        return not self.capped or (cap != EXACT and self.cap >= cap)


class CountCache(TimedCache[tuple[str, str], tuple[int, int]]):
    """Counts per (list, filter state): the value and the cap it was counted under."""

    def count_of(self, identity: str, filters: str) -> CachedCount | None:
        kept = self.get((identity, filters))
        if kept is None:
            return None
        value, cap = kept.value
        return CachedCount(value=value, age_seconds=int(kept.age_seconds), cap=cap)

    def keep(self, identity: str, filters: str, value: int, cap: int = EXACT) -> None:
        self.put((identity, filters), (value, cap))


def forget_after_writes(engine: Engine, forget: Callable[[], None]) -> None:
    """Call `forget` when a transaction that wrote rows commits: the one place where cached
    counts, facets and figures learn of a change made through this process, whatever path made
    it (forms, cells, inline rows, batch and bulk work, restore, undo, revert, purge, and any
    path added later). Other processes keep theirs for at most their time to live."""

    def noted(conn: Connection, context: Any, **_: Any) -> None:
        if context is not None and (context.isinsert or context.isupdate or context.isdelete):
            conn.info[_WROTE] = True

    def committed(conn: Connection) -> None:
        # Called as the commit is sent: a page that counts in between would still see the old
        # rows, which is why readers of these caches also keep a short time to live.
        if _wrote(conn):
            forget()

    def rolled_back(conn: Connection) -> None:
        _wrote(conn)

    event.listen(engine, "after_cursor_execute", noted, named=True)
    event.listen(engine, "commit", committed)
    event.listen(engine, "rollback", rolled_back)


def _wrote(conn: Connection) -> bool:
    """Whether this transaction wrote rows (and forget that it did). A connection the database
    dropped has no info to read (reading it would raise instead of the outage, a 503): its
    transaction committed nothing."""
    return not conn.invalidated and bool(conn.info.pop(_WROTE, False))
