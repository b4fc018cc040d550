"""A user's events edited on the user's page: one Save, one transaction, one change set, each
row with its own version check."""

import re
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from admin_app.models import AuditEntry, ChangeSet, Event, SocialStatus, User
from tests import factories
from tests.history.conftest import deleted_images, text_of


def _form(client: TestClient, user_id: int, page: int = 1) -> tuple[str, dict[str, str]]:
    """The edit page and the fields its form would post, as served."""
    response = client.get(f"/admin/user/edit/{user_id}", params={"events_page": page})
    assert response.status_code == 200, response.text
    html = response.text
    fields = dict(re.findall(r'name="([^"]+)"(?:[^>]*?) value="([^"]*)"', html))
    for name in re.findall(r'<select name="([^"]+)"', html):
        block = html[html.index(f'<select name="{name}"') :]
        block = block[: block.index("</select>")]
        fields[name] = re.findall(r'<option value="([^"]*)"\s*selected', block)[0]
    fields = {k: v for k, v in fields.items() if not k.endswith("-delete")}
    fields["save"] = "Save"
    return html, fields


def _save(client: TestClient, user_id: int, fields: dict[str, str], page: int = 1):  # type: ignore[no-untyped-def]
    return client.post(
        f"/admin/user/edit/{user_id}?events_page={page}", data=fields, follow_redirects=False
    )


def _organizer_with(db: Session, count: int, email: str = "ann@example.org") -> User:
    user = factories.make_user(db, email=email)
    rows = [
        {
            "title": f"Talk {n}",
            "date_of": date(2020, 1, 1).fromordinal(date(2020, 1, 1).toordinal() + n),
            "social_status": "public",
            "organizer_id": user.id,
        }
        for n in range(count)
    ]
    if rows:
        db.execute(insert(Event), rows)
        db.commit()
    return user


def _events(db: Session, user: User) -> list[Event]:
    db.expire_all()
    return list(db.scalars(select(Event).where(Event.organizer_id == user.id).order_by(Event.id)))


def test_three_edits_one_new_event_and_a_delete_save_together_in_one_change_set(
    client: TestClient, db: Session
) -> None:
    user = _organizer_with(db, 5)
    first, second, third, fourth, fifth = _events(db, user)
    fifth_id = fifth.id
    _, fields = _form(client, user.id)
    fields["email"] = "ann.lee@example.org"
    fields[f"events-{first.id}-title"] = "Talk zero, renamed"
    fields[f"events-{second.id}-social_status"] = "private"
    fields[f"events-{third.id}-date_of"] = "2031-05-06"
    fields[f"events-{fifth.id}-delete"] = "yes"
    fields["events-new0-title"] = "A brand new talk"
    fields["events-new0-date_of"] = "2030-01-02"
    fields["events-new0-social_status"] = "private"
    response = _save(client, user.id, fields)
    assert response.status_code == 302, text_of(response.text)
    after = {e.id: e for e in _events(db, user)}
    assert after[first.id].title == "Talk zero, renamed" and after[first.id].version == 2
    assert after[second.id].social_status is SocialStatus.PRIVATE
    assert after[third.id].date_of == date(2031, 5, 6)
    assert after[fourth.id].version == 1  # untouched rows are not rewritten
    assert fifth_id not in after
    new = [e for e in after.values() if e.title == "A brand new talk"]
    assert len(new) == 1 and new[0].social_status is SocialStatus.PRIVATE
    assert db.get(User, user.id).email == "ann.lee@example.org"  # type: ignore[union-attr]
    change_set = db.scalars(select(ChangeSet)).one()
    assert (change_set.kind, change_set.target) == ("edit", "user")
    entries = db.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert {entry.change_set_id for entry in entries} == {change_set.id}
    assert sorted(entry.action for entry in entries) == [
        "create",
        "delete",
        "update",
        "update",
        "update",
        "update",
    ]
    # The deleted event can be restored from Recently deleted (it was imaged).
    (image,) = deleted_images(db)
    assert image.row_id == fifth_id


