"""The dashboard: counts, events per month as an SVG chart, upcoming events, latest changes."""

import re
from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from admin_app.admin.site.dashboard import _add_months
from admin_app.models import SocialStatus, StaffRole
from tests import factories
from tests.conftest import ClientFactory


def test_counts_and_status_split(client: TestClient, db: Session) -> None:
    ann = factories.make_user(db)
    factories.make_user(db)
    for status in (SocialStatus.PUBLIC, SocialStatus.PUBLIC, SocialStatus.PRIVATE):
        factories.make_event(db, organizer=ann, social_status=status)
    page = client.get("/admin/").text
    assert re.search(r'id="count-users">2<', page)
    assert re.search(r'id="count-events">3<', page)
    assert re.search(r'id="count-public">2<', page) and re.search(r'id="count-private">1<', page)


def test_events_per_month_chart_covers_last_12_and_next_3_months(
    client: TestClient, db: Session
) -> None:
    today = date.today()
    this_month = today.replace(day=1)
    ann = factories.make_user(db)
    for months, count in ((0, 3), (-11, 1), (3, 2), (-12, 5), (4, 7)):
        for _ in range(count):
            factories.make_event(
                db, organizer=ann, date_of=_add_months(this_month, months) + timedelta(days=2)
            )
    page = client.get("/admin/").text
    bars = dict(re.findall(r'data-month="(\d{4}-\d{2})" data-count="(\d+)"', page))
    assert len(bars) == 15
    assert bars[f"{this_month:%Y-%m}"] == "3"
    assert bars[f"{_add_months(this_month, -11):%Y-%m}"] == "1"
    assert bars[f"{_add_months(this_month, 3):%Y-%m}"] == "2"
    assert f"{_add_months(this_month, -12):%Y-%m}" not in bars  # outside the window
    assert "<script" not in page.split('id="events-per-month"')[1].split("</svg>")[0]


def test_the_chart_has_a_legend_and_names_years_in_full(client: TestClient) -> None:
    page = client.get("/admin/").text
    legend = page.split('id="chart-legend"')[1].split("</p>")[0]
    assert "Up to this month" in legend and "Coming months" in legend
    chart = page.split('id="events-per-month"')[1].split("</svg>")[0]
    # Month names alone under the bars ("Jan 26" read like a date), the year in full below
    # the first bar and every January.
    assert not re.search(r">[A-Z][a-z]{2} \d{2}<", chart)
    years = re.findall(r'font-weight="bold" text-anchor="middle">(\d{4})<', chart)
    assert years and years[0] == str(_add_months(date.today().replace(day=1), -11).year)


def test_upcoming_events_are_listed_soonest_first(client: TestClient, db: Session) -> None:
    today = date.today()
    factories.make_event(db, title="Past", date_of=today - timedelta(days=1))
    factories.make_event(db, title="Later", date_of=today + timedelta(days=9))
    factories.make_event(db, title="Soon", date_of=today + timedelta(days=1))
    table = client.get("/admin/").text.split('id="upcoming-events"')[1].split("</table>")[0]
    titles = re.findall(r">(Past|Later|Soon)</a>", table)
    assert titles == ["Soon", "Later"]


def test_admins_see_the_latest_changes(
    client: TestClient, anonymous_factory: ClientFactory, db: Session
) -> None:
    client.post("/admin/user/create", data={"email": "fresh@example.org", "save": "Save"})
    assert "Created user fresh@example.org" in client.get("/admin/").text
    viewer = factories.make_staff(db, role=StaffRole.VIEWER)
    other = anonymous_factory()
    factories.login(other, viewer.email)
    page = other.get("/admin/").text
    assert 'id="count-users"' in page and "latest-changes" not in page
