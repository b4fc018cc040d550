"""Every route is closed to anonymous visitors, except the few meant to be public."""

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests import factories
from tests.routes import mounted_routes

PUBLIC = {"/health", "/", "/favicon.ico", "/admin/login", "/admin/statics/{file:path}"}


def test_every_non_public_route_refuses_anonymous_visitors(
    app: FastAPI, anonymous: TestClient, db: Session
) -> None:
    factories.make_event(db, organizer=factories.make_user(db, email="private-person@example.org"))
    routes = mounted_routes(list(app.routes))
    assert len(routes) >= 15  # the enumeration really sees the admin's routes
    for route in routes:
        if route.path in PUBLIC:
            continue
        for method in route.methods:
            path = route.concrete(identity="user")
            response = anonymous.request(method, path, follow_redirects=False)
            refused = response.status_code in (401, 403, 405) or (
                response.status_code == 302 and "/admin/login" in response.headers["location"]
            )
            assert refused, (method, path, response.status_code)
            assert "private-person" not in response.text, (method, path)
