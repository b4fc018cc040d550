"""The column chooser: which columns a list shows and in which order, per staff member, kept
across logins and in saved views; the list's statements do not depend on the choice."""

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from admin_app.models import Staff
from tests import factories
from tests.admin.test_shape import counting_statements
from tests.conftest import ClientFactory
from tests.html_client import form_with_id, submit


def _headers(page: str) -> list[str]:
    thead = page[page.index("<thead>") : page.index("</thead>")]
    return re.findall(r'<th data-cell-field="(\w+)"|<th>\s*<a href="[^"]*sortBy=(\w+)', thead)


def _columns(page: str) -> list[str]:
    # The chooser lists every column in order, the shown ones ticked.
    chooser = page[page.index('id="column-chooser-form"') :]
    chooser = chooser[: chooser.index("</form>")]
    return re.findall(r'name="show" value="(\w+)" id="[^"]+" checked', chooser)


def _chooser(client: TestClient, back: str = "/admin/event/list") -> str:
    """The column chooser's page for the list at `back` (the list's Columns box links there)."""
    page = client.get("/admin/event/list").text
    assert 'href="/admin/event/columns?back=%2Fadmin%2Fevent%2Flist"' in page
    response = client.get("/admin/event/columns", params={"back": back})
    assert response.status_code == 200
    return response.text


def _choose(client: TestClient, order: list[str], show: list[str], **extra: str) -> str:
    response = client.post(
        "/admin/event/columns",
        data={"order": order, "show": show, "back": "/admin/event/list?search=x", **extra},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return str(response.headers["location"])


ALL = ["id", "title", "date_of", "social_status", "organizer"]


def test_a_hidden_column_stays_hidden_after_logout_and_login(
    client: TestClient, admin_staff: Staff, db: Session, anonymous_factory: ClientFactory
) -> None:
    factories.make_event(db, title="Jazz")
    back = _choose(client, ALL, ["title", "date_of", "organizer"])
    assert back == "/admin/event/list?search=x"
    page = client.get("/admin/event/list").text
    assert _columns(_chooser(client)) == ["title", "date_of", "organizer"]
    assert "Social status" not in page[page.index("<thead>") : page.index("</thead>")]
    client.post("/admin/logout")
    again = anonymous_factory()
    factories.login(again, admin_staff.email)
    assert _columns(_chooser(again, "/admin/event/list")) == ["title", "date_of", "organizer"]
    # Another staff member still sees every column.
    other = anonymous_factory()
    factories.login(other, factories.make_staff(db).email)
    assert _columns(_chooser(other, "/admin/event/list")) == ALL


def test_columns_move_up_and_down_and_reset(client: TestClient, db: Session) -> None:
    factories.make_event(db)
    _choose(client, ALL, ALL, move="organizer:up")
    assert _columns(_chooser(client, "/admin/event/list")) == [
        "id",
        "title",
        "date_of",
        "organizer",
        "social_status",
    ]
    location = _choose(client, ["organizer", "id"], ["organizer", "id"], move="title:down")
    assert location.endswith("#column-chooser")
    assert _columns(_chooser(client, "/admin/event/list")) == ["organizer", "id"]
    _choose(client, [], [], reset="1")
    assert _columns(_chooser(client, "/admin/event/list")) == ALL


def test_hiding_every_column_is_refused_with_a_message(client: TestClient, db: Session) -> None:
    factories.make_event(db)
    page = client.post(
        "/admin/event/columns", data={"order": ALL, "back": "/admin/event/list"}
    ).text
    assert "Show at least one column." in page
    assert _columns(_chooser(client, "/admin/event/list")) == ALL


def test_the_columns_parameter_wins_and_unknown_columns_are_a_400(
    client: TestClient, db: Session
) -> None:
    factories.make_event(db)
    assert _columns(_chooser(client, "/admin/event/list?columns=organizer,title")) == [
        "organizer",
        "title",
    ]
    for bad in ["nope", "title,password_hash", ","]:
        response = client.get("/admin/event/list", params={"columns": bad})
        assert response.status_code == 400, bad


def test_the_chooser_works_without_scripts(client: TestClient, db: Session) -> None:
    factories.make_event(db)
    client.headers.pop("X-CSRF-Token")  # only what the page holds, as a browser without scripts
    listed = client.get("/admin/event/list?search=e").text
    assert 'id="column-chooser-form"' not in listed  # on its own page, linked from the list
    link = listed.split('data-form-url="')[1].split('"')[0].replace("&amp;", "&")
    page = client.get(link)
    form = form_with_id(page, "column-chooser-form")
    assert ("back", "/admin/event/list?search=e") in form.values()
    values = [pair for pair in form.values() if pair != ("show", "id")]
    applied = submit(client, page, form, values)
    assert applied.status_code == 303
    assert applied.headers["location"] == "/admin/event/list?search=e"
    assert _columns(_chooser(client)) == ALL[1:]
    # A move on that page comes back to it, the list's place kept.
    page = client.get(link)
    form = form_with_id(page, "column-chooser-form")
    moved = submit(client, page, form, [*form.values(), ("move", "title:down")])
    assert moved.status_code == 303 and moved.headers["location"] == link
    assert _columns(_chooser(client)) == ["date_of", "title", "social_status", "organizer"]


def test_the_chooser_page_is_for_staff_who_may_read_the_list(
    client: TestClient, db: Session, anonymous_factory: ClientFactory
) -> None:
    elsewhere = client.get("/admin/event/columns", params={"back": "https://evil.example/x"})
    assert elsewhere.status_code == 200
    assert 'name="back" value="/admin/event/list"' in elsewhere.text
    assert client.get("/admin/nothing/columns").status_code == 404
    assert client.head("/admin/event/columns").status_code == 200
    anonymous = anonymous_factory()
    response = anonymous.get("/admin/event/columns", follow_redirects=False)
    assert response.status_code in (302, 303) and "/login" in response.headers["location"]


@pytest.mark.parametrize("shown", ["title", "id,title,date_of,social_status,organizer"])
def test_statements_do_not_depend_on_the_visible_columns(
    app: FastAPI, client: TestClient, db: Session, shown: str
) -> None:
    for _ in range(3):
        factories.make_event(db)
    with counting_statements(app) as everything:
        client.get("/admin/event/list?search=a")
    with counting_statements(app) as chosen:
        client.get(f"/admin/event/list?search=a&columns={shown}")
    assert len(chosen) == len(everything)
