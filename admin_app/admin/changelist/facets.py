"""Facets: how the rows a list matches split by a column (status, month, organizer), each value a
link that narrows the list, as Datasette and Django's `show_facets` show them.

Bounded: each facet reads at most FACET_SAMPLE of the matching rows (a LIMITed subquery), so a
million rows never cost more than that. When more rows match, the figures describe that sample
and say "about" (shares, not counts). They are computed once per filter state and kept as long
as the list's count (forgotten with it after a change).
"""

import calendar
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import (
    CompoundSelect,
    FromClause,
    Select,
    String,
    cast,
    func,
    literal,
    null,
    select,
    union_all,
)
from starlette.datastructures import QueryParams

from admin_app.admin.changelist.counting import LIST_COUNT_CAP
from admin_app.admin.changelist.parameters import LEFT_BY_FACET_LINKS
from admin_app.admin.core.timed_cache import TimedCache
from admin_app.models import Event, User

# Matching rows a facet reads at most: as many as the list counts before it says "10,000+", so
# a facet's figures are exact exactly when the list's count is.
FACET_SAMPLE = LIST_COUNT_CAP
# Users whose events "events per organizer" counts at most (each costs an index range).
ORGANIZER_SAMPLE = 1_000
TOP = 10
MONTHS = 12


@dataclass(frozen=True)
class FacetValue:
    label: str
    count: int
    # Query parameters that narrow the list to this value, or a link elsewhere.
    narrow: tuple[tuple[str, str], ...] = ()
    link: str = ""

    def url(self, list_path: str, params: QueryParams) -> str:
        """The link's path: the list as it is (search, sort, other filters), narrowed to this
        value, from its first page, with no selection and outside any saved view."""
        if self.link:
            return self.link
        replaced = LEFT_BY_FACET_LINKS | {key for key, _value in self.narrow}
        kept = [(key, value) for key, value in params.multi_items() if key not in replaced]
        return f"{list_path}?{urlencode([*kept, *self.narrow])}"

    def is_active(self, params: Any) -> bool:
        # Several ticked values (public and private) are not this one value.
        return bool(self.narrow) and all(
            params.getlist(key) == [value] for key, value in self.narrow
        )


@dataclass(frozen=True)
class FacetResult:
    title: str
    values: list[FacetValue]
    # Rows the figures were taken from, and whether more rows match.
    sampled: int
    partial: bool
    # Shares of the sample instead of counts ("about 52%"), and what the figures describe.
    about: bool = False
    note: str = ""

    @property
    def too_spread(self) -> bool:
        """Shares where no value reaches 1% (ten organizers "under 1%") tell staff nothing: the
        list says so instead of showing them."""
        return (
            self.about
            and bool(self.values)
            and all(100 * value.count < self.sampled for value in self.values)
        )

    def share(self, value: FacetValue) -> str:
        """A value's share of the sample, as the list shows it: "about 52%"; a share that
        rounds to nothing reads "under 1%" (an organizer among 10,000 rows), never "about 0%"."""
        percent = 100 * value.count / self.sampled if self.sampled else 0
        if 0 < percent < 1:
            return "under 1%"
        return f"about {round(percent)}%"


class Facet:
    """One way of splitting the matching rows. `statement` groups the sample into rows of
    (key, label, count); `values` turns those into links, in the facet's own order."""

    title = ""
    sample = FACET_SAMPLE

    def partial_note(self, sampled: int) -> str:
        """What the figures describe when more rows match than the sample holds. The sample is
        read in the table's order (the cheapest), not the list's: a list sorted newest first can
        show months its facet's sample never reached, so the note says which rows it took."""
        return f"About: shares of {sampled:,} matching rows, in the table's order (not the list's)."

    @property
    def shares_when_partial(self) -> bool:
        return True

    def statement(self, rows: FromClause) -> Select[Any]:
        raise NotImplementedError

    def values(self, found: list[Any]) -> list[FacetValue]:
        raise NotImplementedError


def _grouped(key: Any, label: Any) -> Select[Any]:
    return select(cast(key, String).label("key"), label.label("label"), COUNTED).group_by(
        key, label
    )


COUNTED = func.count().label("n")


class StatusFacet(Facet):
    title = "Social status"

    def statement(self, rows: FromClause) -> Select[Any]:
        status = cast(rows.c.social_status, String)
        return _grouped(status, status)

    def values(self, found: list[Any]) -> list[FacetValue]:
        ordered = sorted(found, key=lambda row: (-row[2], row[0]))
        return [
            FacetValue(label=key.capitalize(), count=n, narrow=(("social_status", key),))
            for key, _, n in ordered
        ]


class MonthFacet(Facet):
    title = "Month"

    def statement(self, rows: FromClause) -> Select[Any]:
        # ISO dates on both databases: the first seven characters are the month.
        month = func.substr(cast(rows.c.date_of, String), 1, 7)
        return _grouped(month, month).order_by(month.desc()).limit(MONTHS)

    def values(self, found: list[Any]) -> list[FacetValue]:
        result = []
        for month, _, n in sorted(found, key=lambda row: row[0], reverse=True):
            year, number = int(month[:4]), int(month[5:7])
            last = calendar.monthrange(year, number)[1]
            label = f"{calendar.month_abbr[number]} {year}"
            narrow = (("date_from", f"{month}-01"), ("date_to", f"{month}-{last:02d}"))
            result.append(FacetValue(label=label, count=n, narrow=narrow))
        return result


