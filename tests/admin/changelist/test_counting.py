"""List counts are reused while paging (with a note and a recount link), and refreshed on change."""

import html
from collections.abc import Callable, Iterator
from datetime import date

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from admin_app.admin.changelist import counting
from admin_app.main import create_app
from admin_app.models import Event, SocialStatus, StaffRole
from tests import factories
from tests.admin.forms.test_inline_events import _form as inline_form


def _total(page: str) -> str:
    if "No items match." in page:
        return "0"
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
        assert "No items match." in client.get("/admin/user/list").text
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


def _count_url(page: str) -> str:
    return html.unescape(page.split('data-count-url="')[1].split('"')[0])


@pytest.fixture
def counting_client(app: FastAPI, db: Session) -> Iterator[TestClient]:
    """A panel that keeps its counts (tests run without, so each view counts afresh)."""
    cached = create_app(app.state.settings.model_copy(update={"list_count_cache_seconds": 60}))
    with TestClient(cached, base_url="http://testserver") as client:
        factories.login(client, factories.make_staff(db).email)
        yield client
    cached.state.engine.dispose()


def test_a_large_match_shows_its_rows_first_then_is_counted_up_to_the_cap(
    counting_client: TestClient, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(counting, "LIST_COUNT_CAP", 30)
    _events(db, 80)
    client = counting_client
    first = client.get("/admin/event/list", params={"search": "E"}).text
    # The rows, a next page, and the count left for the count page the list names.
    assert _total(first) == "more than 25" and first.count(' select-box"') == 25
    assert 'href="/admin/event/list?search=E&amp;page=2"' in first
    assert "Select all rows matching the list" in first
    assert _count_url(first) == "/admin/event/count?search=E"
    assert 'id="count-later" href="/admin/event/count?search=E"' in first
    counted = client.get(_count_url(first)).text
    assert _total(counted) == "30+" and 'id="list-count" data-count="30+"' in counted
    assert 'href="/admin/event/list?search=E&amp;page=2"' in counted
    assert 'id="count-all" href="/admin/event/list?search=E&amp;recount=1"' in counted
    # The count is kept: the list's next view says it, with the pager it allows.
    again = client.get("/admin/event/list", params={"search": "E"}).text
    assert _total(again) == "30+" and 'id="count-all"' in again
    assert "Select all 30+ rows matching the list" in again and "data-count-url" not in again
    exact = client.get("/admin/event/list", params={"search": "E", "recount": "1"}).text
    assert _total(exact) == "80" and 'id="count-all"' not in exact
    # Deep pages count a little past themselves: page 3 of 25 exists, and is not clamped.
    deep = client.get("/admin/event/list", params={"page": "3", "pageSize": "25"}).text
    assert "Showing 51 to 75" in deep and "data-count-url" not in deep


def test_a_first_page_that_holds_every_match_is_its_own_count(
    counting_client: TestClient, db: Session
) -> None:
    _events(db, 25)
    first = counting_client.get("/admin/event/list", params={"search": "E"}).text
    assert _total(first) == "25" and "data-count-url" not in first
    assert first.count(' select-box"') == 25 and "page=2" not in first
    # Kept: the next view reuses it (and says how old it is).
    again = counting_client.get("/admin/event/list", params={"search": "E"}).text
    assert _total(again) == "25" and 'id="count-note"' in again


def test_the_count_page_is_for_those_who_may_read_the_list(
    app: FastAPI, client: TestClient, db: Session
) -> None:
    _events(db, 30)
    counted = client.get("/admin/event/count", params={"pageSize": "25"})
    assert counted.status_code == 200 and _total(counted.text) == "30"
    assert client.head("/admin/event/count").status_code == 200
    assert client.post("/admin/event/count").status_code == 405
    assert client.get("/admin/event/count?social_status=nope").status_code == 400
    assert client.get("/admin/nothing/count").status_code == 404
    assert client.get("/admin/audit-entry/count").status_code == 404
    with TestClient(app, base_url="http://testserver") as viewer:
        factories.login(viewer, factories.make_staff(db, role=StaffRole.VIEWER).email)
        assert viewer.get("/admin/event/count").status_code == 200
        assert viewer.get("/admin/staff/count").status_code == 403
    client.cookies.clear()
    response = client.get("/admin/event/count", follow_redirects=False)
    assert response.status_code in (302, 303) and "/login" in response.headers["location"]


def test_a_deep_page_past_the_cap_is_served_and_says_at_least(
    client: TestClient, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(counting, "LIST_COUNT_CAP", 10)
    _events(db, 120)
    page = client.get("/admin/event/list", params={"page": "3", "pageSize": "25"}).text
    assert "Showing 51 to 75 of 75+ items" in " ".join(page.split())
    last = client.get("/admin/event/list", params={"page": "5", "pageSize": "25"}).text
    assert "Showing 101 to 120 of 120 items" in " ".join(last.split())


def test_a_small_match_is_exact(client: TestClient, db: Session) -> None:
    _events(db, 3)
    page = client.get("/admin/event/list").text
    assert _total(page) == "3" and 'id="count-all"' not in page


# Every path that writes rows, as staff use it: each makes one public event private (or removes
# or brings back a public one). Issue 27: restore, undo and revert left counts and facets stale.
def _edit_form(client: TestClient, event: Event) -> None:
    client.post(
        f"/admin/event/edit/{event.id}",
        data={
            "title": event.title,
            "date_of": event.date_of.isoformat(),
            "social_status": "private",
            "organizer": str(event.organizer_id),
            "version": str(event.version),
        },
    )


def _cell(client: TestClient, event: Event) -> None:
    data = {"field": "social_status", "value": "private", "version": str(event.version)}
    client.post(f"/admin/event/cell/{event.id}", data=data)


def _inline(client: TestClient, event: Event) -> None:
    _, fields = inline_form(client, event.organizer_id)
    fields[f"events-{event.id}-social_status"] = "private"
    client.post(f"/admin/user/edit/{event.organizer_id}", data=fields)


def _batch(client: TestClient, event: Event) -> None:
    client.post(
        "/admin/event/bulk/batch-edit", data={"pks": str(event.id), "new_status": "private"}
    )


def _set_status(client: TestClient, event: Event) -> None:
    client.post("/admin/event/bulk/set-status", data={"pks": str(event.id), "status": "private"})


def _bulk_delete(client: TestClient, event: Event) -> None:
    client.post("/admin/event/bulk/delete", data={"pks": str(event.id)})


def _dialog_delete(client: TestClient, event: Event) -> None:
    client.delete("/admin/event/delete", params={"pks": str(event.id)})


def _restore(client: TestClient, event: Event) -> None:
    client.post("/admin/event/bulk/delete", data={"pks": str(event.id)})
    client.get("/admin/event/list")  # counted while it is gone
    change_set = _latest_change_set(client)
    client.post("/admin/recently-deleted", data={"action": "restore", "change_set": change_set})


def _undo(client: TestClient, event: Event) -> None:
    _set_status(client, event)
    client.get("/admin/event/list")  # counted while it is private
    client.post(f"/admin/change-set/undo/{_latest_change_set(client)}")


def _revert(client: TestClient, event: Event) -> None:
    _set_status(client, event)
    client.get("/admin/event/list")
    client.post(f"/admin/event/history/{event.id}", data={"to": "1", "version": "2"})


def _latest_change_set(client: TestClient) -> str:
    page = client.get("/admin/change-set/list").text
    return page.split("/admin/change-set/details/")[1].split('"')[0]


WRITE_PATHS = [
    _edit_form,
    _cell,
    _inline,
    _batch,
    _set_status,
    _bulk_delete,
    _dialog_delete,
    _restore,
    _undo,
    _revert,
]


@pytest.mark.parametrize("write", WRITE_PATHS, ids=lambda write: write.__name__.strip("_"))
def test_every_write_path_refreshes_cached_counts_and_facets(
    app: FastAPI, db: Session, write: Callable[[TestClient, Event], None]
) -> None:
    cached = create_app(app.state.settings.model_copy(update={"list_count_cache_seconds": 60}))
    admin = factories.make_staff(db)
    organizer = factories.make_user(db)
    events = [factories.make_event(db, organizer=organizer) for _ in range(3)]
    with TestClient(cached, base_url="http://testserver") as client:
        factories.login(client, admin.email)
        client.headers["X-CSRF-Token"] = factories.csrf_token(client, "/admin/")
        assert _total(client.get("/admin/event/list?social_status=public").text) == "3"
        write(client, events[0])
        db.expire_all()
        public = db.scalar(select(func.count()).where(Event.social_status == SocialStatus.PUBLIC))
        page = client.get("/admin/event/list?social_status=public").text
        assert _total(page) == str(public), write.__name__
        facet = client.get("/admin/event/list").text
        assert "Public</a> <span" in facet or str(public) in facet
    cached.state.engine.dispose()


def test_a_transaction_on_a_dropped_connection_rolls_back_cleanly(app: FastAPI) -> None:
    # The listener that forgets counts once read the dropped connection's info, and turned the
    # outage (a 503) into a refused save (reliability.faults --fault terminate caught it).
    with app.state.engine.connect() as conn:
        conn.begin()
        conn.execute(update(Event).values(title="x"))  # a write, of no row
        conn.invalidate()
        conn.rollback()
