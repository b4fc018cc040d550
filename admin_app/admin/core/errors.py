"""Database refusals turned into messages staff can act on, never raw driver text."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Table
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from starlette.exceptions import HTTPException
from starlette.requests import Request

from admin_app.history.refusals import Refusal
from admin_app.web.serving import outage

GENERIC_SAVE_ERROR = "The change could not be saved: it conflicts with data in the database."
FORM_ERROR_SUMMARY = "Please correct the errors below."
DATABASE_REFUSED = (
    "The database could not complete the change, so none of it was applied. Try again; if it "
    "keeps failing, tell an administrator."
)

_FIELD_ERRORS_STATE = "field_errors"
# Session key of a refused action's reason, shown once on the list the browser goes back to.
_LIST_REFUSAL = "list_refusal"


class FormErrors(Exception):
    """A save refused field by field; SQLAdmin shows str(self) above the form."""

    def __init__(self, field_errors: dict[str, list[str]], summary: str = FORM_ERROR_SUMMARY):
        super().__init__(summary)
        self.field_errors = field_errors


class ActionRefused(Exception):
    """A whole action (a delete, a save of a vanished row) refused with a readable reason."""


@contextmanager
def refusing(nothing_done: str) -> Iterator[None]:
    """The one translation of a failed change for staff. A database outage goes on as it is (the
    503 page: nothing was done, try again); a refusal of the time machine's, or any other error
    of the database, becomes an ActionRefused staff can read: `nothing_done` ("Nothing was
    deleted.") and what to do next, never the driver's text."""
    try:
        yield
    except outage.UNAVAILABLE:
        raise
    except Refusal as refusal:
        raise ActionRefused(str(refusal)) from refusal
    except SQLAlchemyError as exc:
        raise ActionRefused(f"{nothing_done} {DATABASE_REFUSED}") from exc


class RefusalsInOneLine(logging.Filter):
    """SQLAdmin logs every failed save and delete with its traceback (`logger.exception`),
    which made a duplicate email look like a crash in the server log. A refusal staff were
    shown (a form error, a refused action, a 4xx) becomes one line at INFO; anything else keeps
    its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        refused = isinstance(error, FormErrors | ActionRefused) or (
            isinstance(error, HTTPException) and error.status_code < 500
        )
        if refused:
            record.msg, record.args = "Refused: %s", (_one_line(error),)
            record.exc_info = record.exc_text = None
            record.levelno, record.levelname = logging.INFO, "INFO"
        return True


def _one_line(error: BaseException | None) -> str:
    if isinstance(error, FormErrors):
        fields = "; ".join(f"{name}: {' '.join(m)}" for name, m in error.field_errors.items())
        return f"{error} ({fields})" if fields else str(error)
    detail = error.detail if isinstance(error, HTTPException) else str(error)
    return " ".join(str(detail).split())


def log_refusals_in_one_line(logger_name: str = "sqladmin.application") -> None:
    logger = logging.getLogger(logger_name)
    if not any(isinstance(f, RefusalsInOneLine) for f in logger.filters):
        logger.addFilter(RefusalsInOneLine())


def refuse_on_list(request: Request, refusal: ActionRefused) -> None:
    """Show the reason on the next list page (the URL never carries the text)."""
    request.session[_LIST_REFUSAL] = str(refusal)


def pop_list_refusal(request: Request) -> str | None:
    message = request.session.pop(_LIST_REFUSAL, None)
    return message if isinstance(message, str) else None


def remember_field_errors(request: Request, errors: FormErrors) -> None:
    setattr(request.state, _FIELD_ERRORS_STATE, errors.field_errors)


def attach_field_errors(form: Any, request: Request) -> None:
    """Show errors found at save time under their fields, as validators' errors are."""
    for name, messages in getattr(request.state, _FIELD_ERRORS_STATE, {}).items():
        if name in form:
            form[name].errors = [*form[name].errors, *messages]


def _mentions_column(message: str, table: Table, column: str) -> bool:
    # PostgreSQL names the constraint (uq_users_email); SQLite names the column (users.email).
    return f"{table.name}_{column}" in message or f"{table.name}.{column}" in message


def translate_integrity_error(
    exc: IntegrityError, *, table: Table, field_messages: dict[str, str]
) -> FormErrors:
    """Map a unique / foreign-key / check violation onto the form field it concerns."""
    message = str(exc.orig)
    for column, text in field_messages.items():
        if _mentions_column(message, table, column):
            return FormErrors({column.removesuffix("_id"): [text]})
    return FormErrors({}, summary=GENERIC_SAVE_ERROR)
