"""One chunk of an import's commit (admin/actions/imports/chunk.py): a row changed after the dry
run is left alone and reported."""

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from admin_app.models import (
    Event,
)
from tests import factories
from tests.admin.actions.imports.conftest import (
    act,
    checked,
    events_csv,
)
from tests.history.conftest import text_of


def test_a_row_changed_after_the_dry_run_is_left_alone_and_reported(
    client: TestClient, db: Session
) -> None:
    ann = factories.make_user(db, email="ann@example.org")
    event = factories.make_event(db, organizer=ann, title="Before")
    number = checked(client, events_csv(f"{event.id},From the file,2027-01-01,public,{ann.id}"))
    # Someone edits the event between the dry run and Confirm.
    edited = client.post(
        f"/admin/event/edit/{event.id}",
        data={
            "title": "Edited meanwhile",
            "date_of": "2027-05-05",
            "social_status": "private",
            "organizer": str(ann.id),
            "version": str(event.version),
        },
    )
    assert edited.status_code in (200, 302, 303)
    done = client.get(act(client, number, "commit")).text
    assert "1 rows changed by someone since the dry run were left as they are" in text_of(done)
    db.expire_all()
    assert db.get(Event, event.id).title == "Edited meanwhile"  # type: ignore[union-attr]
    errors = client.get(f"/admin/imports/{number}/errors").text
    assert "Changed (or deleted) by someone after the dry run" in errors
