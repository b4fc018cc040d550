"""Each row's match and verdict, decided a batch at a time: organizers by email or id, rows by
id (or users by email), emails other users have, and what the chosen mode does with each."""

import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from admin_app.models import Event, ImportRow, User
from tests import factories
from tests.admin.actions.imports.conftest import act, import_id, upload


def _dry_run(client: TestClient, identity: str, text: str, **fields: str) -> tuple[int, str]:
    _, where = upload(client, identity, text.encode())
    number = import_id(where)
    act(client, number, "check", **fields)
    return number, client.get(f"/admin/imports/{number}/errors").text


def _actions(db: Session, number: int) -> dict[int, str]:
    db.expire_all()
    staged = db.scalars(select(ImportRow).where(ImportRow.import_id == number))
    return {row.row_no: row.action for row in staged}


def test_organizers_are_found_by_email_or_id_and_unknown_ones_are_errors(
    client: TestClient, db: Session
) -> None:
    ann = factories.make_user(db, email="ann@example.org")
    number, errors = _dry_run(
        client,
        "event",
        "title,date_of,organizer\n"
        "A,2027-01-01, Ann@Example.org\n"
        f"B,2027-01-01,{ann.id}\n"
        "C,2027-01-01,nobody@example.org\n"
        "D,2027-01-01,999999\n"
        "E,2027-01-01,not a person\n",
    )
    assert _actions(db, number) == {2: "create", 3: "create", 4: "error", 5: "error", 6: "error"}
    assert "4,organizer,nobody@example.org,No user has this email" in errors
    assert "5,organizer,999999,There is no user with this id." in errors
    assert "6,organizer,not a person,Name the organizer by their email or user id." in errors
    staged = {r.row_no: r for r in db.scalars(select(ImportRow))}
    assert staged[2].organizer_id == staged[3].organizer_id == ann.id


def test_an_id_that_names_no_row_is_an_error_and_a_key_twice_errs_on_both_rows(
    client: TestClient, db: Session
) -> None:
    ann = factories.make_user(db, email="ann@example.org")
    event = factories.make_event(db, organizer=ann, title="Kept")
    number, errors = _dry_run(
        client,
        "event",
        f"id,title\n{event.id},Once\n{event.id},Twice\n424242,Ghost\n",
        mode="update_only",
    )
    assert _actions(db, number) == {2: "error", 3: "error", 4: "error"}
    assert "4,id,424242,There is no event with this id" in errors
    assert errors.count("The same id is on more than one row (first on row 2)") == 2


def test_users_found_by_id_may_not_take_another_users_email(
    client: TestClient, db: Session
) -> None:
    ann = factories.make_user(db, email="ann@example.org")
    factories.make_user(db, email="bob@example.org")
    carol = factories.make_user(db, email="carol@example.org")
    number, errors = _dry_run(
        client,
        "user",
        "id,email\n"
        f"{ann.id},bob@example.org\n"
        f"{carol.id},CAROL@example.org\n"
        ",ann@example.org\n"
        f"{ann.id},ann.new@example.org\n",
    )
    actions = _actions(db, number)
    assert actions[2] == "error" and actions[4] == "error"
    assert actions[3] == "unchanged"  # carol's own email, written as the form would store it
    assert errors.count("Another user has this email.") == 2
    # Ann's id is on two rows (2 and 5): both are refused, whatever else is wrong with them.
    assert actions[5] == "error"
    assert errors.count("The same id is on more than one row (first on row 2)") == 2


def test_rows_equal_to_the_database_are_left_unless_asked_to_write_them_again(
    client: TestClient, db: Session
) -> None:
    ann = factories.make_user(db, email="ann@example.org")
    event = factories.make_event(db, organizer=ann, title="Same")
    header = "id,title,date_of,social_status,organizer"
    line = f"{header}\n{event.id},Same,{event.date_of},public,{ann.id}\n"
    version = event.version
    number, _ = _dry_run(client, "event", line)
    assert _actions(db, number) == {2: "unchanged"}
    act(client, number, "check", skip_unchanged="")
    assert _actions(db, number) == {2: "update"}
    page = client.get(f"/admin/imports/{number}").text
    assert "the same values (written again, as asked)" in page
    client.get(act(client, number, "commit"))
    db.expire_all()
    assert db.get(Event, event.id).version == version + 1  # type: ignore[union-attr]


def test_a_file_with_only_a_header_says_so(client: TestClient, db: Session) -> None:
    number, _ = _dry_run(client, "user", "email\n\n\n")
    page = client.get(f"/admin/imports/{number}").text
    assert re.search(r"the file has a header row but no rows under it", page)
    assert list(db.scalars(select(User))) == []
