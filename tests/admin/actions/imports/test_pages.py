"""Importing through the pages, as staff do: upload, mapping, dry run, error file, Confirm, and
Undo of the whole import. Nothing changes before Confirm; every count the page shows is what
Confirm then does; one change set takes it all back."""

import csv
import io
import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from admin_app.models import (
    AuditEntry,
    ChangeSet,
    Event,
    Import,
    SocialStatus,
    StaffRole,
    User,
)
from tests import factories
from tests.admin.actions.imports.conftest import (
    act,
    checked,
    counts,
    events_csv,
    import_id,
    upload,
)
from tests.conftest import RoleClient
from tests.history.conftest import count, text_of


def test_an_events_file_is_checked_confirmed_and_undone_as_one_change_set(
    client: TestClient, db: Session
) -> None:
    ann = factories.make_user(db, email="ann@example.org")
    old = factories.make_event(db, organizer=ann, title="Old title")
    content = events_csv(
        f"{old.id},New title,2027-01-02,private,ann@example.org",
        ",Brand new,2027-02-03,public,ANN@Example.org ",
        ",Bad date,2027-13-03,public,ann@example.org",
        ",Nobody's,2027-03-03,public,bob@example.org",
        f",By id,2027-04-04,private,{ann.id}",
    )
    number = checked(client, content)
    page = client.get(f"/admin/imports/{number}").text
    assert counts(page) == {"create": 2, "update": 1, "unchanged": 0, "error": 2}
    # Before and after, field by field, for the update.
    assert "Old title" in page and "New title" in page and "2027-01-02" in page
    assert "Not a valid date value" in page and "No user has this email" in page
    assert "Confirm: create 2 and update 1 events" in text_of(page)
    # Nothing changed yet.
    assert count(db, Event) == 1
    db.refresh(old)
    assert old.title == "Old title"

    done = client.get(act(client, number, "commit")).text
    assert "2 events created, 1 updated, as one change set" in text_of(done)
    db.expire_all()
    titles = sorted(db.scalars(select(Event.title)))
    assert titles == ["Brand new", "By id", "New title"]
    assert db.get(Event, old.id).social_status is SocialStatus.PRIVATE  # type: ignore[union-attr]
    change_set = db.scalars(select(ChangeSet).where(ChangeSet.kind == "import")).one()
    assert change_set.row_count == 3 and change_set.target == "event"
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "import")).one()
    found = db.scalars(select(Import)).one()
    assert found.file_name in entry.summary and found.file_hash[:16] in entry.summary
    assert "2 created, 1 updated" in entry.summary
    page = client.get(f"/admin/imports/{number}").text
    assert f"change set #{change_set.id}" in text_of(page)
    # The list counts the new events (counts stay true after an import).
    assert " of 3 items" in text_of(client.get("/admin/event/list").text)

    # Undo: created rows go, the updated one comes back.
    undone = client.post(f"/admin/change-set/undo/{change_set.id}", data={"reason": "wrong file"})
    assert undone.status_code == 200, undone.text
    db.expire_all()
    assert list(db.scalars(select(Event.title))) == ["Old title"]
    assert db.get(Event, old.id).social_status is SocialStatus.PUBLIC  # type: ignore[union-attr]


def test_an_exported_list_edited_and_imported_back_updates_exactly_the_edited_rows(
    client: TestClient, db: Session
) -> None:
    ann = factories.make_user(db, email="ann@example.org")
    bob = factories.make_user(db, email="bob@example.org")
    titles = ["=SUM(1,2)", "Plain", "-5 degrees", 'Quote "this", please', "Line\nbreak"]
    events = [factories.make_event(db, organizer=ann, title=title) for title in titles]
    exported = client.get("/admin/event/export/csv")
    assert exported.status_code == 200
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert rows[0]["title"].startswith("'") or any(r["title"] == "'=SUM(1,2)" for r in rows)
    # The spreadsheet: one title edited, one organizer changed; the rest as exported.
    for row in rows:
        if row["title"] == "Plain":
            row["title"] = "Plain, edited"
        if row["title"] == "-5 degrees" or row["title"] == "'-5 degrees":
            row["organizer"] = "bob@example.org"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    versions = {event.id: event.version for event in events}

    number = checked(client, buffer.getvalue().encode())
    page = client.get(f"/admin/imports/{number}").text
    assert counts(page) == {"create": 0, "update": 2, "unchanged": 3, "error": 0}
    client.get(act(client, number, "commit"))
    db.expire_all()
    changed = {e.id for e in db.scalars(select(Event)) if e.version != versions[e.id]}
    plain, degrees = events[1].id, events[2].id
    assert changed == {plain, degrees}
    assert db.get(Event, plain).title == "Plain, edited"  # type: ignore[union-attr]
    assert db.get(Event, degrees).organizer_id == bob.id  # type: ignore[union-attr]
    assert db.get(Event, events[0].id).title == "=SUM(1,2)"  # type: ignore[union-attr]


