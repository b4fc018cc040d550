"""Row ids as they arrive in URLs and forms: plain ASCII digits of a sane size only."""

from admin_app.models import MAX_ID

MAX_ID_DIGITS = len(str(MAX_ID))


def is_id(text: str) -> bool:
    """True for "123"; false for "", "-1", "1e3", "²" (str.isdigit() accepts superscripts),
    and for numbers beyond MAX_ID."""
    return text.isascii() and text.isdigit() and len(text) <= MAX_ID_DIGITS and int(text) <= MAX_ID


def parse_id(text: str) -> int | None:
    return int(text) if is_id(text) else None