def _top_users(found: list[Any]) -> list[Any]:
    return sorted(found, key=lambda row: (-row[2], int(row[0])))


class OrganizerFacet(Facet):
    title = "Organizer"

    def statement(self, rows: FromClause) -> Select[Any]:
        top = (
            select(rows.c.organizer_id, COUNTED)
            .group_by(rows.c.organizer_id)
            .order_by(COUNTED.desc(), rows.c.organizer_id)
            .limit(TOP)
            .subquery()
        )
        return select(cast(User.id, String).label("key"), User.email.label("label"), top.c.n).join(
            top, top.c.organizer_id == User.id
        )

    def values(self, found: list[Any]) -> list[FacetValue]:
        return [
            FacetValue(label=email, count=n, narrow=(("organizer", key),))
            for key, email, n in _top_users(found)
        ]


class EventsPerOrganizerFacet(Facet):
    """On the users list: the matching users who organize the most events (all their events)."""

    title = "Events per organizer"
    sample = ORGANIZER_SAMPLE

    def __init__(self, events_list_path: str = "/admin/event/list") -> None:
        self.events_list_path = events_list_path

    def partial_note(self, sampled: int) -> str:
        # Only part of the users were looked at: the busiest may be elsewhere, and the note
        # says how to find them instead of presenting this as the top.
        return (
            f"Only the first {sampled:,} matching users (by id) were looked at, so busier "
            "organizers may be missing; filter with “At least N events” to find them."
        )

    @property
    def shares_when_partial(self) -> bool:
        return False  # each user's count is exact; only which users were looked at is a sample

    def statement(self, rows: FromClause) -> Select[Any]:
        counted = func.count(Event.id).label("n")
        return (
            select(cast(rows.c.id, String).label("key"), rows.c.email.label("label"), counted)
            .join(Event, Event.organizer_id == rows.c.id)
            .group_by(rows.c.id, rows.c.email)
            .order_by(counted.desc(), rows.c.id)
            .limit(TOP)
        )

    def values(self, found: list[Any]) -> list[FacetValue]:
        return [
            FacetValue(label=email, count=n, link=f"{self.events_list_path}?organizer={key}")
            for key, email, n in _top_users(found)
        ]


SAMPLE_SIZE = -1  # the combined statement's row that counts the sample


def combined_statement(facets: list[Facet], matching: Select[Any]) -> CompoundSelect[Any]:
    """One statement for facets that share a sample size: the sample of the list's unordered
    match is read once (a CTE used several times is materialized by SQLite and PostgreSQL),
    then each facet groups it. Rows: (facet index, key, label, count); the row with index
    SAMPLE_SIZE holds the sample's size (one past the sample means more rows match)."""
    rows = matching.order_by(None).limit(facets[0].sample + 1).cte("facet_rows")
    size = select(
        literal(SAMPLE_SIZE).label("facet"),
        null().label("key"),
        null().label("label"),
        func.count().label("n"),
    ).select_from(rows)
    parts = [size]
    for index, facet in enumerate(facets):
        grouped = facet.statement(rows).subquery()
        parts.append(select(literal(index), grouped.c.key, grouped.c.label, grouped.c.n))
    return union_all(*parts)


def result(facet: Facet, found: list[Any], sampled: int) -> FacetResult:
    partial = sampled > facet.sample
    return FacetResult(
        title=facet.title,
        values=facet.values(found),
        sampled=min(sampled, facet.sample),
        partial=partial,
        about=partial and facet.shares_when_partial,
        note=facet.partial_note(facet.sample) if partial else "",
    )


def statements(declared: list[Facet], matching: Select[Any]) -> list[tuple[Any, list[Facet]]]:
    """The statements that compute `declared` over the list's match, each with its facets:
    facets sharing a sample size are one statement (combined_statement)."""
    by_sample: dict[int, list[Facet]] = {}
    for facet in declared:
        by_sample.setdefault(facet.sample, []).append(facet)
    return [(combined_statement(group, matching), group) for group in by_sample.values()]


def results_of(
    declared: list[Facet], statements: list[tuple[Any, list[Facet]]], answers: list[list[Any]]
) -> list[FacetResult]:
    """Each declared facet's result, in order."""
    computed: dict[int, FacetResult] = {}
    for (_statement, group), rows in zip(statements, answers, strict=True):
        size = next(int(row[3]) for row in rows if row[0] == SAMPLE_SIZE)
        for position, facet in enumerate(group):
            found = [(row[1], row[2], int(row[3])) for row in rows if row[0] == position]
            computed[id(facet)] = result(facet, found, size)
    return [computed[id(facet)] for facet in declared]


class FacetCache(TimedCache[tuple[str, str], list[FacetResult]]):
    """Facet results per (list, filter state), for as long as the list's counts are kept."""
