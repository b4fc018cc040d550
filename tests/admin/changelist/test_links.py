"""Row links built once per page (admin/changelist/links.py) still lead to each row's own pages."""

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests import factories


def test_every_row_link_leads_to_its_own_row(client: TestClient, db: Session) -> None:
    events = [factories.make_event(db, title=f"Linked {n}") for n in range(5)]
    page = client.get("/admin/event/list", params={"search": "Linked"}).text
    for event in events:
        assert f'href="/admin/event/details/{event.id}"' in page
        assert f'href="/admin/event/edit/{event.id}?search=Linked"' in page
        assert f'data-url="/admin/event/delete?pks={event.id}"' in page
        assert f'href="/admin/user/details/{event.organizer_id}"' in page
        details = client.get(f"/admin/event/details/{event.id}").text
        assert event.title in details
    # Links are paths: no row repeats the scheme and host.
    assert not re.search(r'href="http://testserver/admin/(event|user)/details/', page)
