"""After login the browser only goes back into this admin, never to another site."""

import pytest
from fastapi.testclient import TestClient

from admin_app.models import Staff
from admin_app.web.edge.redirects import safe_next_path
from tests import factories

OFFSITE = [
    "//evil.example",
    "https://evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/admin/\\evil",
    "http:/evil.example",
    "/%09/evil.example",
    "javascript:alert(1)",
    "/admin\t/x",
    "/admin/login",
]


@pytest.mark.parametrize("target", OFFSITE)
def test_offsite_or_odd_next_targets_are_ignored(
    anonymous: TestClient, admin_staff: Staff, target: str
) -> None:
    data = {
        "username": admin_staff.email,
        "password": factories.STAFF_PASSWORD,
        "next": target,
        "csrf_token": factories.csrf_token(anonymous),
    }
    response = anonymous.post("/admin/login", data=data, follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["location"] == "http://testserver/admin/"


@pytest.mark.parametrize("target", OFFSITE)
def test_offsite_next_is_not_even_put_in_the_login_form(anonymous: TestClient, target: str) -> None:
    page = anonymous.get("/admin/login", params={"next": target}).text
    assert 'name="next" value=""' in page


@pytest.mark.parametrize("target", ["/admin/", "/admin/event/list?social_status=private&page=2"])
def test_admin_paths_are_kept(target: str) -> None:
    assert safe_next_path(target) == target
