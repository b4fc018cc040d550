"""Password hashing and password rules: pure functions, no database."""

import gzip
from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# OWASP's minimum for argon2id: 19 MiB of memory, 2 iterations, 1 lane.
_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)

MIN_PASSWORD_LENGTH = 12
# Long passphrases are welcome; this bound only stops multi-megabyte hashing work.
MAX_PASSWORD_LENGTH = 1024

# Verified against when the account is unknown, so both paths cost one argon2 run.
_DUMMY_HASH = _HASHER.hash("a password nobody has, used to equalise timing")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when `password` matches; an unknown account (None) costs the same time."""
    try:
        matches = _HASHER.verify(password_hash or _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return False
    return matches and password_hash is not None


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with other parameters than today's (upgrade it on login)."""
    return _HASHER.check_needs_rehash(password_hash)


@cache
def common_passwords() -> frozenset[str]:
    data = resources.files("admin_app").joinpath("data/common-passwords.txt.gz").read_bytes()
    return frozenset(gzip.decompress(data).decode().split())


def password_problem(password: str) -> str | None:
    """Why a new password is unacceptable, or None when it is fine (NIST 800-63B rules)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters."
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Use at most {MAX_PASSWORD_LENGTH} characters."
    if password.strip().lower() in common_passwords():
        return "This password is too common; choose another."
    return None
