"""Login throttling: 5 failures per account or 20 per address in 15 minutes, in the database."""

from datetime import timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from admin_app.models import Staff
from tests import factories
from tests.conftest import ClockMover


def _fail(client: TestClient, email: str) -> int:
    return factories.post_login(client, email, "definitely the wrong password").status_code


def test_five_failures_lock_the_account_with_a_retry_time(
    anonymous: TestClient, admin_staff: Staff
) -> None:
    assert [_fail(anonymous, admin_staff.email) for _ in range(5)] == [400] * 5
    locked = factories.post_login(anonymous, admin_staff.email)  # even the right password
    assert locked.status_code == 429
    assert 850 <= int(locked.headers["retry-after"]) <= 900
    assert "Try again in 15 minute(s)" in locked.text
    assert anonymous.get("/admin/", follow_redirects=False).status_code == 302


def test_unknown_accounts_are_throttled_the_same_way(
    anonymous: TestClient, admin_staff: Staff
) -> None:
    known = [_fail(anonymous, admin_staff.email) for _ in range(6)]
    unknown = [_fail(anonymous, "ghost@example.org") for _ in range(6)]
    assert known == unknown == [400] * 5 + [429]


def test_the_lock_lifts_after_the_window(
    anonymous: TestClient, admin_staff: Staff, move_clock: ClockMover
) -> None:
    for _ in range(5):
        _fail(anonymous, admin_staff.email)
    move_clock(timedelta(minutes=15, seconds=1))
    assert factories.post_login(anonymous, admin_staff.email).status_code == 302


def test_a_successful_login_resets_the_account_counter(
    anonymous: TestClient, admin_staff: Staff
) -> None:
    for _ in range(4):
        _fail(anonymous, admin_staff.email)
    factories.login(anonymous, admin_staff.email)
    assert [_fail(anonymous, admin_staff.email) for _ in range(5)] == [400] * 5


def test_twenty_failures_from_one_address_lock_every_account(
    anonymous: TestClient, db: Session, admin_staff: Staff
) -> None:
    for n in range(20):
        assert _fail(anonymous, f"guess{n}@example.org") == 400
    assert factories.post_login(anonymous, admin_staff.email).status_code == 429


def test_the_count_is_shared_by_every_app_process(
    app: FastAPI, anonymous: TestClient, admin_staff: Staff
) -> None:
    from admin_app.main import create_app

    second_process = create_app(app.state.settings)
    with TestClient(second_process, base_url="http://testserver") as other:
        for _ in range(3):
            _fail(anonymous, admin_staff.email)
        for _ in range(2):
            _fail(other, admin_staff.email)
        assert factories.post_login(other, admin_staff.email).status_code == 429
    second_process.state.engine.dispose()
