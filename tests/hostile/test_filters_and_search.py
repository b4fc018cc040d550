"""Hostile lists: filters, search, sort and paging, the read-only pages built on them, and the
organizer picker."""

import csv
import io
import json
import re
from datetime import date
from typing import Final
from urllib.parse import urlencode, urlsplit

from httpx2 import Response
from hypothesis import example, given
from hypothesis import strategies as st

from tests.hostile.support import (
    DIGITISH,
    HOSTILE_TEXT,
    SEED_EVENTS,
    SEED_USERS,
    SQL_FRAGMENTS,
    World,
    assert_unchanged,
    check_answer,
    examples,
    visible_text,
)
from tests.snapshots import NO_COUNTS, diff

# --- Lists: filters, search, sort, paging (and the read-only pages built on them) ---------------

LIST_VALID: Final[dict[str, st.SearchStrategy[str]]] = {
    "page": st.integers(1, 3).map(str),
    "pageSize": st.sampled_from(["25", "50", "100"]),
    "search": st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=8),
    "sortBy": st.sampled_from(["id", "title", "date_of", "social_status", "email", "created_at"]),
    "sort": st.sampled_from(["asc", "desc"]),
    "social_status": st.sampled_from(["public", "private", "__all"]),
    "date_from": st.dates().map(date.isoformat),
    "date_to": st.dates().map(date.isoformat),
    "organizer": st.sampled_from(["1", "2", "ann@example.org", " ANN@example.org", "__all"]),
}
LIST_HOSTILE: Final = st.one_of(
    HOSTILE_TEXT,
    st.sampled_from(DIGITISH),
    st.integers(-(2**70), 2**70).map(str),
)


@st.composite
def list_params(draw: st.DrawFn) -> tuple[list[tuple[str, str]], bool]:
    """Query parameters, and whether every one of them is valid for the events list."""
    params: list[tuple[str, str]] = []
    all_valid = True
    names = draw(st.lists(st.sampled_from(sorted(LIST_VALID)), unique=True, max_size=5))
    for name in names:
        if draw(st.booleans()):
            params.append((name, draw(LIST_VALID[name])))
        else:
            params.append((name, draw(LIST_HOSTILE)))
            all_valid = False
    for key, value in draw(st.lists(st.tuples(st.text(max_size=10), HOSTILE_TEXT), max_size=2)):
        params.append((key, value))
        all_valid = all_valid and key not in LIST_VALID and key not in {"pks", "scope"}
    return params, all_valid


READ_PAGES: Final = st.sampled_from(
    [
        "event/list",
        "user/list",
        "event/export/csv",
        "event/export/json",
        "user/export/csv",
        "event/bulk/delete",
        "event/bulk/set-status",
        "user/bulk/delete",
    ]
)
SORTABLE: Final = {
    "event": {"id", "title", "date_of", "social_status"},
    "user": {"id", "email", "created_at"},
}


@examples(300)
@example(page="event/list", query=([("organizer", "²")], False), selection="")
@example(page="event/export/csv", query=([("search", "a\x00")], False), selection="")
@example(page="event/export/json", query=([("organizer", "\x00")], False), selection="")
@example(page="event/bulk/delete", query=([("organizer", "²")], False), selection="filter")
@given(page=READ_PAGES, query=list_params(), selection=st.sampled_from(["", "filter", "pks"]))
def test_lists_filters_exports_and_confirm_pages_with_hostile_queries(
    world: World, page: str, query: tuple[list[tuple[str, str]], bool], selection: str
) -> None:
    params, all_valid = query
    identity, kind = page.split("/", 1)
    if kind.startswith("bulk"):
        params.append(("scope", "filter") if selection == "filter" else ("pks", "1,2"))
    if any(name == "sortBy" and value not in SORTABLE[identity] for name, value in params):
        all_valid = False
    before = world.snapshot()
    response = world.client.get(f"/admin/{page}?{urlencode(params)}", follow_redirects=False)
    changes = diff(before, world.snapshot())
    check_answer(response, (200, 302, 400))
    status = response.status_code
    if kind == "list" and all_valid:
        assert status in (200, 302), f"valid list query refused: {visible_text(response)}"
    if status == 302:
        assert kind == "list" and urlsplit(response.headers["location"]).path == f"/admin/{page}"
    if kind.startswith("export") and status == 200:
        body = response.text
        if kind.endswith("json"):
            rows = json.loads(body)
            assert isinstance(rows, list)
        else:
            header = next(csv.reader(io.StringIO(body)))
            assert header[0] == "id", body[:200]
        assert not changes.rows_touched()
        # Its audit entry, in a change set of its own.
        assert changes.counts == {**NO_COUNTS, "audit_log": 1, "change_sets": 1}
        return
    assert_unchanged(changes, response, "a read-only page")


