"""The one guard of the panel's per-list routes (admin/site/guard.py): the list named, that it
offers the route, an id for a key, then the staff member's right; 404 before 403."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from admin_app.models import StaffRole
from tests import factories
from tests.conftest import RoleClient


@pytest.mark.parametrize(
    ("method", "path"),
    [
        pytest.param("POST", "/admin/no-such-list/cell/1", id="cell-unknown-list"),
        pytest.param("POST", "/admin/change-set/cell/1", id="cell-list-without-cells"),
        pytest.param("POST", "/admin/event/cell/1x", id="cell-key-not-an-id"),
        pytest.param("GET", "/admin/user/bulk/set-status", id="bulk-kind-the-list-lacks"),
        pytest.param("GET", "/admin/event/bulk/drop-table", id="bulk-kind-unknown"),
        pytest.param("GET", "/admin/change-set/history/1", id="history-list-without-it"),
        pytest.param("GET", "/admin/event/history/-1", id="history-key-not-an-id"),
        pytest.param("GET", "/admin/audit-entry/export-job", id="export-job-not-a-panel-list"),
    ],
)
def test_what_the_route_cannot_be_is_a_404_even_for_a_viewer(
    client_as: RoleClient, method: str, path: str
) -> None:
    # A viewer may do none of these: the 404 still comes first, naming nothing about rights.
    assert client_as(StaffRole.VIEWER).request(method, path).status_code == 404


def test_a_route_the_role_may_not_use_is_a_403(client_as: RoleClient, db: Session) -> None:
    event = factories.make_event(db)
    viewer = client_as(StaffRole.VIEWER)
    cell = {"field": "title", "value": "x", "version": str(event.version)}
    assert viewer.post(f"/admin/event/cell/{event.id}", data=cell).status_code == 403
    assert viewer.get("/admin/event/bulk/set-status").status_code == 403


def test_a_route_the_role_may_use_answers(client: TestClient, db: Session) -> None:
    event = factories.make_event(db)
    assert client.get(f"/admin/event/history/{event.id}").status_code == 200
    assert client.get("/admin/event/bulk/set-status").status_code == 200
