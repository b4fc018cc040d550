"""The current time, in one place, so tests can move it instead of sleeping."""

from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(UTC)
