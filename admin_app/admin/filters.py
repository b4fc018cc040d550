"""List filters that validate their input (a bad value is a 400, never a database error)."""

from collections.abc import Callable
from datetime import date
from typing import Any

from sqladmin._types import _UNSET, UnsetAny
from sqladmin.filters import StaticValuesFilter
from sqlalchemy import Select, select
from starlette.exceptions import HTTPException
from starlette.requests import Request

from admin_app.admin.formatters import STATUS_CHOICES
from admin_app.admin.ids import is_id
from admin_app.emails import normalize_email
from admin_app.models import Event, SocialStatus, User

ALL = "__all"


class OwnFilter:
    """A filter with a template of ours and one validated value (no operator)."""

    has_operator = False
    # SQLAdmin's filter protocol wants its (private) "no default" sentinel here.
    default_value: UnsetAny = _UNSET


def _bad_filter(message: str) -> HTTPException:
    return HTTPException(status_code=400, detail=message)


class SocialStatusFilter(StaticValuesFilter):
    """Public / private, offered as links; any other value is refused."""

    def __init__(self) -> None:
        super().__init__(
            Event.social_status,
            values=STATUS_CHOICES,
            title="Social status",
            parameter_name="social_status",
        )

    async def get_filtered_query(self, query: Select[Any], value: Any, model: Any) -> Select[Any]:
        if value in (None, "", ALL):
            return query
        if value not in {status.value for status in SocialStatus}:
            raise _bad_filter(f"Unknown social status {value!r}: choose public or private.")
        return query.where(Event.social_status == SocialStatus(value))


class DateBoundFilter(OwnFilter):
    """One end of the date range: events on or after (`from`) or on or before (`to`) a day."""

    template = "filters/date_filter.html"

    def __init__(self, *, parameter_name: str, title: str, on_or_after: bool) -> None:
        self.parameter_name = parameter_name
        self.title = title
        self.on_or_after = on_or_after

    async def lookups(
        self, request: Request, model: Any, run_query: Callable[[Select[Any]], Any]
    ) -> list[tuple[str, str]]:
        return []

    async def get_filtered_query(self, query: Select[Any], value: Any, model: Any) -> Select[Any]:
        if not value:
            return query
        try:
            day = date.fromisoformat(value)
        except ValueError as exc:
            raise _bad_filter(f"{self.title}: {value!r} is not a date (use YYYY-MM-DD).") from exc
        return query.where(Event.date_of >= day if self.on_or_after else Event.date_of <= day)


class OrganizerFilter(OwnFilter):
    """Events of one organizer, chosen by user id (links) or typed email."""

    template = "filters/organizer_filter.html"
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
