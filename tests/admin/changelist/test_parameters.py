"""One table says what each list parameter is (admin/changelist/parameters.py); every reader of
a list's state reads a view of it, the page's script included."""

import re
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from starlette.datastructures import QueryParams

from admin_app.admin.changelist.parameters import (
    LEFT_BY_BULK_LINKS,
    NOT_FILTERS,
    PARAMETERS,
    Part,
)
from admin_app.admin.changelist.selection import Selection
from admin_app.models import SocialStatus
from tests import factories

TEMPLATES = Path(__file__).resolve().parents[3] / "admin_app" / "templates"


def test_every_field_a_bulk_page_sends_is_in_the_table() -> None:
    # A field missing from the table would be read as a filter: the list would refuse it (400).
    sent = set()
    for name in ("bulk_confirm.html", "bulk_choose.html"):
        sent |= set(re.findall(r'name="(\w+)"', (TEMPLATES / name).read_text()))
    assert sent and sent <= set(PARAMETERS), sorted(sent - set(PARAMETERS))


def test_only_filters_search_and_sort_decide_which_rows_match() -> None:
    params = [("social_status", "private"), ("search", "jazz"), ("sortBy", "title")]
    noise = [(name, "1") for name in sorted(NOT_FILTERS)]
    whole = Selection.whole_filter_of
    assert whole(QueryParams([*params, *noise])).list_params == QueryParams(params)
    assert {PARAMETERS[name] for name in ("search", "sortBy", "sort")} == {Part.SEARCH, Part.SORT}


def test_the_page_tells_its_script_what_bulk_links_leave_out(
    client: TestClient, db: Session
) -> None:
    factories.make_event(db)
    page = client.get("/admin/event/list").text
    left_out = re.search(r'data-left-out="([^"]*)"', page)
    assert left_out is not None and set(left_out.group(1).split()) == LEFT_BY_BULK_LINKS
    script = (Path(TEMPLATES).parent / "static" / "js" / "panel.js").read_text()
    assert '"pageSize"' not in script  # the script keeps no list of its own


def test_a_facet_link_starts_a_new_list_from_the_same_state(
    client: TestClient, db: Session
) -> None:
    factories.make_event(db, social_status=SocialStatus.PRIVATE)
    # The facets page the list links to (and its script fetches) for the list's whole state.
    page = client.get(
        "/admin/event/facets", params={"search": "e", "page": "1", "view": "all", "scope": "filter"}
    ).text
    link = re.search(r'href="(/admin/event/list[^"]*social_status=private[^"]*)"', page)
    assert link is not None
    assert "search=e" in link.group(1)
    assert not re.search(r"[?&;](page|view|scope)=", link.group(1))


def test_the_lure_is_dropped_before_anything_reads_it(client: TestClient) -> None:
    response = client.get(
        "/admin/event/list", params={"error": "Call +1 555", "search": "x"}, follow_redirects=False
    )
    assert response.status_code == 302
    assert response.headers["location"].endswith("/admin/event/list?search=x")
