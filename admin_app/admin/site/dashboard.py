"""The figures on the admin's front page, read from the tallies the database keeps (exact, and
as fast at ten million events as at ten)."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from admin_app import clock, tallies
from admin_app.admin.core.timed_cache import TimedCache
from admin_app.models import AuditEntry, Event, SocialStatus, User

MONTHS_BACK = 11  # plus the current month: a year
MONTHS_AHEAD = 3
UPCOMING_SHOWN = 8
# Latest audit entries shown to those who may read the audit log.
LATEST_CHANGES_SHOWN = 8


@dataclass(frozen=True)
class MonthBar:
    month: str  # "2026-11"
    count: int


@dataclass(frozen=True)
class Figures:
    users: int
    events: int
    by_status: dict[str, int]
    months: list[MonthBar]
    upcoming: list[tuple[int, str, date, str, str]]  # id, title, date, status, organizer


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def collect(session: Session, *, today: date) -> Figures:
    """The figures, from the tallies the database keeps (admin_app/tallies.py): a few rows,
    whatever the number of events; only the upcoming events are read from `events`."""
    conn = session.connection()
    tallies.compact(conn)
    first = _add_months(today.replace(day=1), -MONTHS_BACK)
    end = _add_months(today.replace(day=1), MONTHS_AHEAD + 1)
    per_month = tallies.events_by_month(conn, first=f"{first:%Y-%m}", end=f"{end:%Y-%m}")
    months = [
        MonthBar(key, int(per_month.get(key, 0)))
        for key in (f"{_add_months(first, n):%Y-%m}" for n in range(MONTHS_BACK + 1 + MONTHS_AHEAD))
    ]
    statuses = tallies.events_by_status(conn)
    by_status = {status.value: int(statuses.get(status.value, 0)) for status in SocialStatus}
    upcoming = session.execute(
        select(Event.id, Event.title, Event.date_of, Event.social_status, User.email)
        .join(Event.organizer)
        .where(Event.date_of >= today)
        .order_by(Event.date_of, Event.id)
        .limit(UPCOMING_SHOWN)
    ).all()
    users = tallies.user_count(conn)
    session.commit()  # the compaction, if there was one
    return Figures(
        users=users,
        events=sum(by_status.values()),
        by_status=by_status,
        months=months,
        upcoming=[(row[0], row[1], row[2], SocialStatus(row[3]).value, row[4]) for row in upcoming],
    )


def chart_bars(months: list[MonthBar], *, height: int = 160) -> list[dict[str, Any]]:
    """Bar geometry for the SVG chart (heights scaled to the busiest month)."""
    top = max((bar.count for bar in months), default=0) or 1
    return [
        {
            "x": index * 44 + 8,
            "height": round(bar.count / top * height),
            "y": height - round(bar.count / top * height) + 20,
            "label": date.fromisoformat(f"{bar.month}-01").strftime("%b"),
            # The year under the first bar and under each January: "Jan 26" read like a date.
            "year": bar.month[:4] if index == 0 or bar.month.endswith("-01") else "",
            "count": bar.count,
            "month": bar.month,
        }
        for index, bar in enumerate(months)
    ]


class FiguresCache(TimedCache[None, tuple[Figures, datetime]]):
    """Keeps the figures for a few seconds: a busy front page costs one aggregation per 30 s."""

    def __init__(self, *, ttl_seconds: float) -> None:
        super().__init__(ttl_seconds, capacity=1)

    def figures(self, session: Session, *, today: date) -> tuple[Figures, datetime]:
        """The figures and when they were collected."""
        kept = self.get(None)
        if kept is not None:
            return kept.value
        collected = (collect(session, today=today), clock.now())
        self.put(None, collected)
        return collected


def page_context(
    factory: sessionmaker[Session], cache: FiguresCache, with_audit: bool
) -> dict[str, Any]:
    """What the dashboard template shows; the latest changes only `with_audit`."""
    now = clock.now()
    with factory() as session:
        figures, as_of = cache.figures(session, today=now.date())
        latest = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(LATEST_CHANGES_SHOWN)
        entries = list(session.scalars(latest)) if with_audit else None
    return {
        "figures": figures,
        "bars": chart_bars(figures.months),
        "this_month": f"{now:%Y-%m}",
        "as_of": as_of,
        "audit_entries": entries,
        "title": "Dashboard",
    }
