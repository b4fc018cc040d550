"""Pages rendered by synchronous Jinja (admin/core/partials.py and changelist/page.py): indentation
dropped, never what a value holds."""

import re

import jinja2
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from admin_app.admin.core.partials import flush_left, install_untranslated
from tests import factories


def test_the_list_page_drops_indentation_but_keeps_what_values_hold(
    client: TestClient, db: Session
) -> None:
    factories.make_event(db, title="a\n   b")
    page = client.get("/admin/event/list", params={"search": "a\n   b"}).text
    assert not re.search(r"\n[ \t]+<", page)
    assert 'value="a\n   b"' in page  # the search box still holds the term as typed


def test_templates_load_flush_left_except_where_whitespace_is_content() -> None:
    assert flush_left("  <p>\n    <b>a</b>\n\t a {{ x }}</p>") == "<p>\n<b>a</b>\na {{ x }}</p>"
    kept = "<form>\n  <textarea>\n  line one\n    line two</textarea>  <i>x</i>\n  </form>"
    assert (
        flush_left(kept)
        == "<form>\n<textarea>\n  line one\n    line two</textarea>  <i>x</i>\n</form>"
    )
    assert (
        flush_left("<div>\n  <pre>\n  x\n</pre>\n  </div>") == "<div>\n<pre>\n  x\n</pre>\n</div>"
    )


def test_every_page_is_flush_left(client: TestClient, db: Session) -> None:
    factories.make_event(db, title="plain")
    for path in ["/admin/", "/admin/event/create", "/admin/user/list", "/admin/account/display"]:
        page = client.get(path).text
        assert not re.search(r"\n[ \t]+<", page), path


@pytest.mark.parametrize("autoescape", [True, False])
@pytest.mark.parametrize(
    "source",
    [
        '{{ _("Search") }}',
        '{{ _("%(size)s / Page", size=25) }}',
        '{{ _("Showing %(start)s of %(count)s", start="<b>", count="1,000") }}',
        '{{ gettext("100%% done") }}',
        '{% for n in [1, 2] %}{% set x = n %}{{ _("Row %(n)s", n=x) }}{% endfor %}',
    ],
)
def test_untranslated_text_reads_as_jinjas_null_translations(autoescape: bool, source: str) -> None:
    # The panel's `_` skips Jinja's context-passing calls; what it writes must not change.
    jinjas = jinja2.Environment(extensions=["jinja2.ext.i18n"], autoescape=autoescape)
    jinjas.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    ours = jinja2.Environment(extensions=["jinja2.ext.i18n"], autoescape=autoescape)
    ours.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    install_untranslated(ours)
    assert ours.from_string(source).render() == jinjas.from_string(source).render()
