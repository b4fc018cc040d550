"""The list's query and paging (admin/changelist/paging.py): a stable sort, bounded page sizes,
deep pages found by id first."""

import re
from datetime import date, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from admin_app.models import Event, SocialStatus
from tests import factories
from tests.admin.test_shape import counting_statements


def _titles(page: str) -> list[str]:
    """Event titles in the order the list shows them (titles in tests start with 'T-')."""
    return re.findall(r">\s*(T-[\w-]+)\s*<", page)


def test_sort_by_date_both_ways(client: TestClient, db: Session) -> None:
    for day in (2, 3, 1):
        factories.make_event(db, title=f"T-d{day}", date_of=date(2026, 1, day))
    asc = client.get("/admin/event/list", params={"sortBy": "date_of", "sort": "asc"}).text
    desc = client.get("/admin/event/list", params={"sortBy": "date_of", "sort": "desc"}).text
    assert _titles(asc) == ["T-d1", "T-d2", "T-d3"]
    assert _titles(desc) == ["T-d3", "T-d2", "T-d1"]


def test_paging_with_equal_dates_never_repeats_or_skips(client: TestClient, db: Session) -> None:
    organizer = factories.make_user(db)
    same_day = date(2026, 5, 5)
    db.add_all(
        Event(title=f"T-e{i:02}", date_of=same_day, organizer_id=organizer.id) for i in range(60)
    )
    db.commit()
    seen: list[str] = []
    for page in (1, 2, 3):
        params = {"sortBy": "date_of", "sort": "asc", "page": str(page), "pageSize": "25"}
        seen += _titles(client.get("/admin/event/list", params=params).text)
    assert len(seen) == 60 and len(set(seen)) == 60


def test_page_size_choices_and_default(client: TestClient) -> None:
    page = client.get("/admin/event/list").text
    for size in (25, 50, 100):
        assert f"pageSize={size}" in page


@pytest.mark.parametrize("params", [{"page": "abc"}, {"pageSize": "0"}, {"pageSize": "x"}])
def test_bad_paging_parameters_are_a_400(client: TestClient, params: dict[str, str]) -> None:
    assert client.get("/admin/event/list", params=params).status_code == 400


@pytest.mark.parametrize("sort", ["asc", "desc"])
def test_deep_pages_show_the_same_rows_as_a_plain_offset(
    client: TestClient, db: Session, sort: str
) -> None:
    """Past 1,000 rows the list finds the page's ids first; the rows and order must not change."""
    organizer = factories.make_user(db)
    db.add_all(
        Event(
            title=f"T-{n % 37:02d}-{n:04d}",
            date_of=date(2026, 1, 1) + timedelta(days=n % 11),
            social_status=SocialStatus.PRIVATE if n % 3 else SocialStatus.PUBLIC,
            organizer_id=organizer.id,
        )
        for n in range(1_650)
    )
    db.commit()
    params = {"social_status": "private", "sortBy": "date_of", "sort": sort, "pageSize": "100"}
    page = client.get("/admin/event/list", params={**params, "page": "11"})
    assert page.status_code == 200
    order = Event.date_of.desc() if sort == "desc" else Event.date_of.asc()
    tie = Event.id.desc() if sort == "desc" else Event.id.asc()
    expected = db.scalars(
        select(Event.title)
        .where(Event.social_status == SocialStatus.PRIVATE)
        .order_by(order, tie)
        .offset(1_000)
        .limit(100)
    ).all()
    assert len(expected) == 100
    assert _titles(page.text) == expected


@pytest.mark.parametrize("page", ["1", "12"], ids=["first page", "deep page"])
def test_a_page_reads_its_rows_with_their_organizers_in_one_statement(
    app: FastAPI, client: TestClient, db: Session, page: str
) -> None:
    """SQLAdmin read the organizers by a second statement (selectinload); the rows' own
    statement joins them now (ListQueryView.joined_list_relations), deep pages included."""
    organizers = [factories.make_user(db, email=f"organizer{n}@example.org") for n in range(3)]
    db.add_all(
        Event(
            title=f"T-{n:04d}",
            date_of=date(2026, 1, 1),
            social_status=SocialStatus.PUBLIC,
            organizer_id=organizers[n % 3].id,
        )
        for n in range(1_200)
    )
    db.commit()
    with counting_statements(app) as statements:
        response = client.get("/admin/event/list", params={"page": page, "pageSize": "100"})
    assert response.status_code == 200
    reads = [s for s in statements if "users" in s]
    assert len(reads) == 1, reads
    assert "JOIN users" in reads[0] and "FROM events" in reads[0]
    shown = re.findall(r'<a href="/admin/user/details/(\d+)">organizer(\d)', response.text)
    assert len(shown) == 100
    assert {int(pk) for pk, _ in shown} == {organizer.id for organizer in organizers}
    assert all(int(pk) == organizers[int(n)].id for pk, n in shown)


def test_a_page_reads_the_timestamps_its_list_has_and_no_others(
    app: FastAPI, client: TestClient, db: Session
) -> None:
    """Two timestamps a row were a fifth of loading a page's rows: a list reads the row's own
    when they are among its columns (the users list's "Created"), the organizer's never (its
    cell shows the organizer's name)."""
    user = factories.make_user(db, email="stamped@example.org")
    factories.make_event(db, organizer=user, title="T-stamped")
    with counting_statements(app) as statements:
        events = client.get("/admin/event/list")
    rows = next(s for s in statements if "JOIN users" in s)
    assert "events.created_at" not in rows and "users.created_at" not in rows
    assert "T-stamped" in events.text and "stamped@<wbr>example" in events.text
    with counting_statements(app) as statements:
        users = client.get("/admin/user/list")
    rows = next(s for s in statements if "FROM users ORDER BY" in s)
    assert "users.created_at" in rows and "users.updated_at" not in rows
    assert f"{user.created_at:%Y-%m-%d %H:%M} UTC" in users.text
