"""Realistic demo data, inserted in large batches so a million events take seconds, not hours."""

import random
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, func, insert, select

from admin_app.models import Event, SocialStatus, User

BATCH_SIZE = 10_000
FIRST_NAMES = [
    "ada",
    "alan",
    "ana",
    "ben",
    "carla",
    "chen",
    "dana",
    "emil",
    "eva",
    "farah",
    "gus",
    "hana",
    "ivan",
    "jo",
    "kai",
    "lena",
    "li",
    "marco",
    "mia",
    "nadia",
    "omar",
    "pia",
    "quinn",
    "rosa",
    "sam",
    "tara",
    "uma",
    "vic",
    "wen",
    "yara",
    "zoe",
]
LAST_NAMES = [
    "adams",
    "berg",
    "costa",
    "diaz",
    "evans",
    "fischer",
    "garcia",
    "hansen",
    "ito",
    "jensen",
    "kim",
    "lopez",
    "meyer",
    "nowak",
    "okafor",
    "patel",
    "quist",
    "rossi",
    "silva",
    "tanaka",
    "ueda",
    "vargas",
    "weber",
    "young",
    "zhou",
]
DOMAINS = ["example.org", "example.com", "example.net", "mail.example"]
TITLE_ADJECTIVES = [
    "Annual",
    "Autumn",
    "Community",
    "Evening",
    "Family",
    "Late",
    "Monthly",
    "Open",
    "Quiet",
    "Spring",
    "Summer",
    "Winter",
    "Weekend",
]
TITLE_NOUNS = [
    "Book club",
    "Board games",
    "Cycling tour",
    "Film night",
    "Hackathon",
    "Jazz concert",
    "Meetup",
    "Picnic",
    "Poetry reading",
    "Pottery class",
    "Quiz",
    "Run",
    "Tasting",
    "Workshop",
    "Yoga",
]

Progress = Callable[[str, int, int], None]


def _batches(total: int) -> Iterator[tuple[int, int]]:
    for start in range(0, total, BATCH_SIZE):
        yield start, min(start + BATCH_SIZE, total)


def _user_rows(start: int, stop: int, offset: int, rng: random.Random) -> list[dict[str, object]]:
    now = datetime.now(UTC)
    return [
        {
            "email": f"{rng.choice(FIRST_NAMES)}.{rng.choice(LAST_NAMES)}.{offset + i}"
            f"@{rng.choice(DOMAINS)}",
            "created_at": now - timedelta(minutes=rng.randrange(0, 2 * 365 * 24 * 60)),
            "updated_at": now,
        }
        for i in range(start, stop)
    ]


def _event_rows(
    count: int, organizer_ids: list[int], rng: random.Random
) -> list[dict[str, object]]:
    today, now = date.today(), datetime.now(UTC)
    return [
        {
            "title": f"{rng.choice(TITLE_ADJECTIVES)} {rng.choice(TITLE_NOUNS).lower()}",
            "date_of": today + timedelta(days=rng.randrange(-540, 180)),
            "social_status": rng.choice((SocialStatus.PUBLIC, SocialStatus.PRIVATE)),
            "organizer_id": rng.choice(organizer_ids),
            "created_at": now,
            "updated_at": now,
        }
        for _ in range(count)
    ]


def seed_demo(
    engine: Engine, *, users: int, events: int, progress: Progress, seed: int | None = None
) -> None:
    """Insert `users` new users, then `events` events organized by them (or existing users)."""
    rng = random.Random(seed)
    with engine.begin() as conn:
        offset = conn.scalar(select(func.coalesce(func.max(User.id), 0))) or 0
        for start, stop in _batches(users):
            conn.execute(insert(User), _user_rows(start, stop, offset, rng))
            progress("users", stop, users)
        organizer_ids = list(conn.scalars(select(User.id).where(User.id > offset)))
        organizer_ids = organizer_ids or list(conn.scalars(select(User.id).limit(10_000)))
        if events and not organizer_ids:
            raise ValueError("Events need organizers: seed at least one user.")
        for start, stop in _batches(events):
            conn.execute(insert(Event), _event_rows(stop - start, organizer_ids, rng))
            progress("events", stop, events)
