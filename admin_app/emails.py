"""Email addresses as staff type them, made canonical: one rule for users and staff."""

from email_validator import EmailNotValidError, validate_email


class InvalidEmailError(ValueError):
    """The text is not an email address; the message is fit to show on a form."""


def normalize_email(raw: str) -> str:
    """Trim and case-fold an address so `Ann@X.org ` and `ann@x.org` are one account."""
    return raw.strip().casefold()


def clean_email(raw: str) -> str:
    """The canonical form of a valid address, or InvalidEmailError saying what is wrong."""
    email = normalize_email(raw)
    try:
        validate_email(email, check_deliverability=False, test_environment=True)
    except EmailNotValidError as exc:
        raise InvalidEmailError(str(exc)) from exc
    return email
