"""Refusals staff were shown are one line in the server log; real errors keep their traceback."""

import logging
import sys

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from admin_app.admin.core.errors import (
    DATABASE_REFUSED,
    ActionRefused,
    FormErrors,
    RefusalsInOneLine,
    refusing,
)
from admin_app.history.refusals import Refusal
from tests import factories


def _record(error: BaseException) -> logging.LogRecord:
    try:
        raise error
    except BaseException:
        return logging.LogRecord(
            "sqladmin.application", logging.ERROR, __file__, 1, str(error), (), sys.exc_info()
        )


@pytest.mark.parametrize(
    ("error", "line"),
    [
        pytest.param(
            FormErrors({"email": ["A user with this email already exists."]}),
            "Refused: Please correct the errors below. "
            "(email: A user with this email already exists.)",
            id="form",
        ),
        pytest.param(
            ActionRefused("Nothing was deleted:\n 2 events"),
            "Refused: Nothing was deleted: 2 events",
            id="action",
        ),
    ],
)
def test_a_refusal_is_one_line_at_info(error: BaseException, line: str) -> None:
    record = _record(error)
    assert RefusalsInOneLine().filter(record)
    assert record.getMessage() == line and record.exc_info is None
    assert record.levelno == logging.INFO


def test_a_real_error_keeps_its_traceback() -> None:
    record = _record(RuntimeError("disk on fire"))
    RefusalsInOneLine().filter(record)
    assert record.exc_info is not None and record.levelno == logging.ERROR


def test_a_duplicate_email_logs_one_line_without_a_traceback(
    client: TestClient, db: Session, caplog: pytest.LogCaptureFixture
) -> None:
    factories.make_user(db, email="taken@example.org")
    with caplog.at_level(logging.INFO, logger="sqladmin.application"):
        response = client.post(
            "/admin/user/create", data={"email": "taken@example.org", "save": "Save"}
        )
    assert response.status_code == 400
    logged = [r for r in caplog.records if r.name == "sqladmin.application"]
    assert logged and all(r.exc_info is None and r.levelno == logging.INFO for r in logged)
    assert "already exists" in logged[0].getMessage()
    assert "Traceback" not in caplog.text


def _failing_with(error: Exception) -> None:
    with refusing("Nothing was deleted."):
        raise error


def test_a_failed_change_reads_the_same_whatever_failed() -> None:
    # The time machine's refusal keeps its own words; a database error never shows its text.
    with pytest.raises(ActionRefused, match=r"^Someone changed it since\.$"):
        _failing_with(Refusal("Someone changed it since."))
    with pytest.raises(ActionRefused) as refused:
        _failing_with(IntegrityError("DELETE ...", {}, Exception("FOREIGN KEY constraint failed")))
    assert str(refused.value) == f"Nothing was deleted. {DATABASE_REFUSED}"
    assert "FOREIGN KEY" not in str(refused.value)


def test_an_outage_is_left_for_the_503_page() -> None:
    with pytest.raises(OperationalError):
        _failing_with(OperationalError("SELECT 1", {}, Exception("server closed the connection")))
