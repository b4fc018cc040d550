"""How values look on list and detail pages."""

from datetime import datetime
from typing import Any

from markupsafe import Markup, escape
from sqladmin.formatters import BASE_FORMATTERS

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
    # Markup.format costs 50 us a call, a list page makes 50; escape() does the same job here.
    return Markup(
        f'<span class="badge {_BADGE_CLASSES[status]}" data-status="{escape(status.value)}">'
        f"{escape(status_label(status))}</span>"
    )


def status_badge(model: Any, _attribute: Any) -> Markup:
    return badge(model.social_status)


def unbroken_date(model: Any, attribute: Any) -> Markup:
    """A date kept on one line in a narrow column (it would otherwise wrap at its hyphens): a
    <time>, which panel.css keeps unbroken (shorter than a span with a class, 25 times a page)."""
    return Markup(f"<time>{escape(getattr(model, attribute))}</time>")


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


def path_only(url: object) -> str:
    """A link to this site as its path and query: the list's rows repeated the scheme and host
    in every link. Plain string work: parsing each URL was a tenth of a list page's CPU."""
    text = str(url).split("#", 1)[0]
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
