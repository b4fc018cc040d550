"""Input over a documented limit is a 400 or a message on the page, never an outage page."""

from urllib.parse import parse_qsl

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from admin_app.admin.core.text_search import MAX_TERM_LENGTH
from admin_app.models import Event, User
from admin_app.web.edge.limits import MAX_QUERY_PARAMETERS
from tests import factories

# SQLite refuses LIKE patterns over 50,000 bytes; PostgreSQL takes them. Both must say the same.
HUGE = "j" * 50_001


@pytest.mark.parametrize(
    "path",
    [
        "/admin/event/list",
        "/admin/user/list",
        "/admin/audit-entry/list",
        "/admin/staff/list",
        "/admin/event/export/csv",
        "/admin/user/export/json",
        "/admin/event/bulk/delete?scope=filter",
    ],
)
@pytest.mark.parametrize("length", [MAX_TERM_LENGTH + 1, len(HUGE)])
def test_a_search_over_the_limit_is_a_400_that_says_so(
    client: TestClient, db: Session, path: str, length: int
) -> None:
    factories.make_event(db, title="jazz")
    path, _, query = path.partition("?")
    response = client.get(path, params={**dict(parse_qsl(query)), "search": "j" * length})
    assert response.status_code == 400, (path, response.status_code)
    assert "Search for at most 1,000 characters" in response.text
    assert "Database unavailable" not in response.text


@pytest.mark.parametrize("path", ["/admin/event/list", "/admin/user/list"])
def test_a_search_at_the_limit_is_answered(client: TestClient, db: Session, path: str) -> None:
    factories.make_event(db, title="jazz")
    response = client.get(path, params={"search": "j" * MAX_TERM_LENGTH})
    assert response.status_code == 200


def test_a_picker_term_over_the_limit_is_a_400(client: TestClient) -> None:
    params = {"name": "organizer", "term": HUGE}
    assert client.get("/admin/event/ajax/lookup", params=params).status_code == 400


@pytest.mark.parametrize(
    "params",
    [
        {"organizer": HUGE},
        {"organizer": "a@" + HUGE},
        {"date_from": HUGE},
        {"date_to": "2026-01-0" + HUGE},
        {"social_status": HUGE},
        {"sortBy": HUGE},
        {"page": "9" * 5000},
        {"pageSize": "9" * 5000},
    ],
    ids=["organizer", "organizer-email", "date-from", "date-to", "status", "sort", "page", "size"],
)
def test_oversized_filter_values_are_answers_not_outages(
    client: TestClient, db: Session, params: dict[str, str]
) -> None:
    factories.make_event(db)
    response = client.get("/admin/event/list", params=params)
    assert response.status_code in (200, 302, 400), response.status_code
    assert "Database unavailable" not in response.text


@pytest.mark.parametrize(
    ("path", "form", "message"),
    [
        ("/admin/event/create", {"title": HUGE}, "Field cannot be longer than 200 characters"),
        ("/admin/user/create", {"email": "a@" + HUGE}, "Field cannot be longer than 320"),
    ],
)
def test_an_oversized_form_value_is_a_message_on_the_form(
    client: TestClient, db: Session, path: str, form: dict[str, str], message: str
) -> None:
    organizer = factories.make_user(db)
    data = {"date_of": "2026-01-01", "social_status": "public", "organizer": str(organizer.id)}
    response = client.post(path, data={**data, **form, "save": "Save"})
    assert response.status_code == 400
    assert message in response.text
    assert db.scalar(select(func.count(Event.id))) == 0
    assert db.scalar(select(func.count(User.id))) == 1


def test_too_many_query_parameters_are_a_400(client: TestClient) -> None:
    too_many = "&".join(f"p{index}=x" for index in range(MAX_QUERY_PARAMETERS + 1))
    response = client.get("/admin/event/list", params=too_many)
    assert response.status_code == 400
    assert f"at most {MAX_QUERY_PARAMETERS}" in response.text
    assert len(response.content) < 1_000
    for path in ("/admin/login", "/health"):
        assert client.get(path, params=too_many).status_code == 400


def test_as_many_query_parameters_as_allowed_are_answered(client: TestClient) -> None:
    allowed = "&".join(["social_status=public"] * MAX_QUERY_PARAMETERS)
    assert client.get("/admin/event/list", params=allowed).status_code == 200
