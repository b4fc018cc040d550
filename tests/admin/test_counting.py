"""List counts are reused while paging (with a note and a recount link), and refreshed on change."""

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from admin_app.main import create_app
from tests import factories


def _total(page: str) -> str:
    return page.split(" of ")[1].split(" items")[0].strip()


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
