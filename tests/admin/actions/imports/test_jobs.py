"""The import's jobs check again what the page checked: the owner's role when the job runs, and
that Confirm writes what the dry run checked, as it was checked."""

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from admin_app.admin.actions.imports.jobs import COMMIT
from admin_app.jobs import runner, store
from admin_app.models import Event, Import, Job, JobState, Staff, StaffRole
from tests import factories
from tests.admin.actions.imports.conftest import act, import_id, upload
from tests.conftest import RoleClient
from tests.history.conftest import count


def test_a_role_lowered_after_the_dry_run_refuses_the_page_and_the_job(
    app: FastAPI, client_as: RoleClient, db: Session
) -> None:
    editor = client_as(StaffRole.EDITOR)
    factories.make_user(db, email="ann@example.org")
    _, where = upload(editor, "event", b"title,date_of,organizer\nT,2027-01-01,ann@example.org\n")
    number = import_id(where)
    act(editor, number, "check")
    owner = db.scalars(
        select(Staff).where(Staff.id == select(Import.owner_id).scalar_subquery())
    ).one()
    # The commit was asked (a job waiting for a worker), then the owner became a viewer.
    job_id, _ = store.ask(
        app.state.session_factory,
        kind=COMMIT,
        owner=store.Owner(staff_id=owner.id, email=owner.email),
        params={"import": number, "file": "file.csv"},
        total=None,
        idempotency_key=None,
    )
    db.execute(update(Staff).where(Staff.id == owner.id).values(role=StaffRole.VIEWER))
    db.commit()
    assert editor.get(where).status_code == 403
    runner.run(app.state.session_factory, app.state.jobs.kinds, job_id)
    db.expire_all()
    refused = db.get(Job, job_id)
    assert refused is not None and refused.state is JobState.FAILED
    assert "your role may no longer import" in refused.message
    assert count(db, Event) == 0


def test_confirm_refuses_a_mapping_changed_behind_the_page(client: TestClient, db: Session) -> None:
    factories.make_user(db, email="ann@example.org")
    _, where = upload(client, "event", b"title,date_of,organizer\nT,2027-01-01,ann@example.org\n")
    number = import_id(where)
    act(client, number, "check")
    # Another tab changes the mapping without a dry run (the page would refuse Confirm).
    db.execute(update(Import).where(Import.id == number).values(mode="create_only"))
    db.commit()
    page = client.post(f"/admin/imports/{number}", data={"action": "commit"})
    assert "Run the dry run first" in page.text
    assert count(db, Event) == 0
