"""The core flows as a browser without scripts does them: only what the pages hold as served
(forms with their fields, links with their query), no X-CSRF-Token header, no rewritten links."""

import csv
import io
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from admin_app.models import Event, SocialStatus, Staff, User
from tests import factories
from tests.html_client import form_with_action, form_with_id, link, parse, submit


def _logged_in(anonymous: TestClient, staff: Staff) -> TestClient:
    page = anonymous.get("/admin/login")
    form = form_with_action(page, "/admin/login")
    values = form.values(username=staff.email, password=factories.STAFF_PASSWORD)
    assert submit(anonymous, page, form, values).status_code == 302
    assert "X-CSRF-Token" not in anonymous.headers
    return anonymous


def test_creating_and_editing_a_user_from_the_served_forms(
    anonymous: TestClient, admin_staff: Staff, db: Session
) -> None:
    browser = _logged_in(anonymous, admin_staff)
    page = browser.get("/admin/user/create")
    form = form_with_action(page, "/admin/user/create")
    created = submit(browser, page, form, form.values("Save", email="Plain@Example.org "))
    assert created.status_code == 302, created.text
    user = db.scalars(select(User)).one()
    assert user.email == "plain@example.org"
    page = browser.get(f"/admin/user/edit/{user.id}")
    form = form_with_action(page, f"/admin/user/edit/{user.id}")
    edited = submit(browser, page, form, form.values("Save", email="renamed@example.org"))
    assert edited.status_code == 302, edited.text
    db.expire_all()
    assert db.get(User, user.id).email == "renamed@example.org"  # type: ignore[union-attr]


def test_editing_an_event_keeps_its_organizer_as_served(
    anonymous: TestClient, admin_staff: Staff, db: Session
) -> None:
    organizer = factories.make_user(db, email="keeps@example.org")
    event = factories.make_event(db, organizer=organizer, title="Before")
    browser = _logged_in(anonymous, admin_staff)
    page = browser.get(f"/admin/event/edit/{event.id}")
    form = form_with_action(page, f"/admin/event/edit/{event.id}")
    assert form.selects["organizer"] == [(str(organizer.id), True)]
    assert ("Public" in page.text) and ("Private" in page.text)  # labels as the badges say
    edited = submit(browser, page, form, form.values("Save", title="After"))
    assert edited.status_code == 302, edited.text
    db.expire_all()
    saved = db.get(Event, event.id)
    assert saved is not None and saved.title == "After" and saved.organizer_id == organizer.id


def test_filtering_then_exporting_exports_exactly_the_filtered_rows(
    anonymous: TestClient, admin_staff: Staff, db: Session
) -> None:
    organizer = factories.make_user(db)
    for index in range(6):
        status = SocialStatus.PRIVATE if index % 2 else SocialStatus.PUBLIC
        factories.make_event(db, organizer=organizer, title=f"Row {index}", social_status=status)
    browser = _logged_in(anonymous, admin_staff)
    # The facets come after the rows: without scripts, their link leads to them.
    split = browser.get(link(browser.get("/admin/event/list"), "How the matching rows split"))
    listed = browser.get(link(split, "Private"))
    assert listed.status_code == 200 and "social_status=private" in str(listed.url)
    page = browser.get(str(listed.url))
    exported = browser.get(link(page, "Export CSV"))
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert sorted(row["title"] for row in rows) == ["Row 1", "Row 3", "Row 5"]


def test_the_date_filter_form_applies_as_served(
    anonymous: TestClient, admin_staff: Staff, db: Session
) -> None:
    organizer = factories.make_user(db)
    factories.make_event(db, organizer=organizer, title="Early", date_of=date(2020, 1, 1))
    factories.make_event(db, organizer=organizer, title="Late", date_of=date(2030, 1, 1))
    browser = _logged_in(anonymous, admin_staff)
    page = browser.get("/admin/event/list")
    form = next(f for f in parse(page).forms if ("date_from", "") in f.fields)
    filtered = submit(browser, page, form, form.values(date_from="2025-01-01"))
    assert filtered.status_code == 200
    assert "Late" in filtered.text and "Early" not in filtered.text


