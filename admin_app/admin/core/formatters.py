"""How values look on list and detail pages."""

from datetime import date, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, quote_plus

from markupsafe import Markup, escape
from sqladmin.formatters import BASE_FORMATTERS
from starlette.datastructures import URL

from admin_app.models import SocialStatus

_BADGE_CLASSES = {SocialStatus.PUBLIC: "bg-green-lt", SocialStatus.PRIVATE: "bg-azure-lt"}


def status_label(status: SocialStatus) -> str:
    """How a social status reads everywhere (badges, form choices, filters): "Public"."""
    return status.value.capitalize()


# The form's and the filter's choices: stored value, label.
STATUS_CHOICES = [(status.value, status_label(status)) for status in SocialStatus]


def _badge_of(status: SocialStatus) -> Markup:
    return Markup(
        f'<span class="badge {_BADGE_CLASSES[status]}" data-status="{escape(status.value)}">'
        f"{escape(status_label(status))}</span>"
    )


# Made once: a list page shows 25 badges.
_BADGES: dict[str, Markup] = {status: _badge_of(status) for status in SocialStatus}


def badge(status: SocialStatus | str) -> Markup:
    """A social status as a coloured badge (lists, details, the dashboard)."""
    # A stored value finds its badge as the enum does (a StrEnum hashes as its value).
    return _BADGES.get(status) or _BADGES[SocialStatus(status)]


def status_badge(model: Any, _attribute: Any) -> Markup:
    return badge(model.social_status)


def unbroken_date(model: Any, attribute: Any) -> Markup:
    """A date kept on one line in a narrow column (it would otherwise wrap at its hyphens): a
    <time>, which panel.css keeps unbroken (shorter than a span with a class, 25 times a page)."""
    value = getattr(model, attribute)
    # A date's text needs no escaping (and escape() would make it markup first).
    text = value.isoformat() if type(value) is date else escape(value)
    return Markup(f"<time>{text}</time>")


def utc_timestamp(value: datetime) -> str:
    """Timestamps to the minute, in UTC, instead of Python's repr with microseconds."""
    return f"{value:%Y-%m-%d %H:%M} UTC"


# SQLAdmin's per-type formatters, with readable timestamps.
TYPE_FORMATTERS = {**BASE_FORMATTERS, datetime: utc_timestamp}


def wrap_points(value: object) -> Markup | object:
    """An email that may wrap only where a reader expects: after the "@" and before each dot
    (`<wbr>`), never in the middle of a name. Anything else is returned as it was."""
    if isinstance(value, Markup) or value is None or isinstance(value, int | float):
        return value  # already HTML (a badge), or a number
    text = str(value)  # a related row shows as its str (a user as their email)
    if "@" not in text or " " in text:
        return value
    local, _, domain = str(escape(text)).partition("@")
    return Markup(local.replace(".", "<wbr>.") + "@<wbr>" + domain.replace(".", "<wbr>."))


class QueryPaths:
    """Links to one page with some of its query parameters changed, as paths:
    `QueryPaths(url).with_params(sort="asc")` is `url.include_query_params(sort="asc") |
    path_only`, the parameters read once. Starlette parses, rebuilds and reparses a URL for
    each (15-25 us): a list page makes about 20 such links (sort headers, page sizes, pager).
    It also stands in for a URL where SQLAdmin's pager asks `include_query_params` of one."""

    def __init__(self, url: URL) -> None:
        self.path = url.path
        # Each parameter as urlencode writes it, once.
        self.encoded = [
            (key, _encoded(key, value))
            for key, value in parse_qsl(url.query, keep_blank_values=True)
        ]

    def with_params(self, **changes: Any) -> str:
        # Starlette's order: the unchanged parameters, then the changed ones.
        kept = [pair for key, pair in self.encoded if key not in changes]
        query = "&".join([*kept, *(_encoded(key, str(value)) for key, value in changes.items())])
        return f"{self.path}?{query}" if query else self.path

    include_query_params = with_params


@lru_cache(maxsize=4096)  # the same few pairs on every page: quote_plus takes 1-2 us
def _encoded(key: str, value: str) -> str:
    return f"{quote_plus(key)}={quote_plus(value)}"  # as urlencode writes a pair


def path_only(url: object) -> str:
    """A link to this site as its path and query: the list's rows repeated the scheme and host
    in every link. Plain string work: parsing each URL was a tenth of a list page's CPU."""
    return _path_of(str(url))


@lru_cache(maxsize=4096)  # a page's 50 links are mostly the same ones on every page
def _path_of(url: str) -> str:
    text = url.split("#", 1)[0]
    scheme_end = text.find("://")
    if scheme_end < 0:
        return text
    after_host = [
        i for i in (text.find("/", scheme_end + 3), text.find("?", scheme_end + 3)) if i >= 0
    ]
    if not after_host:
        return "/"
    rest = text[min(after_host) :]
    return rest if rest.startswith("/") else "/" + rest
