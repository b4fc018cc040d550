"""Substring search: literal, case-insensitive, the same on both databases, and on SQLite served
by the FTS5 trigram index (kept in step with every write, the time machine's included)."""

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from admin_app.admin.core import text_search
from admin_app.admin.core.text_search import contains, prepare
from admin_app.models import Event, User
from tests import factories
from tests.history.conftest import bulk, edit_event, latest_change_set, undo


def _titles_found(client: TestClient, term: str) -> list[str]:
    page = client.get("/admin/event/list", params={"search": term, "pageSize": 100})
    assert page.status_code == 200
    return sorted(
        title
        for title in ("Jazz night", "JAZZ brunch", "Chess club", "50% off", "a_b c")
        if f">{title}<" in page.text
    )


@pytest.fixture
def events(db: Session) -> list[Event]:
    user = factories.make_user(db, email="ada@example.org")
    titles = ["Jazz night", "JAZZ brunch", "Chess club", "50% off", "a_b c"]
    return [factories.make_event(db, organizer=user, title=title) for title in titles]


@pytest.mark.usefixtures("events")
@pytest.mark.parametrize(
    ("term", "found"),
    [
        pytest.param("jazz", ["JAZZ brunch", "Jazz night"], id="case-insensitive"),
        pytest.param("zz n", ["Jazz night"], id="across-a-space"),
        pytest.param("50%", ["50% off"], id="percent-is-text"),
        pytest.param("_", ["a_b c"], id="underscore-is-text"),
        pytest.param("ch", ["Chess club", "JAZZ brunch"], id="two-characters"),
        pytest.param("c", ["Chess club", "JAZZ brunch", "a_b c"], id="one-character"),
        pytest.param("opera", [], id="nothing"),
    ],
)
def test_search_is_literal_and_case_insensitive(
    client: TestClient, term: str, found: list[str]
) -> None:
    assert _titles_found(client, term) == found


def test_the_index_follows_edits_deletes_and_restores(
    client: TestClient, db: Session, events: list[Event]
) -> None:
    chess = events[2]
    edit_event(client, db, chess.id, title="Go club")
    assert _titles_found(client, "chess") == []
    assert "Go club" in client.get("/admin/event/list", params={"search": "go cl"}).text
    bulk(client, "event", "delete", pks=str(chess.id))
    assert "Go club" not in client.get("/admin/event/list", params={"search": "go cl"}).text
    assert undo(client, latest_change_set(db).id)[0] == 200  # restored by INSERT ... SELECT
    assert "Go club" in client.get("/admin/event/list", params={"search": "go cl"}).text


def test_the_organizer_picker_finds_users_through_the_same_search(
    client: TestClient, events: list[Event]
) -> None:
    found = client.get("/admin/event/ajax/lookup", params={"name": "organizer", "term": "DA@EX"})
    assert found.status_code == 200 and "ada@example.org" in found.text


def _plan(app: FastAPI, db: Session, statement: Any) -> str:
    engine: Engine = app.state.engine
    sql = str(statement.compile(engine, compile_kwargs={"literal_binds": True}))
    if engine.dialect.name == "sqlite":
        return " ".join(str(row) for row in db.execute(text(f"EXPLAIN QUERY PLAN {sql}")))
    return sql


@pytest.mark.anyio
@pytest.mark.usefixtures("events")
async def test_a_rare_term_is_looked_up_in_the_index_a_common_one_walks_the_list(
    app: FastAPI, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    sqlite = app.state.engine.dialect.name == "sqlite"
    await prepare(app.state.session_factory, [Event.title, User.email], "jazz")
    await prepare(app.state.session_factory, [User.email], "example")
    plan = _plan(app, db, select(Event.id).where(contains(Event.title, "jazz")))
    if sqlite:
        assert "events_title_search VIRTUAL TABLE INDEX 0:L" in plan  # L: LIKE from the index
    else:  # ILIKE on the bare column (no CAST, no lower()): what pg_trgm's GIN index serves
        assert "events.title ILIKE '%%jazz%%'" in plan
    # Every user matches "example": commoner than SPARSE_BELOW allows, so a plain LIKE.
    monkeypatch.setattr(text_search, "SPARSE_BELOW", 1)
    await prepare(app.state.session_factory, [User.email], "exampl")
    plan = _plan(app, db, select(User.id).where(contains(User.email, "exampl")))
    assert "users_email_search" not in plan


def test_a_search_shorter_than_a_trigram_says_what_it_costs(client: TestClient) -> None:
    short = client.get("/admin/event/list", params={"search": "ja"}).text
    assert "type three or more for the indexed search" in short
    assert 'id="search-short-note"' not in client.get("/admin/event/list?search=jaz").text
