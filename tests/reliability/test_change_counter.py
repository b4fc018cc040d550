"""The scan's change counter: a write to any watched table is seen, a read is not."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, insert, text, update
from sqlalchemy.orm import Session

from admin_app.config import Settings
from admin_app.migrate import upgrade_to_head
from admin_app.models import LoginAttempt, SavedView, Staff, StaffRole, User
from admin_app.staff.accounts import create_staff
from reliability.change_counter import ChangeCounter
from tests.databases import BACKENDS, throwaway_database
from tests.snapshots import diff


@pytest.fixture(params=BACKENDS)
def scan_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    # A database of its own: the counter's triggers stay on it.
    with throwaway_database(request.param, tmp_path) as url:
        upgrade_to_head(Settings(_env_file=None, database_url=url))
        engine = create_engine(url)
        yield engine
        engine.dispose()


def test_the_counter_sees_every_kind_of_write_and_no_read(scan_engine: Engine) -> None:
    with Session(scan_engine) as session:
        staff = create_staff(
            session, email="s@example.org", password="x" * 12, role=StaffRole.ADMIN
        )
        staff_id = staff.id
    counter = ChangeCounter(scan_engine)
    with scan_engine.connect() as conn:
        conn.execute(text("SELECT count(*) FROM users")).all()
    before, after = counter.around()
    assert before is after
    writes = [
        insert(User).values(email="a@example.org", version=1),
        update(Staff).where(Staff.id == staff_id).values(role="viewer"),
        insert(SavedView).values(
            owner_id=staff_id, identity="event", name="v", query="", shared=False
        ),
        insert(LoginAttempt).values(account="x@example.org", client="c"),
    ]
    for statement in writes:
        with scan_engine.begin() as conn:
            conn.execute(statement)
        before, after = counter.around()
        assert before is not after
        changes = diff(before, after)
        assert changes.rows_touched() or any(changes.counts.values()), statement
