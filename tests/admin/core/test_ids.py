"""Malformed ids are a 404 on every route that takes one (a 400 in a selection), never a 500."""

from urllib.parse import quote

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests import factories
from tests.routes import MountedRoute, mounted_routes
from tests.snapshots import diff, snapshot

MALFORMED = [
    "abc",
    "1.5",
    "1e3",
    "-1",
    "+1",
    "0x10",
    " 1",
    "1 ",
    "",
    "²",  # str.isdigit() says yes
    "١٢",  # Arabic-Indic digits: int() accepts them
    "\uff19",  # a fullwidth 9
    "2147483648",  # past PostgreSQL's INTEGER
    "9" * 30,  # past 64 bits
    "1/2",
    "..",
    "%00",
    "null",
]
VIEWS = ["user", "event", "staff", "audit-entry"]
# Routes that take a selection (`pks=`) instead of a path key, with a method that reads it.
SELECTION_ROUTES = {"delete": "DELETE", "bulk": "POST", "action-event-set-status": "GET"}


def _answer(client: TestClient, method: str, path: str) -> int:
    return client.request(method, path, data={"title": "x"}).status_code


def _routes(app: FastAPI, parameter: str) -> list[MountedRoute]:
    return [route for route in mounted_routes(list(app.routes)) if parameter in route.parameters]


@pytest.mark.parametrize("key", MALFORMED, ids=repr)
def test_a_malformed_key_is_a_404_on_every_route_that_takes_one(
    app: FastAPI, client: TestClient, db: Session, key: str
) -> None:
    factories.make_event(db)
    before = snapshot(app.state.engine)
    routes = _routes(app, "pk")
    assert {route.name for route in routes} >= {"details", "edit"}
    for route in routes:
        for identity in VIEWS:
            path = route.concrete(identity=identity, pk=quote(key, safe="/"))
            for method in route.methods:
                # A view that never allows the action (editing the audit log) says so first.
                forbidden = _answer(client, method, route.concrete(identity=identity)) == 403
                expected = {403, 404} if forbidden else {404}
                response = client.request(method, path, data={"title": "x"})
                assert response.status_code in expected, (method, path, response.status_code)
    changes = diff(before, snapshot(app.state.engine))
    assert not changes.rows_touched(), changes.describe()


@pytest.mark.parametrize(
    "identity", ["abc", "1", "user.", "%00", "Event", "\uff45\uff56\uff45\uff4e\uff54"], ids=repr
)
def test_an_unknown_view_is_a_404_on_every_route(
    client: TestClient, app: FastAPI, identity: str
) -> None:
    for route in _routes(app, "identity"):
        path = route.concrete(identity=quote(identity))
        for method in route.methods:
            response = client.request(method, path, data={"pks": "1"})
            assert response.status_code == 404, (method, path, response.status_code)


@pytest.mark.parametrize("key", [key for key in MALFORMED if key], ids=repr)
def test_a_malformed_id_in_a_selection_is_a_400(
    app: FastAPI, client: TestClient, db: Session, key: str
) -> None:
    event = factories.make_event(db)
    before = snapshot(app.state.engine)
    routes = [r for r in mounted_routes(list(app.routes)) if r.name in SELECTION_ROUTES]
    assert len(routes) == len(SELECTION_ROUTES)
    for route in routes:
        method = SELECTION_ROUTES[route.name]
        path = route.concrete(identity="event", kind="delete")
        pks = f"{event.id},{key}"
        if method == "POST":
            response = client.post(path, data={"pks": pks})
        else:
            response = client.request(method, path, params={"pks": pks})
        assert response.status_code == 400, (method, path, response.status_code)
    changes = diff(before, snapshot(app.state.engine))
    assert not changes.rows_touched(), changes.describe()
