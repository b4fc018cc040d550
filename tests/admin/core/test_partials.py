"""Pages rendered by synchronous Jinja (admin/core/partials.py and changelist/page.py): indentation
dropped, never what a value holds."""

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from admin_app.admin.changelist.page import without_indentation
from tests import factories


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
