"""One small cache for values worth a few seconds or a minute: each kept for its time to live,
the least recently stored dropped past the capacity. Counts, facets and the dashboard's figures
use it; each process keeps its own."""

import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Generic, TypeVar

Key = TypeVar("Key")
Value = TypeVar("Value")

# Entries one cache keeps at most (filter states of every list, per process): a few MiB.
CAPACITY = 512


@dataclass(frozen=True)
class Kept(Generic[Value]):
    value: Value
    age_seconds: float


class TimedCache(Generic[Key, Value]):
    def __init__(self, ttl_seconds: float, capacity: int = CAPACITY) -> None:
        self.ttl = ttl_seconds
        self.capacity = capacity
        self._entries: OrderedDict[Key, tuple[Value, float]] = OrderedDict()

    def get(self, key: Key) -> Kept[Value] | None:
        """The value kept for `key` and its age, or None once its time to live has passed."""
        found = self._entries.get(key)
        if found is None:
            return None
        value, at = found
        age = time.monotonic() - at
        if age > self.ttl:
            del self._entries[key]
            return None
        return Kept(value, age)

    def put(self, key: Key, value: Value) -> None:
        self._entries[key] = (value, time.monotonic())
        self._entries.move_to_end(key)
        while len(self._entries) > self.capacity:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()
