"""Several app instances, one PostgreSQL: is the state really shared?

Two uvicorn processes on two ports with the same SECRET_KEY and DATABASE_URL (what two machines
behind a load balancer have). Checked: a login on one is valid on the other (the signed cookie and
its CSRF token), a change made on one is seen on the other, logging out or changing the password
on one revokes the session on the other (per-staff session_version in the database), and failed
logins are counted across both (the login_attempts table).
"""

import re
import secrets
import tempfile
from contextlib import nullcontext
from pathlib import Path

import httpx

from admin_app.staff.throttle import MAX_FAILURES_PER_ACCOUNT
from reliability.load_server import STAFF_PASSWORD, AppServer, fresh_database
from reliability.pooler import PgBouncer

COOKIE = "events_admin_session"
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def _csrf(response: httpx.Response) -> str:
    match = CSRF_META.search(response.text)
    assert match, f"no CSRF token on {response.request.url}"
    return match.group(1)


def _login(base_url: str, email: str, password: str) -> tuple[httpx.Client, int]:
    client = httpx.Client(base_url=base_url, follow_redirects=False, timeout=30)
    token = _csrf(client.get("/admin/login"))
    form = {"username": email, "password": password, "csrf_token": token}
    return client, client.post("/admin/login", data=form).status_code


def _with_cookie(base_url: str, cookie: str) -> httpx.Client:
    """A browser on another instance carrying a copy of this session cookie."""
    client = httpx.Client(base_url=base_url, follow_redirects=False, timeout=30)
    client.cookies.set(COOKIE, cookie)
    return client


def _logged_in(client: httpx.Client) -> bool:
    return client.get("/admin/event/list").status_code == 200


def check_instances(*, through_pooler: bool = False) -> bool:
    """The checks above; `through_pooler`: both instances reach PostgreSQL through PgBouncer in
    transaction pooling mode (reliability/pooler.py)."""
    results: list[tuple[str, bool, str]] = []
    log_dir = Path(tempfile.mkdtemp(prefix="events_instances_"))
    secret = secrets.token_urlsafe(48)
    with (
        fresh_database("postgresql", users=50, events=100, staff=3) as database,
        PgBouncer() if through_pooler else nullcontext() as pooler,
    ):
        url = pooler.url_for(database.url) if pooler is not None else database.url
        behind = pooler is not None
        first = AppServer(
            url, workers=1, secret_key=secret, log_path=log_dir / "a.log", behind_pooler=behind
        )
        second = AppServer(
            url, workers=1, secret_key=secret, log_path=log_dir / "b.log", behind_pooler=behind
        )
        with first, second:
            a, b = first.base_url, second.base_url
            via = f" through PgBouncer on {pooler.port}" if pooler is not None else ""
            print(f"instance A {a}, instance B {b}, one database {database.name}{via}")
            email = database.staff[1]

            # 1. A login on A is a login on B.
            on_a, status = _login(a, email, STAFF_PASSWORD)
            token = _csrf(on_a.get("/admin/"))  # the login rotated it: the cookie now holds it
            cookie = on_a.cookies.get(COOKIE) or ""
            on_b = _with_cookie(b, cookie)
            ok = status == 302 and bool(cookie) and _logged_in(on_b)
            results.append(("a session started on A is valid on B", ok, f"login {status}"))

            # (An instance with another SECRET_KEY does not take the cookie: keys must match.)
            stranger = AppServer(url, workers=1, log_path=log_dir / "c.log", behind_pooler=behind)
            with stranger, _with_cookie(stranger.base_url, cookie) as on_c:
                refused = not _logged_in(on_c)
            results.append(("an instance with another SECRET_KEY refuses that cookie", refused, ""))

            # 2. A change on B (with the CSRF token A's page gave) is seen on A.
            form = {
                "title": "made on instance B",
                "date_of": "2026-06-01",
                "social_status": "public",
                "organizer": "1",
                "save": "Save",
                "csrf_token": token,
            }
            saved = on_b.post("/admin/event/create", data=form).status_code
            listed = on_a.get("/admin/event/list", params={"search": "made on instance B"})
            ok = saved == 302 and "made on instance B" in listed.text
            results.append(("a change saved on B is listed on A", ok, f"save {saved}"))

            # 3. Logging out on A ends the same session on B and the staff member's other ones.
            other_on_b, status = _login(b, email, STAFF_PASSWORD)
            before = _logged_in(other_on_b)
            logout = on_a.post("/admin/logout", headers={"X-CSRF-Token": token}).status_code
            copy_refused = not _logged_in(on_b)
            other_refused = not _logged_in(other_on_b)
            ok = before and logout in (302, 303) and copy_refused and other_refused
            results.append(
                (
                    "logout on A revokes the session on B (and the other session on B)",
                    ok,
                    f"logout {logout}; copied cookie refused on B: {copy_refused}; "
                    f"second session on B refused: {other_refused}",
                )
            )

            # 4. A password change on A ends the account's sessions on B; the browser that made
            #    the change stays logged in (on either instance: its cookie was re-signed).
            changer = database.staff[0]
            on_a2, _ = _login(a, changer, STAFF_PASSWORD)
            on_b2, _ = _login(b, changer, STAFF_PASSWORD)
            before = _logged_in(on_b2)
            new_password = "a fresh passphrase " + secrets.token_hex(4)
            change = on_a2.post(
                "/admin/account/password",
                data={
                    "current_password": STAFF_PASSWORD,
                    "new_password": new_password,
                    "confirm_password": new_password,
                },
                headers={"X-CSRF-Token": _csrf(on_a2.get("/admin/account/password"))},
            ).status_code
            revoked_on_b = not _logged_in(on_b2)
            changer_cookie = on_a2.cookies.get(COOKIE) or ""
            with _with_cookie(b, changer_cookie) as changer_on_b:
                changer_kept = _logged_in(on_a2) and _logged_in(changer_on_b)
            ok = before and change == 302 and revoked_on_b and changer_kept
            results.append(
                (
                    "a password change on A revokes the account's session on B",
                    ok,
                    f"change {change}; other session on B refused: {revoked_on_b}; "
                    f"changing browser still in on A and B: {changer_kept}",
                )
            )

            # 5. Failed logins count across instances.
            victim = database.staff[2]
            statuses = []
            for attempt in range(MAX_FAILURES_PER_ACCOUNT + 1):
                client, status = _login(a if attempt % 2 == 0 else b, victim, "wrong password 123")
                client.close()
                statuses.append(status)
            client, right = _login(a, victim, STAFF_PASSWORD)
            client.close()
            expected = [400] * MAX_FAILURES_PER_ACCOUNT + [429]
            ok = statuses == expected and right == 429
            results.append(
                (
                    f"failed logins alternating A/B: {MAX_FAILURES_PER_ACCOUNT} then throttled "
                    "on both",
                    ok,
                    f"answers {statuses}; the right password then: {right}",
                )
            )
            for client in (on_a, on_b, other_on_b, on_a2, on_b2):
                client.close()
            errors = first.unhandled_errors() + second.unhandled_errors()
            results.append(
                ("no unhandled exception on either instance", not errors, str(errors[:3]))
            )

    print("several instances:")
    for name, passed, detail in results:
        print(f"  [{'ok' if passed else 'FAIL'}] {name}: {detail}")
    passed_all = all(passed for _, passed, _ in results)
    print(f"verdict: {'PASS' if passed_all else 'FAIL'}")
    return passed_all