SEARCH_TERMS: Final = st.one_of(
    st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=6),
    st.sampled_from([f for f in SQL_FRAGMENTS if f.isascii()]),
    st.sampled_from([title for title, *_ in SEED_EVENTS]).flatmap(
        lambda title: st.tuples(st.integers(0, len(title)), st.integers(0, len(title))).map(
            lambda bounds: title[min(bounds) : max(bounds)].upper()
        )
    ),
    st.sampled_from(SEED_USERS).map(lambda email: email[2:7]),
)


def _count_shown(response: Response) -> int:
    if re.search(r"No items match\.", response.text):
        return 0
    match = re.search(r"of\s+([\d,]+)\s+items", response.text)
    assert match, f"no row count on the list page: {visible_text(response)}"
    return int(match.group(1))


# Characters of a search term (docs/SECURITY.md); SQLite refuses LIKE patterns past 50,000 bytes.
SEARCH_LIMIT: Final = 1_000


@examples(150)
@example(term="x" * 50_001, identity="event")  # was a 503 "database unavailable" on SQLite
@example(term="%" * (SEARCH_LIMIT + 1), identity="user")
@given(term=SEARCH_TERMS, identity=st.sampled_from(["event", "user"]))
def test_search_is_literal_text_not_sql(world: World, term: str, identity: str) -> None:
    """Whatever is typed, the list finds the rows containing it (case-insensitive), no more; a
    term over the limit is a 400 that says so."""
    before = world.snapshot()
    response = world.client.get(f"/admin/{identity}/list", params={"search": term})
    if len(term) > SEARCH_LIMIT:
        check_answer(response, (400,))
        assert f"at most {SEARCH_LIMIT:,} characters" in response.text
        assert_unchanged(diff(before, world.snapshot()), response, "an overlong search")
        return
    check_answer(response, (200,))
    column = "title" if identity == "event" else "email"
    table = "events" if identity == "event" else "users"
    expected = [row for row in before.rows[table].values() if term.lower() in row[column].lower()]
    assert _count_shown(response) == len(expected), (term, [row[column] for row in expected])
    assert_unchanged(diff(before, world.snapshot()), response, "a search")


@examples(100)
@example(term="%", name="organizer")
@example(term="_", name="organizer")
@given(
    term=st.one_of(SEARCH_TERMS, HOSTILE_TEXT),
    name=st.one_of(st.just("organizer"), HOSTILE_TEXT),
)
def test_organizer_picker_with_hostile_terms(world: World, term: str, name: str) -> None:
    before = world.snapshot()
    response = world.client.get("/admin/event/ajax/lookup", params={"name": name, "term": term})
    check_answer(response, (200, 400))
    assert_unchanged(diff(before, world.snapshot()), response, "a lookup")
    if name != "organizer" or not term or len(term) > SEARCH_LIMIT:
        assert response.status_code == 400
        return
    assert response.status_code == 200, visible_text(response)
    found = {int(result["id"]) for result in response.json()["results"]}
    if term.isascii() and term.isprintable():
        # Typed text is matched literally: "%" finds addresses with a "%" in them, not all.
        matching = {
            pk for pk, row in before.rows["users"].items() if term.lower() in row["email"].lower()
        }
        assert found == matching, (term, found, matching)
