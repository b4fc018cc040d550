"""Every route is closed to anonymous visitors, except the few meant to be public."""

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from starlette.routing import BaseRoute, Mount, Route

from tests import factories

PUBLIC = {"/health", "/", "/favicon.ico", "/admin/login", "/admin/statics"}
PARAMS = {"identity": "user", "pk": "1", "export_type": "csv", "column_name": "email"}


def _routes(routes: list[BaseRoute], prefix: str = "") -> list[tuple[str, set[str]]]:
    found: list[tuple[str, set[str]]] = []
    for route in routes:
        if isinstance(route, Mount) and route.routes and not route.path.endswith("/statics"):
            found += _routes(list(route.routes), prefix + route.path)
        elif isinstance(route, Mount):
            found.append((prefix + route.path, {"GET"}))
        elif isinstance(route, Route):
            found.append((prefix + route.path, set(route.methods or {"GET"}) - {"HEAD"}))
    return found


def _concrete(path: str) -> str:
    return re.sub(r"{(\w+)(?::\w+)?}", lambda m: PARAMS.get(m.group(1), "x"), path)


def test_every_non_public_route_refuses_anonymous_visitors(
    app: FastAPI, anonymous: TestClient, db: Session
) -> None:
    factories.make_event(db, organizer=factories.make_user(db, email="private-person@example.org"))
    routes = _routes(list(app.routes))
    assert len(routes) >= 15  # the enumeration really sees the admin's routes
    for path, methods in routes:
        if path in PUBLIC:
            continue
        for method in methods:
            response = anonymous.request(method, _concrete(path), follow_redirects=False)
            refused = response.status_code in (401, 403, 405) or (
                response.status_code == 302 and "/admin/login" in response.headers["location"]
            )
            assert refused, (method, path, response.status_code)
            assert "private-person" not in response.text, (method, path)
