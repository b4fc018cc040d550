"""An import's staged rows (admin/actions/imports/staged.py): counted by action as the page shows
them, and gone with the import when it is discarded."""

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from admin_app.admin.actions.imports import staged
from admin_app.models import Import, ImportProblem, ImportRow
from tests import factories
from tests.admin.actions.imports.conftest import checked, counts, events_csv


def test_the_counts_the_page_shows_are_the_staged_rows_by_action(
    client: TestClient, db: Session
) -> None:
    factories.make_user(db, email="ann@example.org")
    event = factories.make_event(db, title="Old")
    content = events_csv(
        f"{event.id},New title,2027-01-01,public,ann@example.org",
        ",Fresh,2027-01-02,private,ann@example.org",
        ",Broken,2027-02-30,private,ann@example.org",
    )
    number = checked(client, content)
    shown = counts(client.get(f"/admin/imports/{number}").text)
    db.expire_all()
    found = staged.counted(db, number)
    assert (found["update"], found["create"], found["error"]) == (1, 1, 1)
    assert found["rows"] == 3
    assert {name: found[name] for name in shown} == shown


def test_discarding_an_import_leaves_nothing_of_it(client: TestClient, db: Session) -> None:
    factories.make_user(db, email="ann@example.org")
    number = checked(client, events_csv(",Broken,2027-02-30,private,ann@example.org"))
    with db.begin():
        staged.discard(db, number)
    for model in (ImportRow, ImportProblem):
        left = db.scalar(select(func.count()).select_from(model).where(model.import_id == number))
        assert left == 0
    assert db.get(Import, number) is None
