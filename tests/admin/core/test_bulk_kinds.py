"""Bulk kinds named once (admin/core/bulk_kinds.py): each list's Actions menu entry leads to its
confirmation page, and roles grant exactly these."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from admin_app.admin.core.bulk_kinds import BULK_KINDS, DELETE, BulkKind
from admin_app.models import StaffRole
from tests import factories
from tests.conftest import RoleClient


@pytest.mark.parametrize("kind", list(BULK_KINDS.values()), ids=lambda kind: kind.slug)
def test_each_kind_s_menu_entry_opens_its_confirmation_page(
    client: TestClient, db: Session, kind: BulkKind
) -> None:
    event = factories.make_event(db)
    menu = client.get(
        f"/admin/event/action/{kind.action}", params={"pks": str(event.id)}, follow_redirects=False
    )
    assert menu.status_code == 302
    assert f"/admin/event/bulk/{kind.slug}?" in menu.headers["location"]
    page = client.get(menu.headers["location"])
    assert page.status_code == 200 and f"/admin/event/bulk/{kind.slug}" in page.text  # its form
    # Nothing ticked: the page asks which rows, naming the kind by its label.
    assert kind.label in client.get(f"/admin/event/bulk/{kind.slug}").text


@pytest.mark.parametrize("kind", list(BULK_KINDS.values()), ids=lambda kind: kind.slug)
def test_editors_may_use_each_kind_and_viewers_none(
    client_as: RoleClient, db: Session, kind: BulkKind
) -> None:
    event = factories.make_event(db)
    params = {"pks": str(event.id)}
    assert (
        client_as(StaffRole.EDITOR).get(f"/admin/event/bulk/{kind.slug}", params=params).status_code
        == 200
    )
    assert (
        client_as(StaffRole.VIEWER).get(f"/admin/event/bulk/{kind.slug}", params=params).status_code
        == 403
    )


def test_users_offer_delete_only(client: TestClient) -> None:
    assert client.get(f"/admin/user/bulk/{DELETE.slug}").status_code == 200
    others = [kind for kind in BULK_KINDS.values() if kind is not DELETE]
    assert [client.get(f"/admin/user/bulk/{kind.slug}").status_code for kind in others] == [
        404
    ] * len(others)
