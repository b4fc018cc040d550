"""Counted words in messages: "1 event", "3 events" (one rule for every message and page)."""

from typing import Protocol


class Named(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def name_plural(self) -> str: ...


def plural(count: int, one: str, many: str) -> str:
    """The word for this count: plural(1, "event", "events") is "event"."""
    return one if count == 1 else many


def counted(count: int, view: Named) -> str:
    """ "1 event", "12 events": a count of a view's rows, in its own words."""
    return f"{count} {plural(count, view.name.lower(), view.name_plural.lower())}"
