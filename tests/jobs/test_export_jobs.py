"""A large CSV export runs as a job: started by a POST (never a GET), once per submit, with its
progress, its file in the database, a notification, and Cancel, Retry and the reaper."""

import asyncio
import csv
import io
import re
from datetime import date, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from starlette.datastructures import QueryParams

from admin_app.admin.actions import export_job
from admin_app.admin.actions.export import csv_lines, inert_csv
from admin_app.admin.changelist.selection import Selection
from admin_app.jobs import runner, store
from admin_app.models import Job, JobFile, JobState, Notification, SocialStatus, Staff, StaffRole
from tests import factories
from tests.conftest import ClockMover, RoleClient


def _events(db: Session, count: int = 5) -> None:
    organizer = factories.make_user(db, email="org@example.org")
    for n in range(count):
        factories.make_event(
            db, organizer=organizer, title=f"T-{n}", social_status=SocialStatus.PRIVATE
        )


def _start(client: TestClient, query: str = "") -> tuple[TestClient, str]:
    """Follow the list's Export CSV link to its start page, then press Start."""
    asked = client.get(f"/admin/event/export/csv{query}", follow_redirects=False)
    assert asked.status_code == 303, asked.text
    assert "/admin/event/export-job" in asked.headers["location"]
    page = client.get(asked.headers["location"])
    assert page.status_code == 200 and "Start the export" in page.text
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page.text)
    assert key
    started = client.post(
        asked.headers["location"], data={"idempotency_key": key.group(1)}, follow_redirects=False
    )
    assert started.status_code == 303, started.text
    return client, key.group(1)


def _jobs(db: Session) -> list[Job]:
    db.expire_all()
    return list(db.scalars(select(Job).order_by(Job.id)))


def test_a_large_export_is_a_job_whose_file_is_the_list(client: TestClient, db: Session) -> None:
    _events(db)
    _start(client, "?social_status=private")
    [job] = _jobs(db)
    assert job.state is JobState.DONE and job.done == job.total == 5
    page = client.get(f"/admin/jobs/{job.id}").text
    assert "Export of 5 events is ready" in page and 'id="job-download"' in page
    download = client.get(f"/admin/jobs/{job.id}/file")
    assert download.status_code == 200
    assert download.headers["content-disposition"] == 'attachment; filename="events.csv"'
    rows = list(csv.DictReader(io.StringIO(download.text)))
    assert sorted(row["title"] for row in rows) == [f"T-{n}" for n in range(5)]
    assert {row["organizer"] for row in rows} == {"org@example.org"}
    # The owner is told, with a link to the job.
    assert 'id="unread-count">1<' in client.get("/admin/").text
    notes = client.get("/admin/notifications").text
    assert f'href="/admin/jobs/{job.id}"' in notes and "Export of 5 events is ready" in notes
    client.post("/admin/notifications")
    assert 'id="unread-count"' not in client.get("/admin/").text


def test_opening_the_start_page_makes_no_job_and_a_double_submit_makes_one(
    client: TestClient, db: Session
) -> None:
    _events(db)
    client.get("/admin/event/export-job")
    client.head("/admin/event/export-job")
    assert _jobs(db) == []
    _, key = _start(client)
    again = client.post("/admin/event/export-job", data={"idempotency_key": key})
    assert again.status_code == 200
    assert len(_jobs(db)) == 1


def test_a_small_export_still_streams_at_once(client: TestClient, db: Session) -> None:
    _events(db, count=2)
    response = client.get("/admin/event/export/csv")
    assert response.status_code == 200 and response.text.count("\n") == 3
    assert _jobs(db) == []


def test_jobs_are_their_owners_and_admins(
    client: TestClient, client_as: RoleClient, db: Session
) -> None:
    _events(db)
    editor = client_as(StaffRole.EDITOR)
    _start(editor)
    [job] = _jobs(db)
    viewer = client_as(StaffRole.VIEWER)
    for path in (f"/admin/jobs/{job.id}", f"/admin/jobs/{job.id}/file"):
        assert viewer.get(path).status_code == 404
        assert client.get(path).status_code == 200  # the admin
    assert f"#{job.id}" not in viewer.get("/admin/jobs").text
    assert f"#{job.id}" in editor.get("/admin/jobs").text
    assert "Jobs of all staff" in client.get("/admin/jobs").text
    # Cancel and Retry of another's job are refused like the page.
    assert viewer.post(f"/admin/jobs/{job.id}", data={"action": "retry"}).status_code == 404


