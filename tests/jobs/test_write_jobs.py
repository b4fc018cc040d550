"""Large writes run as jobs (admin/actions/write_jobs.py): bulk work on a whole filter, undo
and restore of a change set, and purge. Each acts as its owner, is one change set linked from
the job, and is all or nothing: Cancel at the commit, a role lowered meanwhile, or a refusal
change nothing."""

from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from admin_app.admin.actions import batch
from admin_app.jobs import runner, store
from admin_app.models import (
    AuditEntry,
    ChangeSet,
    Event,
    ImagePack,
    Job,
    JobState,
    Notification,
    RowImage,
    SocialStatus,
    Staff,
    StaffRole,
)
from tests import factories
from tests.conftest import RoleClient
from tests.history.conftest import count
from tests.jobs.conftest import WRITE_ROWS


def _events(db: Session, n: int = WRITE_ROWS + 2) -> None:
    organizer = factories.make_user(db, email="org@example.org")
    for i in range(n):
        factories.make_event(
            db, organizer=organizer, title=f"T-{i}", social_status=SocialStatus.PRIVATE
        )


def _jobs(db: Session) -> list[Job]:
    db.expire_all()
    return list(db.scalars(select(Job).order_by(Job.id)))


def _post(client: TestClient, path: str, **data: str) -> str:
    response = client.post(path, data=data, follow_redirects=False)
    assert response.status_code == 303, response.text
    return str(response.headers["location"])


def _delete_all(client: TestClient, **data: str) -> str:
    return _post(client, "/admin/event/bulk/delete", scope="filter", **data)


def test_deleting_a_large_filter_is_a_job_that_acts_as_its_owner(
    client: TestClient, db: Session
) -> None:
    _events(db)
    page = client.get("/admin/event/bulk/delete?scope=filter").text
    assert 'name="idempotency_key"' in page
    assert f"More than {WRITE_ROWS} rows: this runs in the background." in page
    to = _delete_all(client, social_status="private", reason="spring clean")
    [job] = _jobs(db)
    assert to == f"/admin/jobs/{job.id}"
    started = client.get(to).text
    assert f"Started: delete of more than {WRITE_ROWS} events, as job #{job.id}" in started
    assert job.state is JobState.DONE and job.done == job.total == WRITE_ROWS + 2
    assert count(db, Event) == 0
    # One change set, the owner's, with the reason, linked from the job.
    change_set = db.scalars(select(ChangeSet)).one()
    admin = db.scalars(select(Staff)).first()
    assert admin is not None
    assert (change_set.staff_email, change_set.reason) == (admin.email, "spring clean")
    assert change_set.client == f"job #{job.id}"
    assert job.change_set_id == change_set.id
    assert f'href="/admin/change-set/details/{change_set.id}"' in started
    # The job unpacked the delete's images: no page pays for them later.
    assert db.scalars(select(ImagePack)).all() == []
    assert db.scalar(select(func.count(RowImage.id))) == WRITE_ROWS + 2
    note = db.scalars(select(Notification)).one()
    deleted = f"{WRITE_ROWS + 2} events"
    assert note.text == (
        f"Delete of {deleted} is done: Deleted {deleted}. They can be restored from Recently "
        "deleted."
    )
    # The list is true after the job's write.
    assert "T-0" not in client.get("/admin/event/list").text


def test_a_small_filter_and_ticked_rows_are_still_done_at_once(
    client: TestClient, db: Session
) -> None:
    _events(db, WRITE_ROWS)
    assert "runs in the background" not in client.get("/admin/event/bulk/delete?scope=filter").text
    to = _delete_all(client)
    assert "/admin/event/list" in to
    assert count(db, Event) == 0 and _jobs(db) == []


def test_a_double_submit_of_the_form_makes_one_job(
    app: FastAPI, client: TestClient, db: Session
) -> None:
    _events(db)
    app.state.jobs.send = lambda job_id: None  # the worker has not got to it yet
    first = _delete_all(client, idempotency_key="k-1")
    again = _delete_all(client, idempotency_key="k-1")
    assert first == again and len(_jobs(db)) == 1


