"""Which rows an action applies to (admin/changelist/selection.py): all the list matches except the
rows unticked, honoured by the list, its export and its bulk pages."""

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests import factories
from tests.history.conftest import text_of


def test_export_and_the_list_honour_the_unticked_rows(client: TestClient, db: Session) -> None:
    rows = [factories.make_event(db, title=f"Keep {n}") for n in range(4)]
    left_out = rows[1].id
    listing = client.get("/admin/event/list", params={"scope": "filter", "except": left_out})
    assert "All 4 rows matching the list are selected, except 1 you unticked." in text_of(
        listing.text
    )
    boxes = re.findall(r'aria-label="Select item (\d+)"\s*(checked)?', listing.text)
    ticked = {int(pk) for pk, checked in boxes if checked}
    assert len(boxes) == 4 and ticked == {row.id for row in rows} - {left_out}
    export = client.get("/admin/event/export/csv", params={"scope": "filter", "except": left_out})
    assert export.status_code == 200
    assert "Keep 1" not in export.text and all(f"Keep {n}" in export.text for n in (0, 2, 3))


def test_only_lists_with_bulk_pages_offer_select_all_matching(client: TestClient) -> None:
    assert 'id="selection-all-matching"' in client.get("/admin/event/list").text
    staff = client.get("/admin/staff/list", params={"scope": "filter"}).text
    assert 'id="selection-banner"' not in staff
