"""X-Forwarded-For and -Proto are believed only from the proxies named in FORWARDED_ALLOW_IPS."""

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from admin_app.config import Settings
from admin_app.main import create_app
from admin_app.models import LoginAttempt, Staff
from tests import factories

SPOOFED = "203.0.113.9"


@pytest.fixture
def behind_proxy(app: FastAPI, settings: Settings) -> Iterator[TestClient]:
    """The same database served by an app that trusts the test client as its proxy."""
    proxied = create_app(settings.model_copy(update={"forwarded_allow_ips": ["testclient"]}))
    with TestClient(proxied, base_url="http://testserver") as client:
        yield client
    proxied.state.engine.dispose()


def _failed_login_client(browser: TestClient, db: Session, email: str) -> str:
    headers = {"X-Forwarded-For": SPOOFED, "X-Forwarded-Proto": "http"}
    data = {"username": email, "password": "wrong", "csrf_token": factories.csrf_token(browser)}
    assert browser.post("/admin/login", data=data, headers=headers).status_code == 400
    db.expire_all()
    return db.scalars(select(LoginAttempt.client)).one()


def test_a_client_cannot_choose_its_address_by_default(
    anonymous: TestClient, db: Session, admin_staff: Staff
) -> None:
    assert _failed_login_client(anonymous, db, admin_staff.email) == "testclient"


def test_a_configured_proxy_is_believed(
    behind_proxy: TestClient, db: Session, admin_staff: Staff
) -> None:
    assert _failed_login_client(behind_proxy, db, admin_staff.email) == SPOOFED


def test_forwarded_allow_ips_is_read_as_a_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "10.0.0.2, 10.0.1.0/24")
    monkeypatch.setenv("TRUSTED_ORIGINS", "https://admin.example.org")
    settings = Settings(_env_file=None)
    assert settings.forwarded_allow_ips == ["10.0.0.2", "10.0.1.0/24"]
    assert settings.trusted_origins == ["https://admin.example.org"]


def test_no_proxy_is_trusted_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)
    assert Settings(_env_file=None).forwarded_allow_ips == []
