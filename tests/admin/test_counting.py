"""List counts are reused while paging (with a note and a recount link), and refreshed on change."""

from datetime import date

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import insert
from sqlalchemy.orm import Session

from admin_app.admin import counting
from admin_app.main import create_app
from admin_app.models import Event
from tests import factories


def _total(page: str) -> str:
    return page.split("Showing ")[1].split(" of ")[1].split(" items")[0].strip()


def test_counts_are_reused_then_recounted_on_request(app: FastAPI, db: Session) -> None:
    cached = create_app(app.state.settings.model_copy(update={"list_count_cache_seconds": 60}))
    admin = factories.make_staff(db)
    with TestClient(cached, base_url="http://testserver") as client:
        factories.login(client, admin.email)
        factories.make_event(db)
        first = client.get("/admin/event/list").text
        assert _total(first) == "1" and 'id="count-note"' not in first
        factories.make_event(db)  # written by someone else: this process does not know
        again = client.get("/admin/event/list", params={"page": "1"}).text
        assert _total(again) == "1" and "may have changed since" in again
        exact = client.get("/admin/event/list", params={"recount": "1"}).text
        assert _total(exact) == "2" and 'id="count-note"' not in exact
        other_filter = client.get("/admin/event/list", params={"social_status": "private"}).text
        assert _total(other_filter) == "0"
    cached.state.engine.dispose()


def test_a_change_through_the_panel_refreshes_the_count(app: FastAPI, db: Session) -> None:
    cached = create_app(app.state.settings.model_copy(update={"list_count_cache_seconds": 60}))
    admin = factories.make_staff(db)
    with TestClient(cached, base_url="http://testserver") as client:
        factories.login(client, admin.email)
        client.headers["X-CSRF-Token"] = factories.csrf_token(client, "/admin/")
        assert "of 0 items" in client.get("/admin/user/list").text
        client.post("/admin/user/create", data={"email": "n@example.org", "save": "Save"})
        assert _total(client.get("/admin/user/list").text) == "1"
    cached.state.engine.dispose()


def _events(db: Session, count: int) -> None:
    organizer = factories.make_user(db)
    db.execute(
        insert(Event),
        [
            {"title": f"E{n}", "date_of": date(2027, 1, 1), "organizer_id": organizer.id}
            for n in range(count)
        ],
    )
    db.commit()


def test_a_large_match_is_counted_up_to_the_cap_and_exactly_on_request(
    client: TestClient, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(counting, "COUNT_CAP", 30)
    _events(db, 80)
    first = client.get("/admin/event/list").text
    assert _total(first) == "30+" and 'id="count-all"' in first
    assert "Select all 30+ rows matching the list" in first
    assert "next" in first and 'href="/admin/event/list?page=2"' in first
    exact = client.get("/admin/event/list", params={"recount": "1"}).text
    assert _total(exact) == "80" and 'id="count-all"' not in exact
    # Deep pages count a little past themselves: page 3 of 25 exists, and is not clamped.
    deep = client.get("/admin/event/list", params={"page": "3", "pageSize": "25"}).text
    assert "Showing 51 to 75" in deep


def test_a_deep_page_past_the_cap_is_served_and_says_at_least(
    client: TestClient, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(counting, "COUNT_CAP", 10)
    _events(db, 120)
    page = client.get("/admin/event/list", params={"page": "3", "pageSize": "25"}).text
    assert "Showing 51 to 75 of 75+ items" in " ".join(page.split())
    last = client.get("/admin/event/list", params={"page": "5", "pageSize": "25"}).text
    assert "Showing 101 to 120 of 120 items" in " ".join(last.split())


def test_a_small_match_is_exact(client: TestClient, db: Session) -> None:
    _events(db, 3)
    page = client.get("/admin/event/list").text
    assert _total(page) == "3" and 'id="count-all"' not in page
