"""List filters that validate their input (a bad value is a 400, never a database error)."""

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqladmin._types import _UNSET, UnsetAny
from sqladmin.filters import StaticValuesFilter
from sqlalchemy import Select, exists, func, select
from starlette.datastructures import QueryParams
from starlette.exceptions import HTTPException
from starlette.requests import Request

from admin_app.admin.core.formatters import STATUS_CHOICES
from admin_app.admin.core.ids import is_id
from admin_app.emails import normalize_email
from admin_app.models import Event, SocialStatus, User

ALL = "__all"
# Ticked boxes of a multi-value filter arrive as one parameter each; SQLAdmin hands a filter one
# value, so they travel inside the panel joined by this.
MULTIPLE = ","
# "At least N events": a bound staff can type, far above any real organizer.
MOST_EVENTS_FILTERED = 1_000_000


def joined_multiples(params: QueryParams, filters: Iterable[Any]) -> QueryParams:
    """The list's parameters with each multi-value filter's ticked values as one value
    ("public,private"); the same parameters when nothing is repeated."""
    names = {f.parameter_name for f in filters if getattr(f, "multiple", False)}
    repeated = {name for name in names if len(params.getlist(name)) > 1}
    if not repeated:
        return params
    items = [(key, value) for key, value in params.multi_items() if key not in repeated]
    items += [(name, MULTIPLE.join(params.getlist(name))) for name in sorted(repeated)]
    return QueryParams(items)


def chosen(value: Any) -> list[str]:
    """A multi-value filter's values, in the order given, without blanks."""
    return [part for part in str(value or "").split(MULTIPLE) if part and part != ALL]


class OwnFilter:
    """A filter with a template of ours and one validated value (no operator)."""

    has_operator = False
    # SQLAdmin's filter protocol wants its (private) "no default" sentinel here.
    default_value: UnsetAny = _UNSET
    # Shown in the filter bar (`bar_template`); the side card's template, for the others.
    template = ""

    async def lookups(
        self, request: Request, model: Any, run_query: Callable[[Select[Any]], Any]
    ) -> list[tuple[str, str]]:
        return []


def _bad_filter(message: str) -> HTTPException:
    return HTTPException(status_code=400, detail=message)


class SocialStatusFilter(StaticValuesFilter):
    """Public and/or private, offered as tick boxes; any other value is refused."""

    multiple = True
    bar_template = "filters/bar_choices.html"

    def __init__(self) -> None:
        super().__init__(
            Event.social_status,
            values=STATUS_CHOICES,
            title="Social status",
            parameter_name="social_status",
        )

    async def get_filtered_query(self, query: Select[Any], value: Any, model: Any) -> Select[Any]:
        values = set(chosen(value))
        known = {status.value for status in SocialStatus}
        if unknown := values - known:
            raise _bad_filter(f"Unknown social status {min(unknown)!r}: choose public or private.")
        if not values or values == known:
            return query
        return query.where(Event.social_status.in_([SocialStatus(v) for v in sorted(values)]))


def parse_day(title: str, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise _bad_filter(f"{title}: {value!r} is not a date (use YYYY-MM-DD).") from exc


class DateBoundFilter(OwnFilter):
    """One end of a date range: rows on or after (`from`) or on or before (`to`) a day. The
    column is a date (an event's day) or a UTC timestamp (when a row was created)."""

    bar_template = "filters/bar_date.html"

    def __init__(
        self, *, parameter_name: str, title: str, on_or_after: bool, column: Any = Event.date_of
    ) -> None:
        self.parameter_name = parameter_name
        self.title = title
        self.on_or_after = on_or_after
        self.column = column

    async def get_filtered_query(self, query: Select[Any], value: Any, model: Any) -> Select[Any]:
        if not value:
            return query
        day = parse_day(self.title, value)
        if self.column.type.python_type is date:
            return query.where(self.column >= day if self.on_or_after else self.column <= day)
        start = datetime.combine(day, time.min, tzinfo=UTC)
        if self.on_or_after:
            return query.where(self.column >= start)
        # Through the end of that day; the last day there is has no day after it.
        return query if day == date.max else query.where(self.column < start + timedelta(days=1))


class HasEventsFilter(OwnFilter):
    """Users who organize at least one event, or none."""

    bar_template = "filters/bar_select.html"
    parameter_name = "has_events"
    title = "Has events"
    choices = (("", "Any"), ("yes", "Yes"), ("no", "No"))

    async def get_filtered_query(self, query: Select[Any], value: Any, model: Any) -> Select[Any]:
        if not value:
            return query
        if value not in ("yes", "no"):
            raise _bad_filter(f"Has events: {value!r} is not yes or no.")
        organizes = exists().where(Event.organizer_id == User.id)
        return query.where(organizes if value == "yes" else ~organizes)


class MinimumEventsFilter(OwnFilter):
    """Users who organize at least N events (each user's count read from the organizer index)."""

    bar_template = "filters/bar_number.html"
    parameter_name = "events_min"
    title = "At least N events"

    async def get_filtered_query(self, query: Select[Any], value: Any, model: Any) -> Select[Any]:
        if not value:
            return query
        if not str(value).isdigit() or int(value) > MOST_EVENTS_FILTERED:
            raise _bad_filter(
                f"At least N events: {value!r} is not a whole number from 0 to "
                f"{MOST_EVENTS_FILTERED:,}."
            )
        organized = select(func.count()).where(Event.organizer_id == User.id).scalar_subquery()
        return query.where(organized >= int(value))


class OrganizerFilter(OwnFilter):
    """Events of one organizer, chosen by user id (links) or typed email."""

    bar_template = "filters/bar_organizer.html"
    parameter_name = "organizer"
    title = "Organizer"

    async def lookups(
        self, request: Request, model: Any, run_query: Callable[[Select[Any]], Any]
    ) -> list[tuple[str, str]]:
        # Only the current choice is listed: listing every user would not scale to 100k.
        value = request.query_params.get(self.parameter_name, "")
        if not value or value == ALL:
            return []
        rows = await run_query(select(User.email).where(self._user_match(value)).limit(1))
        return [(value, rows[0][0] if rows else f"{value} (no such user)")]

    async def get_filtered_query(self, query: Select[Any], value: Any, model: Any) -> Select[Any]:
        if not value or value == ALL:
            return query
        organizer_ids = select(User.id).where(self._user_match(value))
        return query.where(Event.organizer_id.in_(organizer_ids))

    @staticmethod
    def _user_match(value: str) -> Any:
        if is_id(value):
            return User.id == int(value)
        return User.email == normalize_email(value)