def test_a_row_someone_else_changed_refuses_the_whole_save_names_it_and_keeps_what_was_typed(
    client: TestClient, db: Session
) -> None:
    user = _organizer_with(db, 3)
    first, second, _third = _events(db, user)
    _, fields = _form(client, user.id)
    # Someone else renames the second event after the page was served.
    _, theirs = _form(client, user.id)
    theirs[f"events-{second.id}-title"] = "Their title"
    assert _save(client, user.id, theirs).status_code == 302
    fields["email"] = "changed@example.org"
    fields[f"events-{first.id}-title"] = "My first"
    fields[f"events-{second.id}-title"] = "My second"
    response = _save(client, user.id, fields)
    assert response.status_code == 400
    page = text_of(response.text)
    assert f"Nothing was saved: 1 event changed since you opened the page (#{second.id})" in page
    assert "now “Their title”" in page
    assert 'value="My first"' in response.text and 'value="My second"' in response.text
    after = {e.id: e for e in _events(db, user)}
    assert after[first.id].title == "Talk 0" and after[second.id].title == "Their title"
    assert db.get(User, user.id).email == "ann@example.org"  # type: ignore[union-attr]
    # The refused page carries the newer version: saving again keeps the typed values.
    retry_fields = dict(re.findall(r'name="([^"]+)"(?:[^>]*?) value="([^"]*)"', response.text))
    assert retry_fields[f"events-{second.id}-version"] == "2"
    fields[f"events-{second.id}-version"] = retry_fields[f"events-{second.id}-version"]
    assert _save(client, user.id, fields).status_code == 302
    assert {e.title for e in _events(db, user)} >= {"My first", "My second"}


def test_invalid_rows_are_marked_and_nothing_is_saved(client: TestClient, db: Session) -> None:
    user = _organizer_with(db, 2)
    first, second = _events(db, user)
    _, fields = _form(client, user.id)
    fields[f"events-{first.id}-title"] = "   "
    fields[f"events-{second.id}-date_of"] = "2027-02-30"
    fields[f"events-{second.id}-title"] = "Fine"
    fields["events-new1-title"] = "New without a date"
    response = _save(client, user.id, fields)
    assert response.status_code == 400
    page = text_of(response.text)
    assert "Nothing was saved: 3 events have errors, marked below." in page
    assert "Enter a title." in page and page.count("Enter a date as YYYY-MM-DD.") == 2
    assert 'value="New without a date"' in response.text
    assert [e.version for e in _events(db, user)] == [1, 1]
    assert not db.scalars(select(ChangeSet)).all()


def test_a_duplicate_email_refuses_the_events_too(client: TestClient, db: Session) -> None:
    factories.make_user(db, email="taken@example.org")
    user = _organizer_with(db, 1)
    (only,) = _events(db, user)
    _, fields = _form(client, user.id)
    fields["email"] = "taken@example.org"
    fields[f"events-{only.id}-title"] = "Would be renamed"
    response = _save(client, user.id, fields)
    assert response.status_code == 400
    assert "A user with this email already exists." in text_of(response.text)
    assert _events(db, user)[0].title == "Talk 0"


def test_rows_of_another_user_cannot_be_edited_from_this_page(
    client: TestClient, db: Session
) -> None:
    victim = _organizer_with(db, 1, email="victim@example.org")
    (theirs,) = _events(db, victim)
    user = _organizer_with(db, 0)
    _, fields = _form(client, user.id)
    fields["events-shown"] = str(theirs.id)
    fields[f"events-{theirs.id}-title"] = "Hijacked"
    fields[f"events-{theirs.id}-date_of"] = "2027-01-01"
    fields[f"events-{theirs.id}-social_status"] = "public"
    fields[f"events-{theirs.id}-version"] = "1"
    response = _save(client, user.id, fields)
    assert response.status_code == 400
    assert "deleted this event, or gave it to another organizer" in text_of(response.text)
    assert _events(db, victim)[0].title == "Talk 0"
    fields["events-shown"] = "1,abc"
    assert _save(client, user.id, fields).status_code == 400
