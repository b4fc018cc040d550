"""Stored and reflected markup is shown as text, never run."""

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from admin_app.models import Event, User
from tests import factories

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '"><img src=x onerror=alert(1)>'


def _inert(page: str) -> None:
    assert SCRIPT not in page
    assert "<img src=x onerror" not in page


@pytest.mark.parametrize("payload", [SCRIPT, ATTRIBUTE], ids=["script", "attribute"])
def test_stored_payloads_in_titles_render_inert(
    client: TestClient, db: Session, payload: str
) -> None:
    organizer = factories.make_user(db)
    event = factories.make_event(db, organizer=organizer, title=f"T {payload}")
    for path in (
        "/admin/event/list",
        f"/admin/event/details/{event.id}",
        f"/admin/event/edit/{event.id}",
        f"/admin/user/details/{organizer.id}",
    ):
        _inert(client.get(path).text)


def test_stored_payloads_in_emails_render_inert(client: TestClient, db: Session) -> None:
    # Forms refuse such addresses; a row written by another tool must still be harmless.
    user = User(email=f"x{ATTRIBUTE}@example.org")
    db.add(user)
    db.commit()
    event = Event(title="T", date_of=date(2026, 1, 1), organizer_id=user.id)
    db.add(event)
    db.commit()
    for path in ("/admin/user/list", f"/admin/user/details/{user.id}", "/admin/event/list"):
        _inert(client.get(path).text)
    lookup = client.get("/admin/event/ajax/lookup", params={"name": "organizer", "term": "onerror"})
    assert lookup.headers["content-type"].startswith("application/json")


@pytest.mark.parametrize(
    "params",
    [
        {"search": SCRIPT},
        {"social_status": SCRIPT},
        {"date_from": SCRIPT},
        {"organizer": ATTRIBUTE},
        {"error": SCRIPT},
    ],
)
def test_reflected_parameters_render_inert(client: TestClient, params: dict[str, str]) -> None:
    response = client.get("/admin/event/list", params=params)
    assert response.status_code in (200, 400)
    _inert(response.text)


def test_create_form_echoes_bad_input_inert(client: TestClient) -> None:
    response = client.post("/admin/user/create", data={"email": ATTRIBUTE, "save": "Save"})
    assert response.status_code == 400
    _inert(response.text)
