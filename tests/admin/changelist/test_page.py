"""The list page rendered without Jinja's async runtime (admin/changelist/page.py, list_rows.py):
what each role may do still decides what it shows, rows carry their values and links, and the
page leaves its templates' indentation behind."""

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from admin_app.admin.changelist.page import without_indentation
from admin_app.models import SocialStatus, StaffRole
from tests import factories
from tests.conftest import RoleClient


def test_each_role_sees_the_tools_it_may_use(client_as: RoleClient, db: Session) -> None:
    factories.make_event(db, title="Harbour walk")
    shown = {
        role: client_as(role).get("/admin/event/list").text
        for role in (StaffRole.ADMIN, StaffRole.EDITOR, StaffRole.VIEWER)
    }
    for role, page in shown.items():
        assert "Harbour walk" in page, role
        assert 'id="export-links"' in page, role  # every role may export
    for role in (StaffRole.ADMIN, StaffRole.EDITOR):
        assert "/admin/event/create" in shown[role]
        assert 'id="action-delete"' in shown[role]
        assert "data-cell-url=" in shown[role]  # cells editable in place
        assert 'title="Edit"' in shown[role]
    viewer = shown[StaffRole.VIEWER]
    assert "/admin/event/create" not in viewer and 'id="action-delete"' not in viewer
    assert "data-cell-url=" not in viewer and 'title="Edit"' not in viewer
    assert 'title="View"' in viewer


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


def test_the_organizer_filter_names_the_chosen_user(client: TestClient, db: Session) -> None:
    organizer = factories.make_user(db, email="noor@example.org")
    factories.make_event(db, organizer=organizer)
    page = client.get(f"/admin/event/list?organizer={organizer.id}").text
    assert re.search(r'name="organizer"[^>]*value="noor@example\.org"', page)
    page = client.get("/admin/event/list?social_status=private").text
    # The chosen value is shown as chosen: its box ticked in the filter bar.
    assert re.search(r'name="social_status" value="private" checked', page)
    assert not re.search(r'name="social_status" value="public" checked', page)


def test_the_list_page_drops_indentation_but_keeps_what_values_hold(
    client: TestClient, db: Session
) -> None:
    factories.make_event(db, title="a\n   b")
    page = client.get("/admin/event/list", params={"search": "a\n   b"}).text
    assert not re.search(r"\n[ \t]+<", page)
    assert 'value="a\n   b"' in page  # the search box still holds the term as typed


def test_indentation_stays_where_whitespace_is_content() -> None:
    assert (
        without_indentation("<p>\n    <b>a</b>\n\t <i>b</i></p>") == "<p>\n<b>a</b>\n<i>b</i></p>"
    )
    assert without_indentation("<p>\n    a</p>") == "<p>\n    a</p>"
    kept = "<form>\n  <textarea>\n  line one\n    line two</textarea></form>"
    assert without_indentation(kept) == kept
    assert without_indentation("<pre>\n  x\n</pre>") == "<pre>\n  x\n</pre>"
