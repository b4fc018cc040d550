"""A record's versions (history/versions.py): every version with who and when, any two compared."""

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests import factories
from tests.history.conftest import edit_event, text_of


def test_history_lists_versions_and_compares_any_two(client: TestClient, db: Session) -> None:
    event = factories.make_event(db, title="First")
    edit_event(client, db, event.id, title="Second")
    edit_event(client, db, event.id, title="Third", social_status="private")
    page = client.get(f"/admin/event/history/{event.id}", params={"a": 1, "b": 3})
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Version 1 and version 3 side by side" in text
    assert "First" in text and "Third" in text and "3 (current)" in text
    assert text.count("admin@example.org") >= 2  # who made versions 2 and 3
    assert "Before history was kept" in text  # version 1 was made outside the panel
    assert 'data-field="title"' in page.text and "changed" in text
