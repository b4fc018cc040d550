"""Security headers on every response, nothing private kept in caches, and Host headers limited
to the configured names and port."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from admin_app.web.edge.hosts import accepted_hosts
from tests import factories

EXPECTED = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
}


@pytest.mark.parametrize(
    "path",
    [
        "/health",
        "/",
        "/admin/login",
        "/admin/",
        "/admin/statics/css/main.css",
        "/admin/nope",
        "/nope",
    ],
)
def test_every_response_carries_the_security_headers(anonymous: TestClient, path: str) -> None:
    response = anonymous.get(path, follow_redirects=False)
    for name, value in EXPECTED.items():
        assert response.headers[name] == value, (path, name)
    policy = response.headers["content-security-policy"]
    for directive in (
        "frame-ancestors 'none'",
        "object-src 'none'",
        "base-uri 'self'",
        "script-src 'self'",
    ):
        assert directive in policy


def test_logged_in_pages_carry_the_headers_too(client: TestClient) -> None:
    response = client.get("/admin/event/list")
    assert response.headers["x-frame-options"] == "DENY"
    assert (
        "'unsafe-inline'" not in response.headers["content-security-policy"].split("style-src")[0]
    )


def test_pages_have_no_inline_scripts(client: TestClient) -> None:
    for path in ("/admin/", "/admin/event/list", "/admin/event/create", "/admin/login"):
        page = client.get(path).text
        assert "<script>" not in page and '<script type="text/javascript">' not in page, path


@pytest.mark.parametrize(
    "host", ["evil.example", "testserver.evil.example", "testserver:80@evil", ""]
)
def test_a_foreign_host_header_is_a_400(anonymous: TestClient, host: str) -> None:
    response = anonymous.get("/admin/login", headers={"host": host})
    assert response.status_code == 400
    assert response.headers["x-frame-options"] == "DENY"


@pytest.mark.parametrize(
    "path",
    [
        "/admin/",
        "/admin/event/list",
        "/admin/event/details/{event}",
        "/admin/event/edit/{event}",
        "/admin/event/export/csv",
        "/admin/event/export/json",
        "/admin/event/ajax/lookup?name=organizer&term=a",
        "/admin/staff/list",
        "/admin/audit-entry/list",
        "/admin/account/password",
        "/admin/account/mfa",
        "/admin/event/bulk/set-status?pks={event}",
        "/admin/nope",
        "/health",
    ],
)
def test_authenticated_answers_are_never_stored(client: TestClient, db: Session, path: str) -> None:
    event = factories.make_event(db)
    response = client.get(path.format(event=event.id), follow_redirects=False)
    assert response.status_code in (200, 404), (path, response.status_code)
    assert response.headers["cache-control"] == "no-store", path


@pytest.mark.parametrize("path", ["/admin/login", "/admin/login/mfa", "/", "/admin/"])
def test_login_pages_and_redirects_are_never_stored(anonymous: TestClient, path: str) -> None:
    response = anonymous.get(path, follow_redirects=False)
    assert response.headers["cache-control"] == "no-store", path


@pytest.mark.parametrize("path", ["/admin/statics/css/main.css", "/admin/statics/js/panel.js"])
def test_static_files_are_cached_for_a_day(anonymous: TestClient, path: str) -> None:
    response = anonymous.get(path)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=86400"


@pytest.mark.parametrize(
    "host", ["testserver:9999", "testserver:8001", "testserver:", "[::1]:8000", "TESTSERVER:1"]
)
def test_a_known_name_on_another_port_is_a_400(anonymous: TestClient, host: str) -> None:
    response = anonymous.get("/admin/login", headers={"host": host})
    assert response.status_code == 400
    assert ":9999" not in response.text


@pytest.mark.parametrize("host", ["testserver", "TestServer", "testserver:8000"])
def test_the_served_name_and_port_are_answered(anonymous: TestClient, host: str) -> None:
    response = anonymous.get("/admin/", headers={"host": host}, follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["location"].startswith(f"http://{host}/admin/login")


def test_accepted_hosts_take_a_port_from_the_entry_or_the_served_port() -> None:
    accepted = accepted_hosts(["admin.example.org", "10.0.0.5:9000", "[::1]"], port=8000)
    assert accepted == {
        "admin.example.org",
        "admin.example.org:8000",
        "10.0.0.5:9000",
        "[::1]",
        "[::1]:8000",
    }


@pytest.mark.parametrize(
    "path",
    [
        "/admin/statics/css/missing.css",
        "/admin/statics/css/missing.css?v=0123456789ab",
        "/admin/statics/../main.py",
    ],
)
def test_a_missing_static_file_is_never_stored(client: TestClient, path: str) -> None:
    # Security round 3, finding 7: a logged-in 404 page carries the CSRF token.
    response = client.get(path)
    assert response.status_code == 404
    assert response.headers["cache-control"] == "no-store"


def test_a_304_for_a_static_file_keeps_its_caching(anonymous: TestClient) -> None:
    first = anonymous.get("/admin/statics/css/main.css")
    again = anonymous.get(
        "/admin/statics/css/main.css", headers={"if-none-match": first.headers["etag"]}
    )
    assert again.status_code == 304
    assert again.headers["cache-control"] == "public, max-age=86400"
