"""A list page's rows (admin/changelist/rows.py): each row's values, links and version, gathered
before the page renders."""

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from admin_app.models import SocialStatus
from tests import factories


def test_a_row_carries_its_values_links_and_version(client: TestClient, db: Session) -> None:
    organizer = factories.make_user(db, email="ines@example.org")
    event = factories.make_event(
        db, organizer=organizer, title="<b>Quiz</b>", social_status=SocialStatus.PRIVATE
    )
    page = client.get("/admin/event/list?search=Quiz").text
    row = re.search(rf'<tr data-version="1">.*?value="{event.id}".*?</tr>', page, re.DOTALL)
    assert row is not None
    html = row.group(0)
    assert "&lt;b&gt;Quiz&lt;/b&gt;" in html and "<b>Quiz" not in html
    assert f'href="/admin/event/details/{event.id}"' in html
    assert f'href="/admin/event/edit/{event.id}?search=Quiz"' in html
    assert f'data-url="/admin/event/delete?pks={event.id}"' in html
    organizer_link = f'<a href="/admin/user/details/{organizer.id}">ines@<wbr>example<wbr>.org</a>'
    assert organizer_link in html
    assert 'data-status="private"' in html
