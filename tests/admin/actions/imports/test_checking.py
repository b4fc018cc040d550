"""The dry run's rules for the whole file and its mapping: a mapping that cannot work says
why, and a file wrong everywhere is named cell by cell and changes nothing."""

import csv
import io

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from admin_app.models import Event
from tests import factories
from tests.admin.actions.imports.conftest import (
    act,
    checked,
    counts,
    events_csv,
    import_id,
    upload,
)
from tests.history.conftest import count, text_of


def test_a_mapping_form_that_cannot_work_says_why(client: TestClient, db: Session) -> None:
    _status, where = upload(client, "event", events_csv(",T,2027-01-01,public,a@b.org"))
    number = import_id(where)
    page = act(client, number, "check", **{"map-1": "date_of"})
    text = text_of(page)
    assert "Date is chosen for more than one column" in text
    assert "To create rows the file needs Title" in text
    page = act(client, number, "check", **{"map-0": "", "map-1": ""}, mode="update_only")
    assert "Only updating needs a column that finds the rows: ID" in text_of(page)


def test_a_file_wrong_everywhere_changes_nothing_and_says_so_row_by_row(
    client: TestClient, db: Session
) -> None:
    factories.make_user(db, email="ann@example.org")
    content = events_csv(
        "x,,31/12/2027,Public,ann",
        "-1," + "t" * 201 + ",2027-02-30,PRIVATE,@",
        "1.5,   ,yesterday,secret,",
    )
    number = checked(client, content)
    page = client.get(f"/admin/imports/{number}").text
    assert counts(page) == {"create": 0, "update": 0, "unchanged": 0, "error": 3}
    assert "Nothing to create or update." in text_of(page)
    errors = list(csv.reader(io.StringIO(client.get(f"/admin/imports/{number}/errors").text)))
    # Every wrong cell is named: 5 in each of 3 rows, less row 3's organizer "@", which has
    # the shape of an email and would be looked up only once the row's cells pass.
    assert len(errors) == 1 + 14
    assert {row[1] for row in errors[1:]} == {
        "id",
        "title",
        "date_of",
        "social_status",
        "organizer",
    }
    refused = client.post(f"/admin/imports/{number}", data={"action": "commit"})
    assert "nothing to create or update" in text_of(refused.text)
    assert count(db, Event) == 0
