"""Lost-update protection: a form opened before someone else's save cannot overwrite it."""

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from admin_app.models import Event
from tests import factories


def _form_version(client: TestClient, event_id: int) -> str:
    page = client.get(f"/admin/event/edit/{event_id}").text
    match = re.search(r'name="version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="version"', page)
    assert match, "the edit form carries the row version"
    return match.group(1) or match.group(2)


def _save(client: TestClient, event: Event, version: str, title: str) -> int:
    data = {
        "title": title,
        "date_of": event.date_of.isoformat(),
        "social_status": "public",
        "organizer": str(event.organizer_id),
        "version": version,
        "save": "Save",
    }
    return client.post(f"/admin/event/edit/{event.id}", data=data).status_code


def test_the_second_of_two_concurrent_edits_is_refused(client: TestClient, db: Session) -> None:
    event = factories.make_event(db, title="Original")
    alice_version = _form_version(client, event.id)
    bob_version = _form_version(client, event.id)
    assert _save(client, event, alice_version, "Alice's title") == 200
    data = {
        "title": "Bob's title",
        "date_of": event.date_of.isoformat(),
        "social_status": "public",
        "organizer": str(event.organizer_id),
        "version": bob_version,
        "save": "Save",
    }
    refused = client.post(f"/admin/event/edit/{event.id}", data=data)
    assert refused.status_code == 400
    assert "someone else changed this event" in refused.text
    assert (
        "title &#39;Original&#39; → &#39;Alice&#39;s title&#39;"
        in refused.text.replace("&#34;", "&#39;")
        or "Original" in refused.text
    )
    assert 'value="Bob&#39;s title"' in refused.text  # Bob's typing is kept
    db.expire_all()
    assert db.get(Event, event.id).title == "Alice's title"  # type: ignore[union-attr]
    # The re-shown form carries the new version: saving again on purpose works.
    new_version = re.search(
        r'name="version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="version"', refused.text
    )
    assert new_version and (new_version.group(1) or new_version.group(2)) == "2"
    assert _save(client, event, "2", "Bob's title") == 200
    db.expire_all()
    assert db.get(Event, event.id).title == "Bob's title"  # type: ignore[union-attr]


def test_a_save_without_a_version_is_refused(client: TestClient, db: Session) -> None:
    event = factories.make_event(db, title="Original")
    assert _save(client, event, "", "Scripted") == 400
    db.expire_all()
    assert db.get(Event, event.id).title == "Original"  # type: ignore[union-attr]


def test_user_edits_are_protected_too(client: TestClient, db: Session) -> None:
    user = factories.make_user(db, email="a@example.org")
    first = client.post(
        f"/admin/user/edit/{user.id}", data={"email": "b@example.org", "version": "1"}
    )
    assert first.status_code == 200
    second = client.post(
        f"/admin/user/edit/{user.id}", data={"email": "c@example.org", "version": "1"}
    )
    assert second.status_code == 400
    assert "someone else changed this user" in second.text
    assert "b@example.org" in second.text


def test_a_form_for_a_deleted_event_never_saves_onto_a_newer_one(
    client: TestClient, db: Session
) -> None:
    """SQLite would hand the deleted newest id to the next insert; the ids are never reused."""
    victim = factories.make_event(db, title="Deleted meanwhile")
    stale_version = _form_version(client, victim.id)
    assert client.delete(f"/admin/event/delete?pks={victim.id}").status_code == 200
    newer = factories.make_event(db, title="Created afterwards")
    assert newer.id != victim.id

    assert _save(client, victim, stale_version, "Stale save") == 404
    db.expire_all()
    assert db.get(Event, newer.id).title == "Created afterwards"  # type: ignore[union-attr]
