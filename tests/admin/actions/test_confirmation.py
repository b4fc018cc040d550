"""Bulk work with a confirmation page: counts and consequences first, then all or nothing."""

import re
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from admin_app.models import AuditEntry, Event, SocialStatus, StaffRole, User
from tests import factories
from tests.conftest import ClientFactory
from tests.history.conftest import text_of


def _count(db: Session, model: type[User] | type[Event]) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(model)) or 0


def _confirm(client: TestClient, identity: str, kind: str, **params: str) -> str:
    response = client.get(f"/admin/{identity}/bulk/{kind}", params=params)
    assert response.status_code == 200, response.text
    return response.text


def _post(client: TestClient, identity: str, kind: str, **data: str) -> str:
    response = client.post(f"/admin/{identity}/bulk/{kind}", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text
    return str(response.headers["location"])


def test_the_actions_menu_offers_the_bulk_pages(client: TestClient, db: Session) -> None:
    factories.make_event(db)
    page = client.get("/admin/event/list").text
    assert "Delete with preview…" in page and "Set social status…" in page
    target = client.get(
        "/admin/event/action/set-status?pks=1&social_status=private", follow_redirects=False
    )
    assert target.status_code == 302
    assert target.headers["location"].endswith(
        "/admin/event/bulk/set-status?pks=1&social_status=private"
    )


def test_delete_preview_counts_the_selection_and_offers_all_matching(
    client: TestClient, db: Session
) -> None:
    events = [factories.make_event(db, social_status=SocialStatus.PRIVATE) for _ in range(4)]
    factories.make_event(db, social_status=SocialStatus.PUBLIC)
    page = _confirm(
        client, "event", "delete", pks=f"{events[0].id},{events[1].id}", social_status="private"
    )
    assert "Delete 2 events?" in page
    assert "Apply to all 4 rows matching the list instead" in page
    whole = _confirm(client, "event", "delete", scope="filter", social_status="private")
    assert "Delete 4 events?" in whole
    assert _count(db, Event) == 5  # the page itself changes nothing


def test_deleting_all_rows_matching_a_filter_and_search(client: TestClient, db: Session) -> None:
    for title, status in [
        ("Jazz A", "private"),
        ("Jazz B", "private"),
        ("Jazz C", "public"),
        ("Quiz", "private"),
    ]:
        factories.make_event(db, title=title, social_status=SocialStatus(status))
    back = _post(client, "event", "delete", scope="filter", social_status="private", search="jazz")
    assert "social_status=private" in back and "search=jazz" in back
    assert sorted(db.scalars(select(Event.title))) == ["Jazz C", "Quiz"]
    assert "Deleted 2 events." in client.get(back).text
    entry = db.scalars(select(AuditEntry)).one()
    assert entry.changes == {"filter": "social_status=private&search=jazz", "count": 2}


def test_user_delete_preview_shows_the_events_they_organize(
    client: TestClient, db: Session
) -> None:
    ann = factories.make_user(db, email="ann@example.org")
    for _ in range(3):
        factories.make_event(db, organizer=ann)
    idle = factories.make_user(db, email="idle@example.org")
    page = _confirm(client, "user", "delete", pks=f"{ann.id},{idle.id}")
    assert "Delete 2 users?" in page
    assert "3 events still belong to ann@example.org" in page
    assert "ann@example.org (3)" not in page  # one owner: the count is said once
    assert "Delete 2 users and their 3 events" in page  # the admin's explicit choice


def test_admin_deletes_users_with_their_events_atomically_and_audited(
    client: TestClient, db: Session
) -> None:
    ann = factories.make_user(db)
    ann_id = ann.id
    for _ in range(3):
        factories.make_event(db, organizer=ann)
    other = factories.make_event(db)
    _post(client, "user", "delete", pks=str(ann_id), cascade="yes")
    assert set(db.scalars(select(Event.id))) == {other.id}
    assert _count(db, User) == 1  # only the other event's organizer is left
    entry = db.scalars(select(AuditEntry)).one()
    assert entry.summary == "Deleted 1 user and 3 events"
    assert entry.changes == {"ids": [ann_id], "events_deleted": 3}


def test_without_cascade_users_with_events_are_refused(client: TestClient, db: Session) -> None:
    ann = factories.make_user(db)
    factories.make_event(db, organizer=ann)
    back = _post(client, "user", "delete", pks=str(ann.id))
    assert "Nothing was deleted" in client.get(back).text
    assert _count(db, User) == 1 and _count(db, Event) == 1


def test_editors_cannot_cascade(anonymous_factory: ClientFactory, db: Session) -> None:
    editor = factories.make_staff(db, role=StaffRole.EDITOR)
    client = anonymous_factory()
    factories.login(client, editor.email)
    client.headers["X-CSRF-Token"] = factories.csrf_token(client, "/admin/")
    ann = factories.make_user(db)
    factories.make_event(db, organizer=ann)
    page = _confirm(client, "user", "delete", pks=str(ann.id))
    assert "must be deleted first" in page and 'name="cascade"' not in page
    response = client.post("/admin/user/bulk/delete", data={"pks": str(ann.id), "cascade": "yes"})
    assert response.status_code == 403
    assert _count(db, User) == 1 and _count(db, Event) == 1


def test_set_status_for_a_selection(client: TestClient, db: Session) -> None:
    events = [factories.make_event(db) for _ in range(3)]
    page = _confirm(client, "event", "set-status", pks=f"{events[0].id},{events[1].id}")
    assert "Set the social status of 2 events" in page
    _post(client, "event", "set-status", pks=f"{events[0].id},{events[1].id}", status="private")
    db.expire_all()
    statuses = {e.id: e.social_status for e in db.scalars(select(Event))}
    assert statuses == {
        events[0].id: SocialStatus.PRIVATE,
        events[1].id: SocialStatus.PRIVATE,
        events[2].id: SocialStatus.PUBLIC,
    }
    assert db.get(Event, events[0].id).version == 2  # type: ignore[union-attr]
    entry = db.scalars(select(AuditEntry)).one()
    assert entry.action == "set_status" and entry.changes is not None
    assert entry.changes["ids"] == [events[0].id, events[1].id]


def test_set_status_for_everything_matching_a_date_range(client: TestClient, db: Session) -> None:
    for day in (1, 15, 28):
        factories.make_event(db, title=f"d{day}", date_of=date(2026, 2, day))
    _post(client, "event", "set-status", scope="filter", date_from="2026-02-10", status="private")
    db.expire_all()
    private = sorted(
        db.scalars(select(Event.title).where(Event.social_status == SocialStatus.PRIVATE))
    )
    assert private == ["d15", "d28"]


@pytest.mark.parametrize("status", ["secret", ""])
def test_set_status_refuses_unknown_values(client: TestClient, db: Session, status: str) -> None:
    event = factories.make_event(db)
    response = client.post(
        "/admin/event/bulk/set-status", data={"pks": str(event.id), "status": status}
    )
    assert response.status_code == 400
    db.expire_all()
    assert db.get(Event, event.id).social_status is SocialStatus.PUBLIC  # type: ignore[union-attr]


def test_users_have_no_set_status_page(client: TestClient) -> None:
    assert client.get("/admin/user/bulk/set-status", params={"pks": "1"}).status_code == 404


def test_viewers_get_no_bulk_pages(anonymous_factory: ClientFactory, db: Session) -> None:
    viewer = factories.make_staff(db, role=StaffRole.VIEWER)
    client = anonymous_factory()
    factories.login(client, viewer.email)
    event = factories.make_event(db)
    assert "Delete with preview" not in client.get("/admin/event/list").text
    assert client.get("/admin/event/bulk/delete", params={"pks": str(event.id)}).status_code == 403


def test_a_failure_half_way_leaves_everything(
    client: TestClient, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fault injection: the users go after their events; if that fails, the events are back."""
    from sqlalchemy.exc import OperationalError

    from admin_app.admin.views.users import UserAdmin

    ann = factories.make_user(db)
    for _ in range(3):
        factories.make_event(db, organizer=ann)
    original = UserAdmin.delete_dependents

    def then_fail(self: UserAdmin, session: Session, ids: object) -> int:
        original(self, session, ids)  # type: ignore[arg-type]
        raise OperationalError("DELETE FROM users", {}, Exception("connection lost"))

    monkeypatch.setattr(UserAdmin, "delete_dependents", then_fail)
    data = {"pks": str(ann.id), "cascade": "yes"}
    response = client.post("/admin/user/bulk/delete", data=data, follow_redirects=False)
    assert response.status_code == 503  # the outage page: nothing changed, try again
    assert "nothing was changed" in response.text and "connection lost" not in response.text
    assert _count(db, User) == 1 and _count(db, Event) == 3
    assert db.scalar(select(func.count(AuditEntry.id))) == 0


def test_the_confirm_page_keeps_the_list_url_for_cancel(client: TestClient, db: Session) -> None:
    event = factories.make_event(db)
    page = _confirm(client, "event", "delete", pks=str(event.id), search="x", sortBy="date_of")
    cancel = re.search(r'href="([^"]+)" class="btn" id="bulk-cancel"', page)
    assert cancel and cancel.group(1).endswith("/admin/event/list?search=x&amp;sortBy=date_of")


@pytest.mark.parametrize("kind", ["delete", "set-status", "batch-edit"])
def test_an_action_with_nothing_ticked_asks_which_rows_never_assumes_all(
    client: TestClient, db: Session, kind: str
) -> None:
    # Issue 27, item 2: with nothing ticked, "Delete with preview…" offered the whole table.
    for _ in range(3):
        factories.make_event(db, social_status=SocialStatus.PRIVATE)
    factories.make_event(db, social_status=SocialStatus.PUBLIC)
    page = client.get(f"/admin/event/bulk/{kind}", params={"social_status": "private"})
    assert page.status_code == 200
    text = " ".join(page.text.split())
    assert "No rows are ticked." in text
    assert 'id="bulk-confirm-button"' not in page.text and "Delete 3 events?" not in text
    assert "Choose all 3 events matching the list" in text
    chosen = client.get(
        f"/admin/event/bulk/{kind}", params={"social_status": "private", "scope": "filter"}
    )
    assert chosen.status_code == 200 and 'id="bulk-scope"' in chosen.text
    refused = client.post(f"/admin/event/bulk/{kind}", data={"social_status": "private"})
    assert refused.status_code == 400
    db.expire_all()
    assert len(db.scalars(select(Event)).all()) == 4


def test_the_delete_preview_names_rows_says_the_filter_in_words_and_how_long_to_restore(
    client: TestClient, db: Session
) -> None:
    # Issue 27, items 3 and 4: no sample, the filter as a raw query string, "permanently".
    for title in ("Jazz brunch", "Jazz night"):
        factories.make_event(db, title=title, social_status=SocialStatus.PRIVATE)
    page = client.get(
        "/admin/event/bulk/delete",
        params={"scope": "filter", "search": "jazz", "social_status": "private", "sortBy": "id"},
    )
    text = text_of(page.text)
    assert "Jazz brunch" in text and "Jazz night" in text
    assert "matching the list: search “jazz”, social status private" in text
    assert "sortBy" not in text and "permanently" not in text
    assert "stay in Recently deleted for 30 days" in text
    users = [factories.make_user(db, email=f"u{n}@example.org") for n in range(2)]
    page = client.get("/admin/user/bulk/delete", params={"pks": f"{users[0].id},{users[1].id}"})
    assert "u0@example.org" in page.text and "u1@example.org" in page.text
