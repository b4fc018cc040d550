"""The import page's buttons: Discard forgets the file and its rows; Confirm needs a dry run
of the mapping as it is now."""

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from admin_app.models import Event, Import, User
from tests import factories
from tests.admin.actions.imports.conftest import (
    act,
    events_csv,
    import_id,
    upload,
)
from tests.history.conftest import count, text_of


def test_discarding_an_import_forgets_its_file_and_rows(client: TestClient, db: Session) -> None:
    _status, where = upload(client, "user", b"email\nann@example.org\n")
    number = import_id(where)
    act(client, number, "check")
    gone = act(client, number, "forget")
    assert gone == "/admin/imports"
    assert client.get(where).status_code == 404
    assert list(db.scalars(select(Import))) == []
    assert count(db, User) == 0


def test_confirm_needs_a_current_dry_run(client: TestClient, db: Session) -> None:
    ann = factories.make_user(db, email="ann@example.org")
    _status, where = upload(client, "event", events_csv(f",New,2027-01-01,public,{ann.id}"))
    number = import_id(where)
    client.get(act(client, number, "commit"))
    assert count(db, Event) == 0
    act(client, number, "check")
    # The mapping changes after the dry run: Confirm refuses until it runs again.
    page = act(client, number, "save-mapping", mapping_name="x", **{"map-3": ""})
    assert page.endswith(f"/admin/imports/{number}")
    text = text_of(client.get(f"/admin/imports/{number}").text)
    assert "The mapping changed since this dry run" in text
    client.post(f"/admin/imports/{number}", data={"action": "commit"})
    assert count(db, Event) == 0