def test_cancel_at_the_commit_rolls_the_whole_change_back(
    client: TestClient, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    _events(db)
    # Cancel pressed while the delete ran: the job sees it as its transaction commits.
    monkeypatch.setattr(store, "cancel_requested", lambda factory, job_id: True)
    _delete_all(client)
    [job] = _jobs(db)
    assert job.state is JobState.CANCELLED and "rolled back whole" in job.message
    assert count(db, Event) == WRITE_ROWS + 2
    assert db.scalar(select(func.count(ChangeSet.id))) == 0 and job.change_set_id is None
    assert db.scalar(select(func.count(RowImage.id))) == 0
    # Retry runs it again, to the end.
    monkeypatch.undo()
    client.post(f"/admin/jobs/{job.id}", data={"action": "retry"})
    assert _jobs(db)[0].state is JobState.DONE and count(db, Event) == 0


def test_a_refusal_fails_the_job_with_the_pages_words_and_changes_nothing(
    client: TestClient, db: Session
) -> None:
    for i in range(WRITE_ROWS + 1):
        factories.make_event(db, organizer=factories.make_user(db, email=f"u{i}@example.org"))
    _post(client, "/admin/user/bulk/delete", scope="filter")
    [job] = _jobs(db)
    assert job.state is JobState.FAILED
    assert "Nothing was deleted" in job.message and "still belong" in job.message
    assert count(db, Event) == WRITE_ROWS + 1
    # With cascade (an admin's), the users go with their events.
    _post(client, "/admin/user/bulk/delete", scope="filter", cascade="yes")
    assert _jobs(db)[-1].state is JobState.DONE and count(db, Event) == 0


def test_a_role_lowered_before_the_job_runs_refuses_it(
    app: FastAPI, client_as: RoleClient, db: Session
) -> None:
    _events(db)
    editor = client_as(StaffRole.EDITOR)
    owner = db.scalars(select(Staff).where(Staff.role == StaffRole.EDITOR)).one()
    # The editor asks; the worker only gets to it after an admin made them a viewer.
    app.state.jobs.send = lambda job_id: None
    _post(editor, "/admin/event/bulk/delete", scope="filter")
    db.execute(update(Staff).where(Staff.id == owner.id).values(role=StaffRole.VIEWER))
    db.commit()
    [job] = _jobs(db)
    runner.run(app.state.session_factory, app.state.jobs.kinds, job.id)
    assert _jobs(db)[0].state is JobState.FAILED
    assert "your role may no longer do this" in _jobs(db)[0].message
    assert count(db, Event) == WRITE_ROWS + 2


def test_set_status_and_batch_edit_of_a_large_filter_are_jobs(
    client: TestClient, db: Session
) -> None:
    _events(db)
    _post(client, "/admin/event/bulk/set-status", scope="filter", status="public")
    assert _jobs(db)[-1].state is JobState.DONE
    db.expire_all()
    assert set(db.scalars(select(Event.social_status))) == {SocialStatus.PUBLIC}
    _post(
        client,
        "/admin/event/bulk/batch-edit",
        scope="filter",
        new_status="private",
        date_change=batch.KEEP,
    )
    job = _jobs(db)[-1]
    assert job.state is JobState.DONE, job.message
    assert set(db.scalars(select(Event.social_status))) == {SocialStatus.PRIVATE}
    # A wrong form is refused on the page at once, never as a job.
    wrong = client.post("/admin/event/bulk/set-status", data={"scope": "filter", "status": "x"})
    assert wrong.status_code == 400 and len(_jobs(db)) == 2


def test_undo_and_restore_of_a_large_change_set_are_jobs(client: TestClient, db: Session) -> None:
    _events(db)
    _delete_all(client)
    deleted = db.scalars(select(ChangeSet)).one()
    # Restore from Recently deleted, by change set.
    to = _post(client, "/admin/recently-deleted", action="restore", change_set=str(deleted.id))
    job = _jobs(db)[-1]
    assert to == f"/admin/jobs/{job.id}" and job.kind == "restore"
    assert job.state is JobState.DONE, job.message
    assert count(db, Event) == WRITE_ROWS + 2
    assert f"Restore of change set #{deleted.id}" in db.scalars(select(Notification.text)).all()[-1]
    restore_set = job.change_set_id
    assert restore_set is not None
    # Undo of the restore: deleted again, as a job (its page says so first).
    page = client.get(f"/admin/change-set/undo/{restore_set}").text
    assert "the undo runs in the background" in page
    to = _post(client, f"/admin/change-set/undo/{restore_set}")
    job = _jobs(db)[-1]
    assert job.kind == "undo" and job.state is JobState.DONE, job.message
    assert count(db, Event) == 0
    assert "the undo is change set" in job.message


def test_undo_refused_for_another_editors_large_change_set_makes_no_job(
    client: TestClient, client_as: RoleClient, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    _events(db)
    _delete_all(client)
    deleted = db.scalars(select(ChangeSet)).one()
    monkeypatch.setattr("admin_app.history.refusals.LARGE_CHANGE_SET", 1)
    editor = client_as(StaffRole.EDITOR)
    refused = editor.post(f"/admin/change-set/undo/{deleted.id}")
    assert refused.status_code == 409 and "only they or an admin may undo it" in refused.text
    assert len(_jobs(db)) == 1


def test_a_large_purge_is_a_job(client: TestClient, db: Session) -> None:
    _events(db)
    _delete_all(client)
    deleted = db.scalars(select(ChangeSet)).one()
    deleted.at -= timedelta(days=31)
    db.commit()
    to = _post(client, "/admin/recently-deleted", action="purge", older_than="30")
    job = _jobs(db)[-1]
    assert to == f"/admin/jobs/{job.id}" and job.kind == "purge"
    assert job.state is JobState.DONE and f"purged {WRITE_ROWS + 2} deleted rows" in job.message
    assert db.scalar(select(func.count(RowImage.id))) == 0
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "purge")).one()
    assert entry.staff_email == job.owner_email
