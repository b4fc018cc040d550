"""The benchmark data, generated deterministically so every scenario knows what it will find.

- users 1..N, emails like the project's demo data; user 1 organizes exactly 1,000 events;
- events 1..M, organized by random other users, dates spread over 720 days from 2025-01-01;
- exactly M // 10 events fall in the first 72 days (the "export window" the CSV export uses);
- about half the events are private.
"""

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar

from admin_app.models import SocialStatus
from admin_app.seed import DOMAINS, FIRST_NAMES, LAST_NAMES, TITLE_ADJECTIVES, TITLE_NOUNS
from bench.targets import Size

# Bump when the generated data changes, so stored databases are re-seeded.
LAYOUT_VERSION = "1"
SEED = 1
HEAVY_USER_ID = 1
HEAVY_USER_EVENTS = 1_000
DAY_ZERO = date(2025, 1, 1)
SPAN_DAYS = 720
EXPORT_DAYS = 72
LIST_PAGE_SIZE = 25

T = TypeVar("T")
UserRow = tuple[int, str, datetime, datetime]
EventRow = tuple[int, str, date, str, int, datetime, datetime]


@dataclass(frozen=True)
class Layout:
    """The ids and values that scenarios rely on, for one size."""

    size: Size

    def __post_init__(self) -> None:
        if self.size.users < 2 or self.size.events < HEAVY_USER_EVENTS:
            raise ValueError(f"need at least 2 users and {HEAVY_USER_EVENTS:,} events")

    @property
    def heavy_user_id(self) -> int:
        return HEAVY_USER_ID

    @property
    def export_rows(self) -> int:
        return self.size.events // 10

    @property
    def export_from(self) -> date:
        return DAY_ZERO

    @property
    def export_to(self) -> date:
        return DAY_ZERO + timedelta(days=EXPORT_DAYS - 1)

    @property
    def sample_event_id(self) -> int:
        return self.size.events // 2

    @property
    def sample_user_id(self) -> int:
        return self.size.users // 2

    @property
    def last_page(self) -> int:
        return -(-self.size.events // LIST_PAGE_SIZE)

    def as_meta(self) -> dict[str, str]:
        return {
            "layout_version": LAYOUT_VERSION,
            "users": str(self.size.users),
            "events": str(self.size.events),
            "seed": str(SEED),
        }


def user_rows(layout: Layout, now: datetime) -> Iterator[UserRow]:
    rng = random.Random(SEED)
    for user_id in range(1, layout.size.users + 1):
        email = (
            f"{rng.choice(FIRST_NAMES)}.{rng.choice(LAST_NAMES)}.{user_id}@{rng.choice(DOMAINS)}"
        )
        created = now - timedelta(minutes=rng.randrange(0, 2 * 365 * 24 * 60))
        yield user_id, email, created, now


def event_rows(layout: Layout, now: datetime) -> Iterator[EventRow]:
    rng = random.Random(SEED + 1)
    events, users = layout.size.events, layout.size.users
    organizers = [HEAVY_USER_ID] * HEAVY_USER_EVENTS + [
        rng.randint(2, users) for _ in range(events - HEAVY_USER_EVENTS)
    ]
    rng.shuffle(organizers)
    in_window = layout.export_rows
    days = [rng.randrange(0, EXPORT_DAYS) for _ in range(in_window)] + [
        rng.randrange(EXPORT_DAYS, SPAN_DAYS) for _ in range(events - in_window)
    ]
    rng.shuffle(days)
    dates = [DAY_ZERO + timedelta(days=offset) for offset in range(SPAN_DAYS)]
    titles = [f"{adj} {noun.lower()}" for adj in TITLE_ADJECTIVES for noun in TITLE_NOUNS]
    public, private = SocialStatus.PUBLIC.value, SocialStatus.PRIVATE.value
    for index in range(events):
        status = private if rng.random() < 0.5 else public
        yield (
            index + 1,
            rng.choice(titles),
            dates[days[index]],
            status,
            organizers[index],
            now,
            now,
        )


def batched(rows: Iterator[T], size: int) -> Iterator[list[T]]:
    batch: list[T] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)
