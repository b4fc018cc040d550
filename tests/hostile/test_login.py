"""Hostile login: generated emails, passwords, tokens, next paths, under every throttle state."""

from datetime import datetime
from typing import Final
from urllib.parse import urlencode, urlsplit

from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine, Table, delete, insert

from admin_app.db import Base
from admin_app.emails import normalize_email
from admin_app.models import EMAIL_MAX_LENGTH
from admin_app.staff.throttle import MAX_FAILURES_PER_ACCOUNT, MAX_FAILURES_PER_CLIENT
from tests import factories
from tests.hostile.support import (
    HOSTILE_TEXT,
    HOSTILE_VALUE,
    Huge,
    World,
    assert_safe_location,
    assert_unchanged,
    body_too_large,
    check_answer,
    examples,
    field_too_large,
)
from tests.snapshots import NO_COUNTS, diff

# --- Login --------------------------------------------------------------------------------------

ADMIN_EMAIL: Final = "admin@example.org"
LOGIN_NAMES: Final = st.one_of(
    st.sampled_from(
        [ADMIN_EMAIL, " ADMIN@example.org ", "Admin@Example.Org", "admin@example.org\x00"]
    ),
    st.emails(),
    HOSTILE_VALUE,
)
LOGIN_PASSWORDS: Final = st.one_of(
    st.just(factories.STAFF_PASSWORD),
    st.just(factories.STAFF_PASSWORD + " "),
    HOSTILE_VALUE,
)
NEXT_PATHS: Final = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "/admin/event/list",
            "//evil.example/",
            "https://evil.example/admin/",
            "/\\evil.example",
            "/admin/\r\nSet-Cookie: x=1",
            "/admin/login",
            "javascript:alert(1)",
            "/admin/../../etc",
        ]
    ),
    HOSTILE_TEXT,
)
TOKENS: Final = st.one_of(st.sampled_from(["form", "header", "missing", "stale"]), HOSTILE_TEXT)


def _seed_failures(engine: Engine, *, account: str, client: int, for_account: int) -> None:
    attempts: Table = Base.metadata.tables["login_attempts"]
    now = datetime.now().astimezone()
    with engine.begin() as conn:
        conn.execute(delete(attempts))
        rows = [{"account": f"other{i}@example.org", "client": "testclient"} for i in range(client)]
        rows += [{"account": account, "client": "elsewhere"} for _ in range(for_account)]
        if rows:
            conn.execute(insert(attempts), [{**row, "attempted_at": now} for row in rows])


@examples(150)
@given(
    username=LOGIN_NAMES,
    password=LOGIN_PASSWORDS,
    token=TOKENS,
    next_path=NEXT_PATHS,
    client_failures=st.sampled_from([0, 0, 0, 5, MAX_FAILURES_PER_CLIENT]),
    account_failures=st.sampled_from([0, 0, 0, 2, MAX_FAILURES_PER_ACCOUNT]),
)
def test_login_with_hostile_fields(
    world: World,
    browsers: tuple[TestClient, str],
    username: str | Huge,
    password: str | Huge,
    token: str,
    next_path: str | None,
    client_failures: int,
    account_failures: int,
) -> None:
    browser, other_token = browsers
    real_token = factories.csrf_token(browser)  # again: a successful login rotates it
    _seed_failures(
        world.engine, account=ADMIN_EMAIL, client=client_failures, for_account=account_failures
    )
    username = username.text if isinstance(username, Huge) else username
    password = password.text if isinstance(password, Huge) else password
    form = {"username": username, "password": password}
    headers = {}
    if token == "form":
        form["csrf_token"] = real_token
    elif token == "header":
        headers["X-CSRF-Token"] = real_token
    elif token == "stale":
        form["csrf_token"] = other_token
    elif token != "missing":
        form["csrf_token"] = token
    if next_path is not None:
        form["next"] = next_path
    before = world.snapshot()
    response = browser.post(
        "/admin/login",
        content=urlencode(form).encode(),
        follow_redirects=False,
        headers={"content-type": "application/x-www-form-urlencoded", **headers},
    )
    changes = diff(before, world.snapshot())
    check_answer(response, (302, 400, 403, 413, 429))
    assert not changes.rows_touched(), changes.describe()
    if body_too_large(response):
        check_answer(response, (413,))
        assert_unchanged(changes, response, "body too large")
        return
    if field_too_large(form, "urlencoded"):
        check_answer(response, (400, 403))
        assert_unchanged(changes, response, "a field over 1 MiB")
        return
    if token not in ("form", "header"):
        check_answer(response, (403,))
        assert_unchanged(changes, response, "CSRF refused")
        return
    account = normalize_email(username)[:EMAIL_MAX_LENGTH]
    right = account == ADMIN_EMAIL and password == factories.STAFF_PASSWORD
    throttled = client_failures >= MAX_FAILURES_PER_CLIENT or (
        account == ADMIN_EMAIL and account_failures >= MAX_FAILURES_PER_ACCOUNT
    )
    nul = "\x00" in account and world.dialect == "postgresql"
    if nul:
        # PostgreSQL cannot even look such an account up: refused as an invalid value.
        check_answer(response, (400, 429))
        assert not any(changes.counts.values()), changes.describe()
    elif throttled:
        check_answer(response, (429,))
        assert response.headers.get("retry-after", "").isdigit()
        assert not any(changes.counts.values()), changes.describe()
    elif right:
        check_answer(response, (302,))
        assert_safe_location(response)
        location = response.headers["location"]
        assert "login" not in urlsplit(location).path
        assert changes.counts["login_attempts"] == -account_failures
    else:
        check_answer(response, (400,))
        assert "Invalid credentials" in response.text
        assert changes.counts == {**NO_COUNTS, "login_attempts": 1}
