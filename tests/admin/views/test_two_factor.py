"""Each staff member's two-factor page (admin/views/two_factor.py): a wrong enrolment code keeps it
off, and switching it off needs the password."""

import re

import pyotp
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from admin_app.models import Staff
from tests import factories


def _enrol(client: TestClient) -> tuple[str, list[str]]:
    page = client.get("/admin/account/mfa").text
    assert 'src="data:image/svg+xml' in page
    match = re.search(r'id="mfa-secret">([A-Z2-7]+)<', page)
    assert match
    secret = match.group(1)
    done = client.post(
        "/admin/account/mfa", data={"action": "enable", "code": pyotp.TOTP(secret).now()}
    )
    assert done.status_code == 200, done.text
    codes = re.findall(r"<li>([0-9a-f]{5}-[0-9a-f]{5})</li>", done.text)
    assert len(codes) == 10
    return secret, codes


def test_a_wrong_enrolment_code_keeps_two_factor_off(
    client: TestClient, db: Session, admin_staff: Staff
) -> None:
    client.get("/admin/account/mfa")
    response = client.post("/admin/account/mfa", data={"action": "enable", "code": "000000"})
    assert response.status_code == 400
    db.refresh(admin_staff)
    assert admin_staff.mfa_secret is None


def test_switching_off_needs_the_password(
    client: TestClient, db: Session, admin_staff: Staff
) -> None:
    _enrol(client)
    refused = client.post(
        "/admin/account/mfa", data={"action": "disable", "password": "wrong password!"}
    )
    assert refused.status_code == 400
    done = client.post(
        "/admin/account/mfa", data={"action": "disable", "password": factories.STAFF_PASSWORD}
    )
    assert done.status_code == 200
    db.refresh(admin_staff)
    assert admin_staff.mfa_secret is None
