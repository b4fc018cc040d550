"""List row counts, kept a minute per filter so paging does not recount a million rows.

A reused count may be out of date (another worker may have deleted rows since): the page says
how old it is and offers an exact recount.
"""

import time
from collections import OrderedDict
from dataclasses import dataclass

# Different filter combinations remembered at once, per process.
MAX_ENTRIES = 512


@dataclass(frozen=True)
class CachedCount:
    value: int
    age_seconds: int


class CountCache:
    def __init__(self, ttl_seconds: float) -> None:
        self.ttl = ttl_seconds
        self._counts: OrderedDict[tuple[str, str], tuple[int, float]] = OrderedDict()

    def get(self, identity: str, filters: str) -> CachedCount | None:
        found = self._counts.get((identity, filters))
        if found is None:
            return None
        value, at = found
        age = time.monotonic() - at
        if age > self.ttl:
            del self._counts[(identity, filters)]
            return None
        return CachedCount(value=value, age_seconds=int(age))

    def put(self, identity: str, filters: str, value: int) -> None:
        self._counts[(identity, filters)] = (value, time.monotonic())
        self._counts.move_to_end((identity, filters))
        while len(self._counts) > MAX_ENTRIES:
            self._counts.popitem(last=False)

    def forget(self, identity: str) -> None:
        """After a change through this process: its counts are recomputed on the next view."""
        for key in [key for key in self._counts if key[0] == identity]:
            del self._counts[key]
