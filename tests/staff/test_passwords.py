"""Password hashing and password rules."""

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from admin_app.models import Staff
from admin_app.staff import passwords
from tests import factories


@pytest.mark.real_password_hashing
def test_hashes_are_argon2id_with_at_least_owasp_parameters() -> None:
    encoded = passwords.hash_password("a long enough password")
    assert encoded.startswith("$argon2id$")
    params = dict(part.split("=") for part in encoded.split("$")[3].split(","))
    assert int(params["m"]) >= 19 * 1024 and int(params["t"]) >= 2 and int(params["p"]) >= 1


def test_long_passwords_are_not_truncated() -> None:
    long = "p" * 200
    encoded = passwords.hash_password(long)
    assert passwords.verify_password(encoded, long)
    assert not passwords.verify_password(encoded, long[:-1] + "q")
    assert passwords.password_problem("correct horse battery staple " * 2) is None


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        pytest.param("elevenchars", "at least 12", id="too-short"),
        pytest.param("1234567890123", "too common", id="common-digits"),
        pytest.param("Password1234", "too common", id="common-mixed-case"),
        pytest.param("x" * 1025, "at most 1024", id="too-long"),
    ],
)
def test_weak_passwords_are_refused(password: str, problem: str) -> None:
    assert problem in (passwords.password_problem(password) or "")


def test_no_composition_rules() -> None:
    assert passwords.password_problem("all lower case words here") is None


def test_the_common_password_list_is_shipped() -> None:
    assert len(passwords.common_passwords()) >= 3000


@pytest.mark.real_password_hashing
def test_old_hashes_are_upgraded_on_login(
    anonymous: TestClient, db: Session, admin_staff: Staff
) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
    admin_staff.password_hash = weak.hash(factories.STAFF_PASSWORD)
    db.commit()
    factories.login(anonymous, admin_staff.email)
    db.refresh(admin_staff)
    assert not passwords.needs_rehash(admin_staff.password_hash)
    assert passwords.verify_password(admin_staff.password_hash, factories.STAFF_PASSWORD)
