"""What the import page shows of a dry run: the error file names row, column and value, and
guards formulas like every export."""

import csv
import io

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests import factories
from tests.admin.actions.imports.conftest import (
    checked,
    events_csv,
)


def test_the_error_file_guards_formulas_and_names_row_column_value(
    client: TestClient, db: Session
) -> None:
    factories.make_user(db, email="ann@example.org")
    number = checked(client, events_csv(",=HYPERLINK(1),=1+2,public,ann@example.org"))
    errors = client.get(f"/admin/imports/{number}/errors")
    assert errors.headers["content-disposition"] == 'attachment; filename="file-errors.csv"'
    rows = list(csv.reader(io.StringIO(errors.text)))
    assert rows == [
        ["row", "column", "value", "message"],
        ["2", "date_of", "'=1+2", "Not a valid date value (write it as 2026-05-31)."],
    ]