def test_a_job_whose_owner_lost_the_right_fails_with_the_reason(
    app: FastAPI, client_as: RoleClient, db: Session
) -> None:
    _events(db)
    client_as(StaffRole.EDITOR)
    owner = db.scalars(select(Staff).where(Staff.role == StaffRole.EDITOR)).one()
    job_id, _ = store.ask(
        app.state.session_factory,
        kind="export",
        owner=store.Owner(staff_id=owner.id, email=owner.email),
        params={"identity": "event", "query": "", "format": "csv"},
        total=None,
        idempotency_key=None,
    )
    db.execute(update(Staff).where(Staff.id == owner.id).values(is_active=False))
    db.commit()
    app.state.jobs.send(job_id)
    [job] = _jobs(db)
    assert job.state is JobState.FAILED
    assert "your role may no longer export this list" in job.message
    assert db.scalar(select(func.count(JobFile.id))) == 0


def test_cancel_stops_an_export_between_chunks_and_keeps_nothing(
    app: FastAPI, client: TestClient, db: Session
) -> None:
    _events(db)
    admin = db.scalars(select(Staff)).first()
    assert admin is not None
    factory = app.state.session_factory
    job_id, _ = store.ask(
        factory,
        kind="export",
        owner=store.Owner(staff_id=admin.id, email=admin.email),
        params={"identity": "event", "query": "", "format": "csv"},
        total=None,
        idempotency_key=None,
    )
    # Cancel pressed while the job runs: it stops at its next progress report.
    db.execute(update(Job).where(Job.id == job_id).values(cancel_requested=True))
    db.commit()
    runner.run(factory, app.state.jobs.kinds, job_id)
    [job] = _jobs(db)
    assert job.state is JobState.CANCELLED and "nothing was kept" in job.message
    assert db.scalar(select(func.count(JobFile.id))) == 0
    # Retry runs it again from the start, to the end.
    retried = client.post(f"/admin/jobs/{job_id}", data={"action": "retry"})
    assert retried.status_code == 200 and "Started again" in retried.text
    [job] = _jobs(db)
    assert job.state is JobState.DONE and job.attempts == 2
    assert client.get(f"/admin/jobs/{job_id}/file").text.count("\n") == 6


def test_cancelling_a_queued_job_cancels_it_at_once(
    app: FastAPI, client: TestClient, db: Session
) -> None:
    admin = db.scalars(select(Staff)).first()
    assert admin is not None
    job_id, _ = store.ask(
        app.state.session_factory,
        kind="export",
        owner=store.Owner(staff_id=admin.id, email=admin.email),
        params={},
        total=None,
        idempotency_key=None,
    )
    page = client.post(f"/admin/jobs/{job_id}", data={"action": "cancel"}).text
    assert "Cancelled before it started" in page
    [job] = _jobs(db)
    assert job.state is JobState.CANCELLED
    again = client.post(f"/admin/jobs/{job_id}", data={"action": "cancel"}).text
    assert "already finished" in again


def test_a_running_job_whose_worker_died_is_marked_failed(
    app: FastAPI, db: Session, move_clock: ClockMover
) -> None:
    admin = factories.make_staff(db, email="a@example.org", role=StaffRole.ADMIN)
    factory = app.state.session_factory
    job_id, _ = store.ask(
        factory,
        kind="export",
        owner=store.Owner(staff_id=admin.id, email=admin.email),
        params={},
        total=None,
        idempotency_key=None,
    )
    assert store.claim(factory, job_id) is not None
    assert store.claim(factory, job_id) is None  # a second worker never gets it
    app.state.jobs.sweep()
    assert _jobs(db)[0].state is JobState.RUNNING  # its heartbeat is fresh
    move_clock(store.STALE_AFTER + timedelta(seconds=1))
    app.state.jobs.sweep()
    [job] = _jobs(db)
    assert job.state is JobState.FAILED and "worker stopped" in job.message
    # Its owner is told, as for any failed job.
    note = db.scalars(select(Notification)).one()
    assert note.staff_id == admin.id and note.link == f"/admin/jobs/{job.id}"
    assert note.text.startswith("Export of rows failed: The worker stopped")


