"""Row ids as they arrive in URLs and forms: plain ASCII digits of a sane length only."""

# Ten digits fit every id the panel creates; longer input is not an id (and would overflow).
MAX_ID_DIGITS = 10


def is_id(text: str) -> bool:
    """True for "123"; false for "", "-1", "1e3", "²" (str.isdigit() accepts superscripts)."""
    return text.isascii() and text.isdigit() and len(text) <= MAX_ID_DIGITS


def parse_id(text: str) -> int | None:
    return int(text) if is_id(text) else None
