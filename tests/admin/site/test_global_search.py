"""The global search (palette): users by email, events by title, pages and saved views by name,
top 5 of each with "see all N" links into the filtered lists, only what staff may read."""

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from admin_app.admin.site import global_search
from admin_app.models import StaffRole
from tests import factories
from tests.conftest import RoleClient


def _groups(page: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for section in re.findall(r'<section class="search-group".*?</section>', page, re.S):
        title = re.search(r'class="search-group-title[^"]*"[^>]*>([^<]+)<', section)
        assert title is not None
        found[title.group(1)] = re.findall(
            r'class="search-hit[^"]*" href="[^"]*">(?:<span class="search-hit-label">)?([^<]+)<',
            section,
        )
    return found


def test_finds_users_events_and_pages_grouped(client: TestClient, db: Session) -> None:
    ada = factories.make_user(db, email="ada.jazz@example.org")
    factories.make_event(db, organizer=ada, title="Jazz by the river")
    factories.make_event(db, title="Chess")
    page = client.get("/admin/search", params={"q": "jazz"}).text
    groups = _groups(page)
    assert groups["Users"] == ["ada.jazz@example.org", "See all 1 in Users"]
    assert groups["Events"] == ["Jazz by the river", "See all 1 in Events"]
    assert "Chess" not in page
    events_page = client.get("/admin/search", params={"q": "even"}).text
    assert "Events" in _groups(events_page)["Pages and saved views"]


def test_top_five_and_a_see_all_link_with_the_count(client: TestClient, db: Session) -> None:
    ann = factories.make_user(db)
    for n in range(7):
        factories.make_event(db, organizer=ann, title=f"Quiz {n}")
    fragment = client.get("/admin/search", params={"q": "quiz", "fragment": "1"}).text
    assert "<html" not in fragment
    events = _groups(fragment)["Events"]
    assert len(events) == 6 and events[-1] == "See all 7 in Events"
    link = re.search(r'href="([^"]+)">See all 7 in Events', fragment)
    assert link is not None and link.group(1) == "/admin/event/list?search=quiz"
    listed = client.get(link.group(1)).text
    assert "of 7 items" in listed


def test_results_open_the_record(client: TestClient, db: Session) -> None:
    event = factories.make_event(db, title="Harbour festival")
    page = client.get("/admin/search", params={"q": "harbour"}).text
    link = re.search(r'href="(/admin/event/details/\d+)"', page)
    assert link is not None and link.group(1) == f"/admin/event/details/{event.id}"
    assert "Harbour festival" in client.get(link.group(1)).text


def test_short_terms_search_pages_only_and_say_so(client: TestClient, db: Session) -> None:
    factories.make_user(db, email="ev@example.org")
    page = client.get("/admin/search", params={"q": "ev"}).text
    assert "searched from 3 characters on" in page
    assert "Users" not in _groups(page)
    assert "Events" in _groups(page)["Pages and saved views"]


def test_only_what_the_staff_member_may_read(client_as: RoleClient, db: Session) -> None:
    factories.make_staff(db, email="other.staff@example.org")
    viewer = client_as(StaffRole.VIEWER)
    page = viewer.get("/admin/search", params={"q": "staff"}).text
    groups = _groups(page)
    assert "Staff" not in groups and "other.staff" not in page
    assert not any("Staff" in hit for hit in groups.get("Pages and saved views", []))


def test_nothing_found_and_hostile_terms(client: TestClient) -> None:
    page = client.get("/admin/search", params={"q": "zzz-nothing"}).text
    assert "Nothing matches" in page
    for term in ["%", "_", "\\", "<script>", "a" * 5000, "\x00abc"]:
        response = client.get("/admin/search", params={"q": term})
        assert response.status_code == 200, term
        assert "<script>" not in response.text.split('id="main-content"')[1].split("</main>")[0]
    assert len(global_search.cleaned("a" * 5000)) == 1000
