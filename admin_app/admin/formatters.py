"""How values look on list and detail pages."""

from datetime import datetime
from typing import Any

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


def badge(status: SocialStatus | str) -> Markup:
    """A social status as a coloured badge (lists, details, the dashboard)."""
    status = SocialStatus(status)
    return Markup('<span class="badge {}" data-status="{}">{}</span>').format(
        _BADGE_CLASSES[status], status.value, escape(status_label(status))
    )


def status_badge(model: Any, _attribute: Any) -> Markup:
    return badge(model.social_status)


def unbroken_date(model: Any, attribute: Any) -> Markup:
    """A date kept on one line in a narrow column (it would otherwise wrap at its hyphens)."""
    return Markup('<span class="text-nowrap">{}</span>').format(getattr(model, attribute))


def utc_timestamp(value: datetime) -> str:
    """Timestamps to the minute, in UTC, instead of Python's repr with microseconds."""
    return f"{value:%Y-%m-%d %H:%M} UTC"


# SQLAdmin's per-type formatters, with readable timestamps.
TYPE_FORMATTERS = {**BASE_FORMATTERS, datetime: utc_timestamp}


def path_only(url: object) -> str:
    """A link to this site as its path and query: the list's rows repeated the scheme and host
    in every link."""
    parsed = URL(str(url))
    return f"{parsed.path}?{parsed.query}" if parsed.query else parsed.path