def test_users_are_found_by_email_as_the_form_writes_it(client: TestClient, db: Session) -> None:
    factories.make_user(db, email="ann@example.org")
    content = (
        b"E-mail\n  ANN@Example.org \nnew@example.org\nnot an address\ntwin@example.org\n"
        b"TWIN@example.org\n"
    )
    number = checked(client, content, identity="user")
    page = client.get(f"/admin/imports/{number}").text
    # "E-mail" was matched to the email field by its name.
    assert re.search(r'<option value="email" selected>', page)
    assert counts(page) == {"create": 1, "update": 0, "unchanged": 1, "error": 3}
    errors = client.get(f"/admin/imports/{number}/errors").text
    assert "not an address" in errors
    assert errors.count("The same email is on more than one row (first on row 5)") == 2
    client.get(act(client, number, "commit"))
    assert sorted(db.scalars(select(User.email))) == ["ann@example.org", "new@example.org"]


def test_only_update_and_only_create_leave_the_other_rows_alone(
    client: TestClient, db: Session
) -> None:
    ann = factories.make_user(db, email="ann@example.org")
    event = factories.make_event(db, organizer=ann, title="Before")
    content = events_csv(
        f"{event.id},After,2027-01-01,public,ann@example.org",
        ",Created,2027-01-01,public,ann@example.org",
    )
    number = checked(client, content, mode="update_only")
    assert counts(client.get(f"/admin/imports/{number}").text)["skip"] == 1
    act(client, number, "check", mode="create_only")
    page = client.get(f"/admin/imports/{number}").text
    assert counts(page) == {"create": 1, "update": 0, "unchanged": 0, "skip": 1, "error": 0}
    client.get(act(client, number, "commit"))
    db.expire_all()
    assert sorted(db.scalars(select(Event.title))) == ["Before", "Created"]


def test_an_xlsx_workbook_imports_like_a_csv(client: TestClient, db: Session) -> None:
    import datetime

    import openpyxl

    ann = factories.make_user(db, email="ann@example.org")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Title", "Date", "Status", "Organiser"])
    sheet.append(["From a sheet", datetime.datetime(2027, 3, 4), "private", "ann@example.org"])
    sheet.append(["By id", datetime.date(2027, 3, 5), "public", ann.id])
    buffer = io.BytesIO()
    workbook.save(buffer)
    status, where = upload(client, "event", buffer.getvalue(), name="events.xlsx")
    assert status == 303, where
    number = import_id(where)
    act(client, number, "check")
    assert counts(client.get(where).text)["create"] == 2
    client.get(act(client, number, "commit"))
    db.expire_all()
    made = {e.title: e for e in db.scalars(select(Event))}
    assert made["From a sheet"].date_of.isoformat() == "2027-03-04"
    assert made["By id"].organizer_id == ann.id


def test_viewers_may_not_import_and_staff_see_only_their_own_imports(
    client: TestClient, client_as: RoleClient, db: Session
) -> None:
    viewer = client_as(StaffRole.VIEWER)
    assert viewer.get("/admin/imports").status_code == 403
    assert viewer.get("/admin/imports/new/event").status_code == 403
    assert "import-link" not in viewer.get("/admin/event/list").text
    assert "/admin/imports" not in viewer.get("/admin/").text  # no Imports in the sidebar
    editor, other = client_as(StaffRole.EDITOR), client_as(StaffRole.EDITOR)
    assert "import-link" in editor.get("/admin/event/list").text
    status, where = upload(editor, "user", b"email\nann@example.org\n")
    assert status == 303
    assert other.get(where).status_code == 404
    assert other.get(f"{where}/errors").status_code == 404
    assert other.post(where, data={"action": "forget"}).status_code == 404
    assert client.get(where).status_code == 200  # an admin sees everyone's
    assert editor.get("/admin/imports/new/staff").status_code == 404
    assert editor.get("/admin/imports/new/change-set").status_code == 404
    for bad in ("0", "-1", "abc", "99999999999999", "1.5"):
        assert editor.get(f"/admin/imports/{bad}").status_code == 404


def test_the_sample_file_has_every_field_and_imports_cleanly(
    client: TestClient, db: Session
) -> None:
    sample = client.get("/admin/imports/sample/event")
    assert sample.headers["content-disposition"] == 'attachment; filename="events-sample.csv"'
    header = sample.text.splitlines()[0]
    assert header == "id,title,date_of,social_status,organizer"
    factories.make_user(db, email="ann@example.org")
    number = checked(client, sample.text.encode())
    assert counts(client.get(f"/admin/imports/{number}").text)["create"] == 1
