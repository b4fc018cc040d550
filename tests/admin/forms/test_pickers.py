"""The relationship picker (admin/forms/pickers.py): it suggests the users whose email holds what
staff type, literally."""

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests import factories


def test_organizer_picker_suggests_matching_users(client: TestClient, db: Session) -> None:
    factories.make_user(db, email="zelda@example.org")
    factories.make_user(db, email="bob@example.org")
    response = client.get("/admin/event/ajax/lookup", params={"name": "organizer", "term": "zel"})
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["zelda@example.org"]
