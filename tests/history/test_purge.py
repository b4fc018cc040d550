"""Purging deleted rows' images (history/purge.py): admins only, old images only, audited."""

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from admin_app.models import ChangeSet, StaffRole
from tests import factories
from tests.conftest import RoleClient
from tests.history.conftest import bulk, deleted_images, latest_change_set, text_of


def test_purge_is_for_admins_removes_old_images_and_is_audited(
    client: TestClient, client_as: RoleClient, db: Session
) -> None:
    factories.make_event(db)
    bulk(client, "event", "delete", scope="filter")
    editor = client_as(StaffRole.EDITOR)
    refused = editor.post("/admin/recently-deleted", data={"action": "purge", "older_than": "0"})
    assert refused.status_code == 403 and len(deleted_images(db)) == 1
    kept = client.post("/admin/recently-deleted", data={"action": "purge", "older_than": "30"})
    assert kept.status_code == 200 and len(deleted_images(db)) == 1  # younger than 30 days
    deleted = db.get(ChangeSet, deleted_images(db)[0].change_set_id)
    assert deleted is not None
    deleted.at -= timedelta(days=31)
    db.commit()
    purged = client.post(
        "/admin/recently-deleted",
        data={"action": "purge", "older_than": "30"},
        follow_redirects=True,
    )
    assert "Purged 1 deleted rows" in text_of(purged.text)
    assert deleted_images(db) == []
    assert latest_change_set(db).kind == "purge"
