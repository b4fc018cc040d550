"""Facets beside a list: how its matching rows split by status, month and organizer (and events
per organizer on the users list), each value a link that narrows the list; bounded by a sample."""

import html
import re
from datetime import date

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from admin_app.admin.changelist import facets
from admin_app.admin.changelist.facets import FacetResult, FacetValue
from admin_app.main import create_app
from admin_app.models import Event, SocialStatus
from tests import factories
from tests.admin.test_shape import counting_statements


def _facet(page: str, title: str) -> dict[str, tuple[str, str]]:
    """{label: (shown figure, link)} of one facet."""
    section = page[page.index(f'data-facet="{title}"') :]
    section = section[: section.index("</ul>")]
    found = re.findall(
        r'<a class="facet-value[^"]*" href="([^"]+)"[^>]*>((?:[^<]|<wbr>)+)</a>\s*'
        r'<span class="facet-count" data-count="\d+">([^<]+)</span>',
        section,
    )
    # Emails carry <wbr> wrap points (formatters.wrap_points).
    return {
        label.replace("<wbr>", ""): (figure, href.replace("&amp;", "&"))
        for href, label, figure in found
    }


def _facets_page(client: TestClient, list_url: str) -> str:
    """The facets of the list at `list_url`, from the page the list's script fetches."""
    response = client.get(list_url.replace("/list", "/facets", 1))
    assert response.status_code == 200, response.text
    return response.text


def _rows(page: str) -> int:
    return len(re.findall(r'class="form-check-input select-box"', page))


@pytest.fixture
def events(db: Session) -> None:
    ann = factories.make_user(db, email="ann@example.org")
    bob = factories.make_user(db, email="bob@example.org")
    for title, status, day, organizer in [
        ("Jazz brunch", "private", date(2026, 3, 5), ann),
        ("Jazz night", "private", date(2026, 3, 20), bob),
        ("Jazz picnic", "public", date(2026, 4, 1), ann),
        ("Jazz quiz", "public", date(2026, 4, 9), ann),
        ("Chess club", "private", date(2026, 4, 9), bob),
    ]:
        factories.make_event(
            db, organizer=organizer, title=title, social_status=SocialStatus(status), date_of=day
        )


@pytest.mark.usefixtures("events")
def test_facet_counts_match_the_rows_of_the_filtered_list(client: TestClient) -> None:
    page = _facets_page(client, "/admin/event/list?search=jazz")
    status = _facet(page, "Social status")
    assert {label: figure for label, (figure, _) in status.items()} == {
        "Private": "2",
        "Public": "2",
    }
    for label, (figure, link) in status.items():
        narrowed = client.get(link).text
        assert _rows(narrowed) == int(figure), label
        assert "search=jazz" in link and f"social_status={label.lower()}" in link
    months = _facet(page, "Month")
    assert {label: figure for label, (figure, _) in months.items()} == {
        "Apr 2026": "2",
        "Mar 2026": "2",
    }
    april = client.get(months["Apr 2026"][1]).text
    assert _rows(april) == 2 and "Jazz quiz" in april and "Chess club" not in april
    organizers = _facet(page, "Organizer")
    assert list(organizers) == ["ann@example.org", "bob@example.org"]
    assert organizers["ann@example.org"][0] == "3"
    assert _rows(client.get(organizers["bob@example.org"][1]).text) == 1


@pytest.mark.usefixtures("events")
def test_an_active_facet_value_is_marked(client: TestClient) -> None:
    page = _facets_page(client, "/admin/event/list?social_status=public")
    assert re.search(
        r'fw-bold" href="[^"]*social_status=public[^"]*" aria-current="true">Public', page
    )


@pytest.mark.usefixtures("events")
def test_users_list_shows_events_per_organizer(client: TestClient) -> None:
    page = _facets_page(client, "/admin/user/list")
    per_organizer = _facet(page, "Events per organizer")
    assert {label: figure for label, (figure, _) in per_organizer.items()} == {
        "ann@example.org": "3",
        "bob@example.org": "2",
    }
    link = per_organizer["bob@example.org"][1]
    assert link.startswith("/admin/event/list?organizer=")
    assert _rows(client.get(link).text) == 2


