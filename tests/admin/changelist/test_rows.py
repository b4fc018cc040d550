"""A list page's rows (admin/changelist/rows.py): each row's values, links and version, gathered
before the page renders."""

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from starlette.requests import Request

from admin_app.admin.views.events import EventAdmin
from admin_app.models import SocialStatus, StaffRole
from tests import factories
from tests.conftest import RoleClient


def test_a_row_carries_its_values_links_and_version(client: TestClient, db: Session) -> None:
    organizer = factories.make_user(db, email="ines@example.org")
    event = factories.make_event(
        db, organizer=organizer, title="<b>Quiz</b> & 'x' \"y\"", social_status=SocialStatus.PRIVATE
    )
    page = client.get("/admin/event/list?search=Quiz").text
    row = re.search(rf'<tr data-version="1">.*?value="{event.id}".*?</tr>', page, re.DOTALL)
    assert row is not None
    html = row.group(0)
    # Escaped as markupsafe escapes (rows.py writes plain text for speed).
    assert "<td>&lt;b&gt;Quiz&lt;/b&gt; &amp; &#39;x&#39; &#34;y&#34;</td>" in html
    assert "<b>Quiz" not in html
    assert f'href="/admin/event/details/{event.id}"' in html
    assert f'href="/admin/event/edit/{event.id}?search=Quiz"' in html
    assert f'data-url="/admin/event/delete?pks={event.id}"' in html
    organizer_link = f'<a href="/admin/user/details/{organizer.id}">ines@<wbr>example<wbr>.org</a>'
    assert organizer_link in html
    assert 'data-status="private"' in html


def test_a_view_whose_checks_read_the_row_is_asked_row_by_row(
    client: TestClient, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SQLAdmin's checks with a grants backend are asked once a page (rows._same_for_every_row);
    # a view with its own must still decide for each row.
    async def only_even(view: EventAdmin, request: Request, model: Any) -> bool:
        return bool(model.id % 2 == 0)

    monkeypatch.setattr(EventAdmin, "check_can_edit", only_even)
    events = [factories.make_event(db, title=f"Checked {n}") for n in range(4)]
    page = client.get("/admin/event/list?search=Checked").text
    for event in events:
        has_edit = f'href="/admin/event/edit/{event.id}?search=Checked"' in page
        assert has_edit == (event.id % 2 == 0), event.id
        assert f'href="/admin/event/details/{event.id}"' in page


def test_a_role_without_edit_or_delete_gets_neither_link_on_any_row(
    client_as: RoleClient, db: Session
) -> None:
    events = [factories.make_event(db, title=f"Viewed {n}") for n in range(3)]
    page = client_as(StaffRole.VIEWER).get("/admin/event/list?search=Viewed").text
    for event in events:
        assert f'href="/admin/event/details/{event.id}"' in page
        assert f"/admin/event/edit/{event.id}" not in page
        assert f"pks={event.id}" not in page