def test_logging_out_from_the_served_form(anonymous: TestClient, admin_staff: Staff) -> None:
    browser = _logged_in(anonymous, admin_staff)
    page = browser.get("/admin/")
    form = form_with_action(page, "/admin/logout")
    assert submit(browser, page, form, form.values()).status_code == 302
    assert browser.get("/admin/", follow_redirects=False).status_code == 302


def test_searching_from_the_served_form(
    anonymous: TestClient, admin_staff: Staff, db: Session
) -> None:
    organizer = factories.make_user(db)
    for title in ("Jazz night", "Poetry", "jazz brunch"):
        factories.make_event(db, organizer=organizer, title=title)
    browser = _logged_in(anonymous, admin_staff)
    page = browser.get("/admin/event/list", params={"page": "1", "sortBy": "title"})
    form = next(f for f in parse(page).forms if f.fields and "search" in dict(f.fields))
    found = submit(browser, page, form, form.values(search="JAZZ"))
    assert found.status_code == 200 and "sortBy=title" in str(found.url)
    assert "Jazz night" in found.text and "jazz brunch" in found.text
    assert "Poetry" not in found.text


def test_bulk_deleting_the_filtered_rows_through_the_confirmation_page(
    anonymous: TestClient, admin_staff: Staff, db: Session
) -> None:
    organizer = factories.make_user(db)
    for index in range(5):
        status = SocialStatus.PRIVATE if index < 2 else SocialStatus.PUBLIC
        factories.make_event(db, organizer=organizer, title=f"Row {index}", social_status=status)
    browser = _logged_in(anonymous, admin_staff)
    listed = browser.get("/admin/event/list", params={"social_status": "private"})
    confirm = browser.get(link(listed, "Delete with preview"))
    assert confirm.status_code == 200 and "Delete 2 events?" in confirm.text
    form = form_with_id(confirm, "bulk-form")
    done = submit(browser, confirm, form, form.values())
    assert done.status_code == 303, done.text
    assert "social_status=private" in done.headers["location"]
    db.expire_all()
    assert sorted(db.scalars(select(Event.title))) == ["Row 2", "Row 3", "Row 4"]


def test_creating_an_event_with_the_organizer_typed_by_email(
    anonymous: TestClient, admin_staff: Staff, db: Session
) -> None:
    organizer = factories.make_user(db, email="typed@example.org")
    browser = _logged_in(anonymous, admin_staff)
    page = browser.get("/admin/event/create")
    form = form_with_action(page, "/admin/event/create")
    assert ("organizer", "") in form.fields  # the text box stands in for the empty picker
    values = form.values(
        "Save", title="Typed", date_of="2026-05-01", organizer=" Typed@Example.org"
    )
    created = submit(browser, page, form, values)
    assert created.status_code == 302, created.text
    event = db.scalars(select(Event)).one()
    assert (event.title, event.organizer_id) == ("Typed", organizer.id)


def test_a_typed_organizer_that_does_not_exist_is_a_message_on_the_form(
    anonymous: TestClient, admin_staff: Staff, db: Session
) -> None:
    browser = _logged_in(anonymous, admin_staff)
    page = browser.get("/admin/event/create")
    form = form_with_action(page, "/admin/event/create")
    values = form.values("Save", title="Nobody's", date_of="2026-05-01", organizer="no@one.org")
    refused = submit(browser, page, form, values)
    assert refused.status_code == 400
    assert "Choose an organizer" in refused.text
    assert db.scalars(select(Event)).all() == []


def test_every_post_form_carries_the_token_as_served(
    anonymous: TestClient, admin_staff: Staff, db: Session
) -> None:
    event = factories.make_event(db)
    browser = _logged_in(anonymous, admin_staff)
    token = factories.csrf_token(browser, "/admin/")
    pages = [
        "/admin/",
        "/admin/event/list",
        "/admin/event/create",
        f"/admin/event/edit/{event.id}",
        "/admin/user/create",
        f"/admin/user/edit/{event.organizer_id}",
        f"/admin/event/bulk/delete?pks={event.id}",
        f"/admin/event/bulk/set-status?pks={event.id}",
        "/admin/staff/create",
        f"/admin/staff/edit/{admin_staff.id}",
        "/admin/account/password",
        "/admin/account/mfa",
    ]
    for path in pages:
        forms = [form for form in parse(browser.get(path)).forms if form.method == "post"]
        assert forms, path
        for form in forms:
            assert ("csrf_token", token) in form.fields, (path, form.action)
