"""Security headers on every response, and Host headers limited to the configured names."""

import pytest
from fastapi.testclient import TestClient

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
