"""The runner: a job's heartbeat goes on while its kind works (a write job's one transaction
reports no progress), so the sweep never takes a live worker's job for a dead one."""

import threading
from datetime import datetime, timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from admin_app.jobs import notifications, runner, store
from admin_app.jobs.runner import JobRun, Kind
from admin_app.models import Job, JobState, Notification, StaffRole
from tests import factories
from tests.conftest import ClockMover


def test_the_heartbeat_is_written_while_a_kind_works_in_silence(
    app: FastAPI, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = factories.make_staff(db, email="a@example.org", role=StaffRole.ADMIN)
    factory = app.state.session_factory
    beaten = threading.Event()
    real_beat = store.beat

    def beat(factory_: object, job_id: int) -> None:
        real_beat(factory, job_id)
        beaten.set()

    monkeypatch.setattr(runner, "HEARTBEAT_SECONDS", 0.01)
    monkeypatch.setattr(store, "beat", beat)
    seen: list[datetime | None] = []

    def silent(job_run: JobRun) -> str:
        # No progress reported: only the runner's heartbeat shows the worker is alive.
        assert beaten.wait(10), "no heartbeat while the kind worked"
        with factory() as session:
            seen.append(session.scalar(select(Job.heartbeat_at).where(Job.id == job_run.job.id)))
        return "nothing to say"

    kinds = {
        "silent": Kind(
            title=lambda job: "Silent work", run=silent, on_cancel="-", link=runner.job_link
        )
    }
    job_id, _ = store.ask(
        factory,
        kind="silent",
        owner=store.Owner(staff_id=admin.id, email=admin.email),
        params={},
        total=None,
        idempotency_key=None,
    )
    runner.run(factory, kinds, job_id)
    db.expire_all()
    job = db.get(Job, job_id)
    assert job is not None and job.state is JobState.DONE
    assert job.message == "Silent work is ready: nothing to say"
    claimed_at = job.started_at
    assert seen and seen[0] is not None and claimed_at is not None and seen[0] > claimed_at


def test_the_sweep_sends_again_a_job_whose_message_was_lost(
    app: FastAPI, db: Session, move_clock: ClockMover
) -> None:
    """A worker that died between taking the message and claiming the job lost the message:
    the job would wait for ever. The sweep sends it again once it waited `stale_after`."""
    admin = factories.make_staff(db, email="a@example.org", role=StaffRole.ADMIN)
    factories.make_event(db)
    jobs = app.state.jobs
    job_id, _ = store.ask(
        app.state.session_factory,
        kind="export",
        owner=store.Owner(staff_id=admin.id, email=admin.email),
        params={"identity": "event", "query": "", "format": "csv"},
        total=None,
        idempotency_key=None,
    )  # asked, never sent: as if its message were lost
    jobs.sweep()
    db.expire_all()
    waiting = db.get(Job, job_id)
    assert waiting is not None and waiting.state is JobState.QUEUED  # it may just be waiting
    move_clock(jobs.stale_after + timedelta(seconds=1))
    jobs.sweep()
    db.expire_all()
    job = db.get(Job, job_id)
    assert job is not None and job.state is JobState.DONE and job.attempts == 1


def test_the_sweep_deletes_notifications_read_a_month_ago_and_keeps_unread_ones(
    app: FastAPI, db: Session, move_clock: ClockMover
) -> None:
    admin = factories.make_staff(db, email="a@example.org", role=StaffRole.ADMIN)
    for text in ("read long ago", "still unread"):
        notifications.notify(db, staff_id=admin.id, text=text, link="", job_id=None)
    db.commit()
    notifications.mark_read(db, admin.id)  # both read now...
    db.execute(update(Notification).where(Notification.text == "still unread").values(read_at=None))
    db.commit()
    app.state.jobs.sweep()
    assert db.scalar(select(func.count(Notification.id))) == 2  # read today: kept
    move_clock(notifications.READ_KEPT + timedelta(days=1))
    app.state.jobs.sweep()
    db.expire_all()
    assert list(db.scalars(select(Notification.text))) == ["still unread"]


def test_a_job_is_named_by_its_kind_in_one_place(app: FastAPI) -> None:
    kinds = app.state.jobs.kinds
    dry_run = Job(id=7, kind="import_check", params={"import": 3, "file": "partners.csv"})
    assert runner.title_of(kinds, dry_run) == "Dry run of partners.csv"
    assert runner.title_of(kinds, Job(id=8, kind="no_such_kind", params={})) == "No such kind"
