"""The inline events table's rows (admin/forms/inline_rows.py): the newest page of a user's events,
at a cost that does not grow with them."""

import re
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import event as sa_event
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from admin_app.models import Event, User
from tests import factories
from tests.history.conftest import text_of


def _form(client: TestClient, user_id: int, page: int = 1) -> tuple[str, dict[str, str]]:
    """The edit page and the fields its form would post, as served."""
    response = client.get(f"/admin/user/edit/{user_id}", params={"events_page": page})
    assert response.status_code == 200, response.text
    html = response.text
    fields = dict(re.findall(r'name="([^"]+)"(?:[^>]*?) value="([^"]*)"', html))
    for name in re.findall(r'<select name="([^"]+)"', html):
        block = html[html.index(f'<select name="{name}"') :]
        block = block[: block.index("</select>")]
        fields[name] = re.findall(r'<option value="([^"]*)"\s*selected', block)[0]
    fields = {k: v for k, v in fields.items() if not k.endswith("-delete")}
    fields["save"] = "Save"
    return html, fields


def _organizer_with(db: Session, count: int, email: str = "ann@example.org") -> User:
    user = factories.make_user(db, email=email)
    rows = [
        {
            "title": f"Talk {n}",
            "date_of": date(2020, 1, 1).fromordinal(date(2020, 1, 1).toordinal() + n),
            "social_status": "public",
            "organizer_id": user.id,
        }
        for n in range(count)
    ]
    if rows:
        db.execute(insert(Event), rows)
        db.commit()
    return user


def test_the_edit_page_shows_the_newest_25_events_and_pages_the_rest(
    client: TestClient, db: Session
) -> None:
    user = _organizer_with(db, 30)
    page, _ = _form(client, user.id)
    text = text_of(page)
    assert "Events organized (30)" in text and "page 1 of 2" in text
    assert "Talk 29" in page and "Talk 5" in page and 'value="Talk 4"' not in page
    assert f"/admin/event/list?organizer={user.id}" in page
    older, _ = _form(client, user.id, page=2)
    assert 'value="Talk 4"' in older and 'value="Talk 0"' in older and 'value="Talk 5"' not in older


def test_the_page_costs_the_same_statements_for_10_and_10000_events(
    client: TestClient, db: Session, session_factory: sessionmaker[Session]
) -> None:
    small = _organizer_with(db, 10, email="small@example.org")
    large = _organizer_with(db, 10_000, email="large@example.org")
    engine = session_factory.kw["bind"]
    counted: list[str] = []

    def count(*_args: object) -> None:
        counted.append("statement")

    sizes = {}
    statements = {}
    sa_event.listen(engine, "before_cursor_execute", count)
    try:
        for user in (small, large):
            counted.clear()
            response = client.get(f"/admin/user/edit/{user.id}")
            statements[user.id], sizes[user.id] = len(counted), len(response.content)
    finally:
        sa_event.remove(engine, "before_cursor_execute", count)
    assert statements[small.id] == statements[large.id]
    # The large page shows 25 rows where the small one shows 10; nothing else grows.
    per_row = (sizes[large.id] - sizes[small.id]) / 15
    assert per_row < 2_500 and sizes[large.id] < sizes[small.id] + 15 * 2_500
    assert db.scalar(select(func.count()).select_from(Event)) == 10_010