def test_the_jobs_file_is_the_csv_the_list_streams_cell_for_cell(
    app: FastAPI, client: TestClient, db: Session
) -> None:
    """On PostgreSQL the job's CSV is written by COPY from SQL that does what inert_cell does;
    on SQLite by the same Python as the streamed export. Either way, the same text."""
    organizer = factories.make_user(db, email="o,rg@example.org")
    titles = ["=SUM(A1)", "a,b", 'say "hi"', "line\nbreak", "cr\rx", " spaced ", "\uff0dwide"]
    titles += ["-5", "@x", "|x", "café", "plain"]
    for n, title in enumerate(titles):
        day = date(2026, 1, 1) + timedelta(days=n)  # one order however ties would fall
        event = factories.make_event(db, organizer=organizer, title=title, date_of=day)
        if n % 2:
            event.created_at = event.created_at.replace(microsecond=0)
    db.commit()
    _start(client)
    [job] = _jobs(db)
    assert job.state is JobState.DONE, job.message
    downloaded = client.get(f"/admin/jobs/{job.id}/file").content.decode()
    view = next(v for v in app.state.panel.views if getattr(v, "identity", "") == "event")
    selection = Selection.whole_filter_of(QueryParams(""))
    stmt = view.export_statement(asyncio.run(export_job.list_statement(view, selection)))
    result = db.execute(stmt)
    expected = csv_lines([list(result.keys())]) + inert_csv(result.fetchall())
    assert downloaded == expected, (downloaded[:400], expected[:400])
    rows = list(csv.DictReader(io.StringIO(downloaded)))
    assert {row["title"] for row in rows} >= {"'=SUM(A1)", "a,b", "line\nbreak", "'-5", "café"}


def test_cancel_in_the_middle_of_the_file_keeps_nothing_and_the_connection_goes_on(
    app: FastAPI, client: TestClient, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cancel seen at the first piece of the file: on PostgreSQL in the middle of the COPY,
    which is cancelled on the server; the next job on the same connections runs whole."""
    _events(db, 30)
    monkeypatch.setattr(export_job, "COPY_WRITE_BYTES", 64)
    monkeypatch.setattr(export_job, "PROGRESS_SECONDS", 0.0)
    monkeypatch.setattr(export_job, "PROGRESS_EVERY", 1)
    monkeypatch.setattr(export_job, "BATCH_SIZE", 5)
    admin = db.scalars(select(Staff)).first()
    assert admin is not None
    factory = app.state.session_factory
    owner = store.Owner(staff_id=admin.id, email=admin.email)
    params = {"identity": "event", "query": "", "format": "csv"}
    job_id, _ = store.ask(
        factory, kind="export", owner=owner, params=params, total=None, idempotency_key=None
    )
    db.execute(update(Job).where(Job.id == job_id).values(cancel_requested=True))
    db.commit()
    runner.run(factory, app.state.jobs.kinds, job_id)
    [job] = _jobs(db)
    assert job.state is JobState.CANCELLED and 0 < job.done < 30
    assert db.scalar(select(func.count(JobFile.id))) == 0
    retried = client.post(f"/admin/jobs/{job_id}", data={"action": "retry"})
    assert retried.status_code == 200
    [job] = _jobs(db)
    assert job.state is JobState.DONE and job.done == 30
    assert client.get(f"/admin/jobs/{job_id}/file").text.count("\n") == 31


def test_an_estimated_total_is_said_as_one_and_never_names_the_export(
    app: FastAPI, client: TestClient, db: Session
) -> None:
    """On PostgreSQL a running export's total is the planner's estimate: "of about", and the
    export is not named by it (a failure says "Export of events failed", not a guess)."""
    admin = db.scalars(select(Staff)).first()
    assert admin is not None
    factory = app.state.session_factory
    job_id, _ = store.ask(
        factory,
        kind="export",
        owner=store.Owner(staff_id=admin.id, email=admin.email),
        params={"identity": "event", "query": "", "format": "csv"},
        total=None,
        idempotency_key=None,
    )
    store.claim(factory, job_id)
    store.set_total(factory, job_id, 17, estimate=True)
    store.progress(factory, job_id, done=5)
    page = client.get(f"/admin/jobs/{job_id}").text
    assert "5 of about 17 rows" in page
    assert f"Job #{job_id}: Export of events<" in page.replace("\n", "")
    store.progress(factory, job_id, done=40)
    assert "40 rows so far" in client.get(f"/admin/jobs/{job_id}").text
    store.progress(factory, job_id, done=40, total=40)  # the end: the rows written
    assert "Export of 40 events" in client.get(f"/admin/jobs/{job_id}").text
