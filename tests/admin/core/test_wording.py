"""Staff read words, not codes: audit actions, change-set kinds and models, and counts with one
number format."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from admin_app.admin.core.wording import AUDIT_ACTIONS, CHANGE_SET_KINDS, MODELS, counted, in_words
from admin_app.models import SocialStatus
from tests import factories


class _Events:
    name = "Event"
    name_plural = "Events"


@pytest.mark.parametrize("code", [*AUDIT_ACTIONS, *CHANGE_SET_KINDS, *MODELS])
def test_every_code_staff_meet_has_words_without_underscores(code: str) -> None:
    words = in_words(code)
    assert "_" not in words and "-" not in words and words[0].isupper()


def test_counts_use_one_number_format() -> None:
    assert counted(1, _Events()) == "1 event"
    assert counted(12_345, _Events()) == "12,345 events"


def test_audit_log_filters_offer_batch_edit_and_models_in_words(client: TestClient) -> None:
    page = client.get("/admin/audit-entry/list").text
    sidebar = page.split('id="filter-sidebar"')[1]
    for words in ("Batch edit", "Set social status", "Saved view", "Password change"):
        assert words in sidebar
    assert not re.search(r">\s*(set_status|batch_edit|saved-view)\s*<", sidebar)


def test_audit_log_and_change_sets_show_actions_in_words(client: TestClient, db: Session) -> None:
    event = factories.make_event(db, title="T-x", social_status=SocialStatus.PUBLIC)
    client.post(
        "/admin/event/bulk/set-status",
        data={"pks": str(event.id), "status": "private"},
        follow_redirects=False,
    )
    for path in ("/admin/audit-entry/list", "/admin/change-set/list"):
        page = client.get(path).text
        table = page.split("<table")[1].split("</table>")[0]
        assert "Set social status" in table, path
        assert not re.search(r"<td>\s*set_status\s*</td>", table), path