@pytest.mark.usefixtures("events")
def test_past_the_sample_facets_say_about(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(facets.StatusFacet, "sample", 2)
    page = _facets_page(client, "/admin/event/list")
    note = "About: shares of 2 matching rows, in the table's order (not the list's)."
    assert note in html.unescape(page)
    figures = [figure for figure, _ in _facet(page, "Social status").values()]
    assert figures and all(re.fullmatch(r"about \d+%", figure) for figure in figures)


def test_a_share_too_small_to_round_reads_under_one_percent() -> None:
    values = [FacetValue(label="a", count=9_990), FacetValue(label="b", count=10)]
    result = FacetResult("Organizer", values, sampled=10_000, partial=True, about=True)
    assert [result.share(value) for value in values] == ["about 100%", "under 1%"]
    assert result.share(FacetValue(label="c", count=50)) == "under 1%"
    assert result.share(FacetValue(label="d", count=100)) == "about 1%"


def test_shares_where_no_value_reaches_one_percent_are_too_spread_to_show() -> None:
    spread = [FacetValue(label=f"u{n}", count=40) for n in range(10)]
    assert FacetResult("Organizer", spread, sampled=10_000, partial=True, about=True).too_spread
    one_big = [*spread, FacetValue(label="big", count=100)]
    assert not FacetResult(
        "Organizer", one_big, sampled=10_000, partial=True, about=True
    ).too_spread
    # Exact counts (a sample that held every row) are always shown.
    assert not FacetResult("Organizer", spread, sampled=400, partial=False).too_spread


@pytest.mark.usefixtures("events")
def test_a_too_spread_facet_says_so_instead_of_listing_values(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        facets.FacetResult, "too_spread", property(lambda self: self.title == "Organizer")
    )
    page = _facets_page(client, "/admin/event/list")
    assert 'data-facet-spread="Organizer"' in page
    assert "No organizer has 1% or more of the first" in page
    assert 'data-facet="Organizer"' not in page
    assert _facet(page, "Social status")


@pytest.mark.usefixtures("events")
def test_events_per_organizer_from_a_sample_says_the_busiest_may_be_missing(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(facets.EventsPerOrganizerFacet, "sample", 1)
    page = _facets_page(client, "/admin/user/list")
    assert "Only the first 1 matching users (by id) were looked at" in page
    assert "At least N events" in page


@pytest.mark.usefixtures("events")
def test_facets_are_kept_per_filter_and_follow_a_change(app: FastAPI, db: Session) -> None:
    cached = create_app(app.state.settings.model_copy(update={"list_count_cache_seconds": 60}))
    with TestClient(cached, base_url="http://testserver") as client:
        factories.login(client, factories.make_staff(db).email)
        client.headers["X-CSRF-Token"] = factories.csrf_token(client, "/admin/")
        assert (
            _facet(_facets_page(client, "/admin/event/list"), "Social status")["Private"][0] == "3"
        )
        with counting_statements(cached) as again:
            _facets_page(client, "/admin/event/list")
        assert not any("GROUP BY" in statement for statement in again)
        event = db.scalars(select(Event).where(Event.title == "Jazz picnic")).one()
        response = client.post(
            f"/admin/event/cell/{event.id}",
            data={"field": "social_status", "value": "private", "version": str(event.version)},
        )
        assert response.status_code == 200, response.text
        assert (
            _facet(_facets_page(client, "/admin/event/list"), "Social status")["Private"][0] == "4"
        )
    cached.state.engine.dispose()


@pytest.mark.usefixtures("events")
def test_a_first_view_shows_its_rows_with_one_count_and_the_facets_come_after(
    app: FastAPI, client: TestClient
) -> None:
    """The list's first view runs no facet: one capped count and its rows; its facets slot links
    to the facets page for the same state, which the script fetches (and staff without scripts
    follow), and that page runs the facets' samples."""
    with counting_statements(app) as statements:
        page = client.get("/admin/event/list?search=jazz&pageSize=10").text
    assert "of 4 items" in page and "data-facet=" not in page
    found = re.search(r'data-facets-url="([^"]+)"', page)
    assert found is not None
    facets_url = found.group(1).replace("&amp;", "&")
    assert facets_url == "/admin/event/facets?search=jazz&pageSize=10"
    assert f'<a href="{found.group(1)}">How the matching rows split</a>' in page
    # SQLite's trigram probe (text_search.prepare) counts in the search index, the sidebar
    # its saved views per list, and the staff member's access their unread notifications
    # (the bell), not the rows.
    probe = "SELECT 1 \nFROM events_title_search"
    others = (probe, "FROM saved_views", "FROM notifications")
    rows = [s for s in statements if not any(other in s for other in others)]
    counting = [s for s in rows if "count(" in s.lower()]
    assert len(counting) == 1 and "facet_rows" not in counting[0], counting
    assert not any("GROUP BY" in s for s in rows)
    with counting_statements(app) as facet_statements:
        facets_page = client.get(facets_url).text
    assert _facet(facets_page, "Social status")["Private"][0] == "2"
    assert any("GROUP BY" in s for s in facet_statements)
    assert (
        '<a href="/admin/event/list?search=jazz&amp;pageSize=10">Back to events</a>' in facets_page
    )


def test_a_bad_filter_on_the_facets_page_is_a_400_and_unknown_lists_404(
    client: TestClient,
) -> None:
    assert client.get("/admin/event/facets?social_status=nope").status_code == 400
    assert client.get("/admin/nothing/facets").status_code == 404
    # The audit log has no facets: its list offers no facets page.
    assert client.get("/admin/audit-entry/facets").status_code == 404
