"""Export: what the list shows (filters, search, sort), as CSV or JSON, audited, formulas inert."""

import csv
import io
import json
from datetime import UTC
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from admin_app.admin.actions.export import csv_lines, inert_cell, inert_csv
from admin_app.models import AuditEntry, SocialStatus, StaffRole
from tests import factories
from tests.conftest import ClientFactory


def _csv(client: TestClient, path: str, **params: str) -> list[dict[str, str]]:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.text)))


def test_export_follows_filter_search_and_sort(client: TestClient, db: Session) -> None:
    ann = factories.make_user(db, email="ann@example.org")
    for title, status in [
        ("Jazz B", "private"),
        ("Jazz A", "private"),
        ("Jazz C", "public"),
        ("Quiz", "private"),
    ]:
        factories.make_event(db, organizer=ann, title=title, social_status=SocialStatus(status))
    rows = _csv(
        client,
        "/admin/event/export/csv",
        social_status="private",
        search="jazz",
        sortBy="title",
        sort="asc",
        page="3",
    )
    assert [row["title"] for row in rows] == ["Jazz A", "Jazz B"]
    assert rows[0]["organizer"] == "ann@example.org" and rows[0]["social_status"] == "private"


def test_json_export(client: TestClient, db: Session) -> None:
    for n in range(3):
        factories.make_event(db, title=f"E{n}")
    response = client.get("/admin/event/export/json", params={"sortBy": "title"})
    data = json.loads(response.text)
    assert [row["title"] for row in data] == ["E0", "E1", "E2"]
    assert set(data[0]) >= {"id", "title", "date_of", "social_status", "organizer"}


def test_empty_json_export_is_valid(client: TestClient) -> None:
    assert json.loads(client.get("/admin/event/export/json").text) == []


def test_user_export_has_event_counts(client: TestClient, db: Session) -> None:
    ann = factories.make_user(db, email="ann@example.org")
    factories.make_event(db, organizer=ann)
    [row] = _csv(client, "/admin/user/export/csv")
    assert row["email"] == "ann@example.org" and row["events"] == "1"


@pytest.mark.parametrize(
    "payload",
    [
        '=HYPERLINK("http://evil")',
        "+1+1",
        "-2",
        "@SUM(A1)",
        "|calc",  # DDE in older spreadsheets
        "\uff1dHYPERLINK(1)",  # the fullwidth forms, which some spreadsheets fold to ASCII
        "\uff0b1",
        "\uff0d1",
        "\uff20SUM(A1)",
    ],
)
def test_spreadsheet_formulas_are_exported_inert(
    client: TestClient, db: Session, payload: str
) -> None:
    factories.make_event(db, title=payload)
    [row] = _csv(client, "/admin/event/export/csv")
    assert row["title"] == "'" + payload


def test_exports_are_audited(client: TestClient, db: Session) -> None:
    client.get("/admin/event/export/csv", params={"social_status": "private"})
    entry = db.scalars(select(AuditEntry)).one()
    assert entry.action == "export" and entry.target == "event"
    assert entry.changes == {"filter": "social_status=private", "format": "csv"}


def test_viewers_may_export(anonymous_factory: ClientFactory, db: Session) -> None:
    viewer = factories.make_staff(db, role=StaffRole.VIEWER)
    client = anonymous_factory()
    factories.login(client, viewer.email)
    factories.make_event(db, title="Visible")
    assert [row["title"] for row in _csv(client, "/admin/event/export/csv")] == ["Visible"]


def test_unknown_export_type_is_a_404(client: TestClient) -> None:
    assert client.get("/admin/event/export/xml").status_code == 404


def test_bad_filter_in_export_is_a_400(client: TestClient) -> None:
    assert (
        client.get("/admin/event/export/csv", params={"social_status": "nope"}).status_code == 400
    )


def test_export_streams_many_rows_in_batches(client: TestClient, db: Session) -> None:
    from admin_app.seed import seed_demo

    seed_demo(db.get_bind(), users=10, events=2500, progress=lambda *_: None, seed=3)  # type: ignore[arg-type]
    rows = _csv(client, "/admin/event/export/csv")
    assert len(rows) == 2500 and len({row["id"] for row in rows}) == 2500


# Columns as exports meet them: each of one type (or None), some of mixed types.
_CELLS = st.one_of(
    st.none(),
    st.text(max_size=8),
    st.sampled_from(["=1+1", "+1", "-1", "@x", "\tx", "|x", "\uff1dx", "x=1"]),
    st.integers(min_value=-5, max_value=10**12),
    st.dates(),
    st.datetimes(timezones=st.just(UTC)),
    st.booleans(),
    st.sampled_from(list(SocialStatus)),
)
_COLUMNS = st.one_of(
    st.lists(st.one_of(st.none(), st.text(max_size=8), st.sampled_from(["=1", "-x"]))),
    st.lists(st.one_of(st.none(), st.integers(min_value=-3, max_value=10**9))),
    st.lists(st.one_of(st.none(), st.dates())),
    st.lists(st.one_of(st.none(), st.datetimes(timezones=st.just(UTC)))),
    st.lists(st.one_of(st.none(), st.sampled_from(list(SocialStatus)))),
    st.lists(_CELLS),
)


@given(st.lists(_COLUMNS, min_size=1, max_size=6), st.integers(min_value=1, max_value=12))
def test_the_column_wise_csv_is_the_cell_by_cell_one(columns: list[list[Any]], rows: int) -> None:
    table = [
        [column[i % len(column)] if column else None for column in columns] for i in range(rows)
    ]
    assert inert_csv(table) == csv_lines([[inert_cell(value) for value in row] for row in table])
