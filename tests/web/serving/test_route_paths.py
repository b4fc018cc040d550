"""Route paths found once (web/serving/route_paths.py): the same answers as the router's own
walk."""

import pytest
from fastapi import FastAPI
from starlette.requests import Request
from starlette.routing import NoMatchFound, Router

from admin_app.web.serving.route_paths import link, remember_paths


def test_the_app_finds_each_path_as_its_router_would(app: FastAPI) -> None:
    walk = Router.url_path_for.__get__(app.router)  # the router's own method, not the memo
    for name, params in [
        ("admin:list", {"identity": "event"}),
        ("admin:details", {"identity": "user", "pk": "7"}),
        ("admin:statics", {"path": "css/panel.css"}),
        ("admin:index", {}),
    ]:
        assert app.router.url_path_for(name, **params) == walk(name, **params)
        assert app.router.url_path_for(name, **params) == walk(name, **params)  # remembered


def test_an_unknown_name_or_parameter_still_fails_every_time(app: FastAPI) -> None:
    for _ in range(2):
        with pytest.raises(NoMatchFound):
            app.router.url_path_for("admin:no-such-page")
        with pytest.raises(NoMatchFound):
            app.router.url_path_for("admin:details", identity="user")


def test_a_parameter_that_cannot_be_remembered_is_looked_up() -> None:
    router = Router()
    seen: list[object] = []

    def lookup(name: str, /, **params: object) -> str:
        seen.append(params["key"])
        return f"/{name}"

    router.url_path_for = lookup  # type: ignore[method-assign,assignment]
    remember_paths(router)
    assert router.url_path_for("a", key=["not", "hashable"]) == "/a"
    assert router.url_path_for("a", key=["not", "hashable"]) == "/a"
    assert router.url_path_for("b", key=1) == "/b"
    assert router.url_path_for("b", key=1) == "/b"
    assert seen == [["not", "hashable"], ["not", "hashable"], 1]


def test_a_link_is_the_request_s_own_url_for_made_once_per_site_address(app: FastAPI) -> None:
    def request_at(host: str) -> Request:
        scope = {
            "type": "http", "scheme": "https", "server": (host, 443), "path": "/", "root_path": "",
            "headers": [(b"host", host.encode())], "router": app.router, "app": app,
        }  # fmt: skip
        return Request(scope)

    one, other = request_at("one.example"), request_at("two.example")
    for request in (one, other, one):
        assert link(request, "admin:details", identity="user", pk="7") == str(
            request.url_for("admin:details", identity="user", pk="7")
        )
    assert link(other, "admin:list", identity="event").startswith("https://two.example/")
