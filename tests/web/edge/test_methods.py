"""HEAD is a GET, never a write; verbs the panel does not use are a 405 and change nothing."""

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from admin_app.models import Staff, StaffRole
from tests import factories
from tests.routes import mounted_routes
from tests.snapshots import Snapshot, diff, snapshot

# Every route that writes, with a body that would make its write happen on a POST.
WRITES: dict[str, tuple[str, dict[str, str]]] = {
    "create event": (
        "/admin/event/create",
        {
            "title": "made by HEAD",
            "date_of": "2026-01-01",
            "social_status": "public",
            "organizer": "{user}",
            "save": "Save",
        },
    ),
    "create user": ("/admin/user/create", {"email": "head@example.org", "save": "Save"}),
    "edit event": ("/admin/event/edit/{event}", {"title": "edited by HEAD", "save": "Save"}),
    "edit user": ("/admin/user/edit/{user}", {"email": "edited@example.org", "save": "Save"}),
    "delete": ("/admin/event/delete?pks={event}", {}),
    "bulk delete": ("/admin/event/bulk/delete", {"pks": "{event}"}),
    "bulk set status": ("/admin/event/bulk/set-status", {"pks": "{event}", "status": "private"}),
    "user bulk delete": ("/admin/user/bulk/delete", {"pks": "{lonely}", "cascade": "yes"}),
    "action": ("/admin/event/action/set-status?pks={event}", {"status": "private"}),
    "staff create": (
        "/admin/staff/create",
        {"email": "new-staff@example.org", "role": "admin", "password": "x" * 20, "save": "Save"},
    ),
    "staff edit": ("/admin/staff/edit/{staff}", {"role": "viewer", "save": "Save"}),
    "import": ("/admin/event/import", {"csv": "title\nimported"}),
    "login": ("/admin/login", {"username": "{email}", "password": "wrong password"}),
    "login second factor": ("/admin/login/mfa", {"code": "000000"}),
    "logout": ("/admin/logout", {}),
    "password": (
        "/admin/account/password",
        {
            "current_password": factories.STAFF_PASSWORD,
            "new_password": "y" * 20,
            "confirm_password": "y" * 20,
        },
    ),
    "two-factor": ("/admin/account/mfa", {"action": "disable", "password": "x"}),
}
OTHER_VERBS = ["PUT", "PATCH", "OPTIONS", "TRACE", "PROPFIND", "FOO"]


@pytest.fixture
def ids(db: Session, admin_staff: Staff) -> dict[str, str]:
    event = factories.make_event(db)
    lonely = factories.make_user(db)
    other = factories.make_staff(db, role=StaffRole.EDITOR)
    return {
        "event": str(event.id),
        "user": str(event.organizer_id),
        "lonely": str(lonely.id),
        "staff": str(other.id),
        "email": admin_staff.email,
    }


def _filled(text: str, ids: dict[str, str]) -> str:
    return text.format(**ids)


def _unchanged(app: FastAPI, before: Snapshot) -> None:
    changes = diff(before, snapshot(app.state.engine))
    assert not changes.rows_touched() and not any(changes.counts.values()), changes.describe()


@pytest.mark.parametrize("write", list(WRITES))
@pytest.mark.parametrize("with_token", [False, True], ids=["no-token", "token"])
def test_head_with_a_form_body_changes_nothing(
    app: FastAPI, client: TestClient, ids: dict[str, str], write: str, with_token: bool
) -> None:
    path, form = WRITES[write]
    if not with_token:
        del client.headers["X-CSRF-Token"]
    data = {key: _filled(value, ids) for key, value in form.items()}
    before = snapshot(app.state.engine)
    response = client.request("HEAD", _filled(path, ids), data=data, follow_redirects=False)
    assert response.status_code < 500 and response.content == b""
    get = client.get(_filled(path, ids), follow_redirects=False)
    assert response.status_code == get.status_code  # what a GET answers, not the write's answer
    _unchanged(app, before)
    client.headers.setdefault("X-CSRF-Token", factories.csrf_token(client, "/admin/"))
    assert client.get("/admin/event/list", follow_redirects=False).status_code == 200


def test_a_bodyless_head_on_login_counts_no_failed_login(
    app: FastAPI, anonymous: TestClient, admin_staff: Staff
) -> None:
    before = snapshot(app.state.engine)
    for _ in range(30):  # beyond every throttle limit
        assert anonymous.head("/admin/login").status_code == 200
    _unchanged(app, before)
    factories.login(anonymous, admin_staff.email)


def test_head_answers_the_get_headers_without_a_body(client: TestClient, db: Session) -> None:
    factories.make_event(db, title="Shown on the list")
    get, head = client.get("/admin/event/list"), client.head("/admin/event/list")
    assert head.status_code == get.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    assert head.headers["content-length"] == get.headers["content-length"]


@pytest.mark.parametrize("verb", OTHER_VERBS)
def test_verbs_the_panel_does_not_use_are_405_everywhere(
    app: FastAPI, client: TestClient, ids: dict[str, str], verb: str
) -> None:
    before = snapshot(app.state.engine)
    for route in mounted_routes(list(app.routes)):
        path = route.concrete(pk=ids["event"])
        response = client.request(verb, path, data={"title": "x"}, follow_redirects=False)
        assert response.status_code == 405, (verb, path, response.status_code)
        assert response.headers["allow"] == "GET, HEAD, POST, DELETE"
    _unchanged(app, before)


def test_delete_and_post_where_a_route_has_no_such_method_are_405(
    app: FastAPI, client: TestClient, ids: dict[str, str]
) -> None:
    before = snapshot(app.state.engine)
    for route in mounted_routes(list(app.routes)):
        for verb in {"POST", "DELETE"} - route.methods:
            path = route.concrete(pk=ids["event"])
            response = client.request(verb, path, follow_redirects=False)
            assert response.status_code == 405, (verb, path, response.status_code)
    _unchanged(app, before)
