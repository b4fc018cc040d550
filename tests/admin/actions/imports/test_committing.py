"""Confirm writes in chunks, each its own transaction with a checkpoint: Cancel keeps the chunks
already written (one change set, undone whole) and Retry goes on after the last one, writing
no row twice."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from admin_app.admin.actions.imports import committing
from admin_app.jobs import store
from admin_app.models import ChangeSet, Event, Import, Job, JobState, RowImage
from tests import factories
from tests.admin.actions.imports.conftest import act, import_id, upload
from tests.history.conftest import count, text_of

ROWS = 7


def _dry_run(client: TestClient, db: Session) -> tuple[int, list[int]]:
    ann = factories.make_user(db, email="ann@example.org")
    kept = [factories.make_event(db, organizer=ann, title=f"Kept {n}") for n in range(3)]
    lines = ["id,title,date_of,social_status,organizer"]
    lines += [
        f"{event.id},Updated {n},2027-01-0{n + 1},private,{ann.id}" for n, event in enumerate(kept)
    ]
    lines += [f",New {n},2027-02-0{n + 1},public,ann@example.org" for n in range(ROWS - 3)]
    _, where = upload(client, "event", ("\n".join(lines) + "\n").encode())
    number = import_id(where)
    act(client, number, "check")
    return number, [event.id for event in kept]


def test_cancel_keeps_whole_chunks_and_retry_resumes_after_the_checkpoint(
    client: TestClient, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    number, kept = _dry_run(client, db)
    monkeypatch.setattr(committing, "CHUNK_ROWS", 2)
    real_progress = store.progress
    calls: list[int] = []

    def cancel_after_the_first_chunk(factory: Any, job_id: int, **values: Any) -> None:
        calls.append(values["done"])
        if values["done"] == 2:  # the first chunk is committed: the owner presses Cancel now
            with factory() as session, session.begin():
                session.execute(update(Job).where(Job.id == job_id).values(cancel_requested=True))
        real_progress(factory, job_id, **values)

    monkeypatch.setattr(store, "progress", cancel_after_the_first_chunk)
    page = text_of(client.get(act(client, number, "commit")).text)
    assert "Cancelled: the chunks committed before Cancel stay imported" in page
    db.expire_all()
    found = db.scalars(select(Import)).one()
    assert found.committed_at is None and found.committed_through > 0
    titles = sorted(db.scalars(select(Event.title)))
    assert titles == ["Kept 2", "Updated 0", "Updated 1"]  # the first chunk: two rows, whole
    change_set_id = found.change_set_id
    assert change_set_id is not None

    monkeypatch.setattr(store, "progress", real_progress)
    job = db.scalars(select(Job).where(Job.kind == "import_commit")).one()
    assert job.state is JobState.CANCELLED
    client.post(f"/admin/jobs/{job.id}", data={"action": "retry"})
    db.expire_all()
    assert db.get(Job, job.id).state is JobState.DONE  # type: ignore[union-attr]
    assert count(db, Event) == ROWS
    assert sorted(db.scalars(select(Event.title)))[:3] == ["New 0", "New 1", "New 2"]
    # One change set for the whole import, each row imaged once.
    assert db.scalar(select(func.count()).where(ChangeSet.kind == "import")) == 1
    images = db.scalar(select(func.count()).where(RowImage.change_set_id == change_set_id))
    assert images == ROWS
    assert db.get(ChangeSet, change_set_id).row_count == ROWS  # type: ignore[union-attr]

    undone = client.post(f"/admin/change-set/undo/{change_set_id}", data={"reason": ""})
    assert undone.status_code == 200
    db.expire_all()
    assert sorted(db.scalars(select(Event.title))) == ["Kept 0", "Kept 1", "Kept 2"]
    assert sorted(db.scalars(select(Event.id))) == kept


def test_an_import_is_committed_once(client: TestClient, db: Session) -> None:
    number, _ = _dry_run(client, db)
    client.get(act(client, number, "commit"))
    again = client.post(f"/admin/imports/{number}", data={"action": "commit"})
    assert "This file was imported already" in text_of(again.text)
    assert count(db, Event) == ROWS
    assert db.scalar(select(func.count()).where(Job.kind == "import_commit")) == 1
