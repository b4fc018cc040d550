"""Two-factor login: enrol with a QR code, log in with TOTP or a recovery code, throttled."""

import re
from datetime import timedelta

import pyotp
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from admin_app import clock
from admin_app.main import create_app
from admin_app.models import Staff, StaffRole
from tests import factories
from tests.conftest import ClientFactory


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


def _password_step(client: TestClient, staff: Staff) -> str:
    response = factories.post_login(client, staff.email)
    assert response.status_code == 302
    return str(response.headers["location"])


def _code_step(client: TestClient, code: str) -> int:
    token = factories.csrf_token(client, "/admin/login/mfa")
    response = client.post(
        "/admin/login/mfa", data={"code": code, "csrf_token": token}, follow_redirects=False
    )
    return response.status_code


@pytest.fixture
def enrolled(
    client: TestClient, admin_staff: Staff, anonymous_factory: ClientFactory
) -> tuple[TestClient, str, list[str]]:
    secret, codes = _enrol(client)
    return anonymous_factory(), secret, codes


def test_password_alone_no_longer_logs_in(
    enrolled: tuple[TestClient, str, list[str]], admin_staff: Staff
) -> None:
    browser, _, _ = enrolled
    assert "/admin/login/mfa" in _password_step(browser, admin_staff)
    assert browser.get("/admin/", follow_redirects=False).status_code == 302


def test_totp_code_completes_the_login(
    enrolled: tuple[TestClient, str, list[str]], admin_staff: Staff
) -> None:
    browser, secret, _ = enrolled
    _password_step(browser, admin_staff)
    assert _code_step(browser, pyotp.TOTP(secret).now()) == 302
    assert browser.get("/admin/", follow_redirects=False).status_code == 200


def test_a_recovery_code_works_once(
    enrolled: tuple[TestClient, str, list[str]], admin_staff: Staff
) -> None:
    browser, _, codes = enrolled
    _password_step(browser, admin_staff)
    assert _code_step(browser, codes[0]) == 302
    browser.cookies.clear()
    _password_step(browser, admin_staff)
    assert _code_step(browser, codes[0]) == 400


def test_second_factor_guesses_are_throttled(
    enrolled: tuple[TestClient, str, list[str]], admin_staff: Staff
) -> None:
    browser, secret, _ = enrolled
    _password_step(browser, admin_staff)
    assert [_code_step(browser, "000000") for _ in range(5)] == [400] * 5
    assert _code_step(browser, pyotp.TOTP(secret).now()) == 429


def test_the_code_step_expires(
    enrolled: tuple[TestClient, str, list[str]], admin_staff: Staff, monkeypatch: pytest.MonkeyPatch
) -> None:
    browser, secret, _ = enrolled
    _password_step(browser, admin_staff)
    later = clock.now() + timedelta(minutes=6)
    monkeypatch.setattr(clock, "now", lambda: later)
    token = factories.csrf_token(browser)
    response = browser.post(
        "/admin/login/mfa",
        data={"code": pyotp.TOTP(secret).at(later), "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 302 and response.headers["location"].endswith("/admin/login")


def test_the_code_page_needs_a_correct_password_first(anonymous: TestClient) -> None:
    response = anonymous.get("/admin/login/mfa", follow_redirects=False)
    assert response.status_code == 302 and response.headers["location"].endswith("/admin/login")


def test_required_mfa_sends_admins_to_enrol_first(app: FastAPI, db: Session) -> None:
    settings = app.state.settings.model_copy(update={"require_mfa": True})
    strict = create_app(settings)
    admin = factories.make_staff(db, role=StaffRole.ADMIN)
    viewer = factories.make_staff(db, role=StaffRole.VIEWER)
    with TestClient(strict, base_url="http://testserver") as browser:
        factories.login(browser, admin.email)
        response = browser.get("/admin/event/list", follow_redirects=False)
        assert response.status_code == 302 and response.headers["location"].endswith(
            "/admin/account/mfa"
        )
        browser.headers["X-CSRF-Token"] = factories.csrf_token(browser, "/admin/account/mfa")
        _enrol(browser)
        assert browser.get("/admin/event/list", follow_redirects=False).status_code == 200
        refused = browser.post(
            "/admin/account/mfa", data={"action": "disable", "password": factories.STAFF_PASSWORD}
        )
        assert refused.status_code == 400
    with TestClient(strict, base_url="http://testserver") as browser:
        factories.login(browser, viewer.email)
        assert browser.get("/admin/event/list", follow_redirects=False).status_code == 200
    strict.state.engine.dispose()
