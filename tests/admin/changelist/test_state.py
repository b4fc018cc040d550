"""One ChangeList per list request (admin/changelist/state.py): the query string parsed once, the
count and facets read from one sample, and what the page shows taken from it."""

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from starlette.requests import Request

from admin_app.admin.changelist import counting, selection
from admin_app.admin.changelist.state import ChangeList
from admin_app.models import SocialStatus
from tests import factories


def test_one_list_page_parses_its_state_once(
    client: TestClient, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    factories.make_event(db, social_status=SocialStatus.PRIVATE)
    parsed: list[str] = []
    original = selection.Selection.whole_filter_of.__func__  # type: ignore[attr-defined]

    def counted(cls: type[selection.Selection], params: object) -> selection.Selection:
        parsed.append(str(params))
        return original(cls, params)  # type: ignore[no-any-return]

    monkeypatch.setattr(selection.Selection, "whole_filter_of", classmethod(counted))
    page = client.get("/admin/event/list", params=[("social_status", "private"), ("except", "9")])
    assert page.status_code == 200
    # Count, facets, export links and "all matching" links: one reading of the query string.
    assert len(parsed) == 1
    assert "social_status=private" in page.text and "except=9" in page.text


def test_a_capped_count_reads_10_000_plus(
    client: TestClient, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(counting, "LIST_COUNT_CAP", 30)
    for _ in range(31):
        factories.make_event(db)
    page = " ".join(client.get("/admin/event/list").text.split())
    assert "of 30+ items" in page


def test_a_request_has_one_change_list_per_list(app: FastAPI) -> None:
    views = {
        view.identity: view for view in app.state.panel.views if hasattr(view, "column_facets")
    }
    request = Request({"type": "http", "query_string": b"search=x", "headers": [], "state": {}})
    first = ChangeList.of(views["event"], request)
    assert ChangeList.of(views["event"], request) is first
    assert first.filter_state == "search=x"
    assert ChangeList.of(views["user"], request) is not first
