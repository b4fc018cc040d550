"""The filter bar above a list's rows: one form, one Apply, controls that work without script,
several social statuses at once, and the users list's own filters."""

import re
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from admin_app.models import SocialStatus, User
from tests import factories


def _bar(page: str) -> str:
    match = re.search(r'<form[^>]*id="filter-bar".*?</form>', page, re.S)
    assert match, "the list has no filter bar"
    return match.group(0)


def _titles(page: str) -> list[str]:
    return re.findall(r">\s*(T-[\w-]+)\s*<", page)


def _emails(page: str) -> set[str]:
    # Emails in list cells carry <wbr> wrap points: compare them without.
    return set(re.findall(r"[\w.]+@[\w.]+", page.replace("<wbr>", "")))


def test_events_filters_are_one_form_with_one_apply_above_the_rows(client: TestClient) -> None:
    page = client.get("/admin/event/list", params={"search": "jazz", "sortBy": "title"}).text
    bar = _bar(page)
    assert bar.count('type="submit"') == 1 and "Apply filters" in bar
    # Above the table, and no second "Filters" card with its own Apply buttons.
    assert page.index('id="filter-bar"') < page.index("<table")
    assert 'id="filter-sidebar"' not in page
    # Dates are the browser's date picker (no script needed), bounded as the form's dates are.
    assert len(re.findall(r'type="date"[^>]*name="date_(?:from|to)"', bar)) == 2
    assert 'min="1900-01-01"' in bar and 'max="9999-12-31"' in bar
    # The status is tick boxes; the search and sort travel with the form.
    assert len(re.findall(r'type="checkbox" name="social_status"', bar)) == 2
    assert 'name="search" value="jazz"' in bar and 'name="sortBy" value="title"' in bar


def test_ticking_both_statuses_lists_both_and_one_lists_one(
    client: TestClient, db: Session
) -> None:
    factories.make_event(db, title="T-open", social_status=SocialStatus.PUBLIC)
    factories.make_event(db, title="T-closed", social_status=SocialStatus.PRIVATE)
    both = client.get("/admin/event/list?social_status=public&social_status=private").text
    assert sorted(_titles(both)) == ["T-closed", "T-open"]
    assert re.search(r'value="public" checked', _bar(both))
    assert re.search(r'value="private" checked', _bar(both))
    # Neither facet value is marked current when both are ticked.
    facets = client.get("/admin/event/facets?social_status=public&social_status=private").text
    assert 'aria-current="true"' not in facets.split('id="facets"')[1].split("</div>")[0]
    one = client.get("/admin/event/list?social_status=private").text
    assert _titles(one) == ["T-closed"]
    assert not re.search(r'value="public" checked', _bar(one))


def test_a_bad_value_among_ticked_statuses_is_a_400(client: TestClient) -> None:
    response = client.get("/admin/event/list?social_status=public&social_status=secret")
    assert response.status_code == 400
    assert "Unknown social status" in response.text


def test_empty_fields_of_the_bar_filter_nothing(client: TestClient, db: Session) -> None:
    factories.make_event(db, title="T-any")
    page = client.get("/admin/event/list?date_from=&date_to=&organizer=").text
    assert _titles(page) == ["T-any"]


def test_clear_filters_keeps_search_and_drops_every_filter(client: TestClient, db: Session) -> None:
    page = client.get(
        "/admin/event/list", params={"search": "jazz", "social_status": "public", "page": "1"}
    ).text
    clear = re.search(r'id="filter-clear" href="([^"]+)"', page)
    assert clear and "search=jazz" in clear.group(1)
    assert "social_status" not in clear.group(1) and "page=" not in clear.group(1)
    assert 'id="filter-clear"' not in client.get("/admin/event/list").text


def test_the_organizer_field_shows_the_current_organizer_by_email(
    client: TestClient, db: Session
) -> None:
    ann = factories.make_user(db, email="ann@example.org")
    page = client.get("/admin/event/list", params={"organizer": str(ann.id)}).text
    assert re.search(r'name="organizer"[^>]*value="ann@example.org"', _bar(page))


def test_the_delete_preview_names_ticked_statuses_in_words(client: TestClient, db: Session) -> None:
    factories.make_event(db, title="T-x")
    page = client.get(
        "/admin/event/action/review-delete",
        params={"scope": "filter", "social_status": ["public", "private"]},
    ).text
    assert "social status public or private" in page


def _users(db: Session) -> dict[str, User]:
    busy = factories.make_user(db, email="busy@example.org")
    quiet = factories.make_user(db, email="quiet@example.org")
    idle = factories.make_user(db, email="idle@example.org")
    for n in range(3):
        factories.make_event(db, organizer=busy, title=f"T-b{n}")
    factories.make_event(db, organizer=quiet, title="T-q")
    db.execute(
        update(User)
        .where(User.id == idle.id)
        .values(created_at=datetime(2024, 5, 1, 12, tzinfo=UTC))
    )
    db.commit()
    return {"busy": busy, "quiet": quiet, "idle": idle}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        pytest.param({"has_events": "yes"}, {"busy", "quiet"}, id="has-events"),
        pytest.param({"has_events": "no"}, {"idle"}, id="has-no-events"),
        pytest.param({"events_min": "2"}, {"busy"}, id="at-least-two"),
        pytest.param({"events_min": "0"}, {"busy", "quiet", "idle"}, id="at-least-zero"),
        pytest.param({"created_to": "2024-05-01"}, {"idle"}, id="created-through-that-day"),
        pytest.param({"created_from": "2024-05-02"}, {"busy", "quiet"}, id="created-after"),
        pytest.param({"created_to": "9999-12-31"}, {"busy", "quiet", "idle"}, id="last-day"),
    ],
)
def test_users_list_filters(
    client: TestClient, db: Session, params: dict[str, str], expected: set[str]
) -> None:
    users = _users(db)
    page = client.get("/admin/user/list", params=params)
    assert page.status_code == 200
    shown = _emails(page.text) & {user.email for user in users.values()}
    assert shown == {users[name].email for name in expected}
    bar = _bar(page.text)
    for name in ("has_events", "events_min", "created_from", "created_to"):
        assert f'name="{name}"' in bar


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"has_events": "maybe"}, id="has-events-word"),
        pytest.param({"events_min": "-1"}, id="negative"),
        pytest.param({"events_min": "1e9"}, id="not-whole"),
        pytest.param({"events_min": "99999999999999999999"}, id="huge"),
        pytest.param({"created_from": "2024-13-01"}, id="bad-month"),
        pytest.param({"created_to": "yesterday"}, id="word-date"),
    ],
)
def test_users_list_filters_refuse_bad_values_with_a_400(
    client: TestClient, params: dict[str, str]
) -> None:
    response = client.get("/admin/user/list", params=params)
    assert response.status_code == 400
    assert (
        "Has events" in response.text
        or "At least N" in response.text
        or ("YYYY-MM-DD" in response.text)
    )


def test_users_filters_count_what_they_show(client: TestClient, db: Session) -> None:
    _users(db)
    page = client.get("/admin/user/list", params={"has_events": "yes"}).text
    assert "Showing 1 to 2 of 2 items" in " ".join(page.split())
