"""The list's CSV written by PostgreSQL itself (COPY), streamed in a request as in a job: the
same text as the Python export cell for cell, one statement, and a download stopped half way
cancels the COPY and leaves the connection usable. On SQLite the same tests hold the Python
path to the same text and shape."""

import asyncio
import csv
import io
from datetime import date, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from admin_app.admin.actions import export
from admin_app.admin.actions.copy_out import RecordEnds
from admin_app.admin.actions.export import csv_lines, inert_csv
from admin_app.models import AuditEntry, Event, User
from tests import factories
from tests.admin.test_shape import counting_statements

TRICKY_TITLES = ["=SUM(A1)", "a,b", 'say "hi"', "line\nbreak", "cr\rx", " spaced ", "\uff0dwide"]
TRICKY_TITLES += ["-5", "@x", "|x", "café", "plain", ""]


def _tricky_events(db: Session) -> None:
    organizer = factories.make_user(db, email="o,rg@example.org")
    for n, title in enumerate(TRICKY_TITLES):
        day = date(2026, 1, 1) + timedelta(days=n)
        event = factories.make_event(db, organizer=organizer, title=title, date_of=day)
        if n % 2:
            event.created_at = event.created_at.replace(microsecond=0)
    db.commit()


def _expected_csv(db: Session) -> str:
    """What the Python export writes for every event, in the list's default order."""
    stmt = (
        select(
            Event.id,
            Event.title,
            Event.date_of,
            Event.social_status,
            User.email.label("organizer"),
            Event.created_at,
            Event.updated_at,
        )
        .join(Event.organizer)
        .order_by(Event.id.desc())
    )
    result = db.execute(stmt)
    return csv_lines([list(result.keys())]) + inert_csv(result.fetchall())


def test_the_streamed_csv_is_the_python_exports_text_cell_for_cell(
    client: TestClient, db: Session
) -> None:
    _tricky_events(db)
    response = client.get("/admin/event/export/csv", params={"sortBy": "id", "sort": "desc"})
    assert response.status_code == 200
    assert response.text == _expected_csv(db)
    titles = {row["title"] for row in csv.DictReader(io.StringIO(response.text))}
    assert titles >= {"'=SUM(A1)", "a,b", "line\nbreak", "'-5", "café", "'|x"}


def test_the_streamed_csv_is_one_statement_over_the_events(
    app: FastAPI, client: TestClient, db: Session
) -> None:
    """The rows: on PostgreSQL one COPY sent through the driver (SQLAlchemy sends only its two
    settings), on SQLite one SELECT of the events joined to their organizers; beside them one
    bounded count (whether the export is small enough for a request) and the audit entry.
    None of it grows with the rows."""
    _tricky_events(db)
    with counting_statements(app) as statements:
        response = client.get("/admin/event/export/csv", params={"social_status": "public"})
    assert response.status_code == 200
    rows = [s for s in statements if "FROM events JOIN users" in s]
    [bounded_count] = [s for s in statements if "count(" in s and "FROM events" in s]
    assert "LIMIT" in bounded_count
    if db.get_bind().dialect.name == "postgresql":
        assert rows == [] and len([s for s in statements if s.startswith("SET LOCAL")]) == 2
    else:
        [read] = rows
        assert "social_status" in read and "ORDER BY" in read
    writes = [s.split("(")[0] for s in statements if s.startswith("INSERT")]
    assert writes == ["INSERT INTO change_sets ", "INSERT INTO audit_log "]
    assert db.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "export")) == 1


def test_a_download_stopped_half_way_leaves_the_connection_usable(
    app: FastAPI, client: TestClient, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The body closed after its first piece (the client went): the read ends on the server (on
    PostgreSQL the COPY is cancelled, none is left running) and the next export on the same
    pool runs whole."""
    _tricky_events(db)
    monkeypatch.setattr(export, "STREAMED_BLOCK_BYTES", 32)
    monkeypatch.setattr(export, "BATCH_SIZE", 2)
    view = next(v for v in app.state.panel.views if getattr(v, "identity", "") == "event")
    stmt = view.export_statement(select(Event).order_by(Event.id))

    async def first_piece_then_gone() -> bytes | str:
        body = await export.open_rows(view.sync_sessions, stmt, "csv", on_open=lambda: None)
        first = await anext(body)
        await body.aclose()  # type: ignore[attr-defined]
        return first

    for _ in range(3):
        first = asyncio.run(first_piece_then_gone())
        assert (first if isinstance(first, str) else first.decode()).startswith("id,title")
    if db.get_bind().dialect.name == "postgresql":
        running = (
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND query LIKE 'COPY%' AND state = 'active'"
        )
        assert db.scalar(text(running)) == 0
    whole = client.get("/admin/event/export/csv", params={"sortBy": "id", "sort": "desc"})
    assert whole.text == _expected_csv(db)


def test_copys_record_ends_become_csv_writers_across_any_block_boundary() -> None:
    copy_output = b'id,title\n1,"line\nbreak"\n2,"say ""hi"", then\n"\n3,plain\n'
    expected = b'id,title\r\n1,"line\nbreak"\r\n2,"say ""hi"", then\n"\r\n3,plain\r\n'
    for cut in range(len(copy_output) + 1):
        ends = RecordEnds()
        assert ends(copy_output[:cut]) + ends(copy_output[cut:]) == expected
