"""Saved views: a list's state kept under a name, at a stable URL, private or shared, the team's
default, renamed and deleted, audited; export and bulk pages act on it as on the same filters."""

import csv
import html
import io
import re
from urllib.parse import parse_qsl, urlsplit

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from admin_app.models import AuditEntry, SavedView, SocialStatus, StaffRole
from admin_app.staff.saved_views import MAX_OWN_VIEWS, MAX_SHARED_VIEWS, SIDEBAR_VIEWS_PER_LIST
from tests import factories
from tests.conftest import RoleClient


def _events(db: Session) -> None:
    ann = factories.make_user(db, email="ann@example.org")
    bob = factories.make_user(db, email="bob@example.org")
    for title, status, organizer in [
        ("Jazz brunch", "private", ann),
        ("Jazz night", "private", bob),
        ("Jazz picnic", "public", ann),
        ("Quiz night", "private", ann),
    ]:
        factories.make_event(
            db, organizer=organizer, title=title, social_status=SocialStatus(status)
        )


def _save(client: TestClient, name: str, state: str, *, shared: bool = False) -> str:
    data = {"name": name, "state": state, **({"shared": "yes"} if shared else {})}
    response = client.post("/admin/event/saved-views", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text
    return str(response.headers["location"])


def _titles(page: str) -> list[str]:
    return re.findall(r"<td>((?:Jazz|Quiz)[^<]*)</td>", page)


def _csv_titles(client: TestClient, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, response.text
    return [row["title"] for row in csv.DictReader(io.StringIO(response.text))]


def test_a_saved_view_opens_at_its_stable_url_with_the_same_rows(
    client: TestClient, db: Session
) -> None:
    _events(db)
    state = "social_status=private&search=jazz&sortBy=title&sort=asc&pageSize=50&page=2"
    url = _save(client, "Private jazz", state)
    assert re.fullmatch(r"/admin/event/saved-view/\d+", url)
    opened = client.get(url, follow_redirects=False)
    assert opened.status_code == 302
    target = urlsplit(opened.headers["location"])
    params = dict(parse_qsl(target.query))
    # Filters, search, sort and page size are kept; the page and the selection are not.
    assert params == {
        "social_status": "private",
        "search": "jazz",
        "sortBy": "title",
        "sort": "asc",
        "pageSize": "50",
        "view": params["view"],
    }
    page = client.get(opened.headers["location"]).text
    by_hand = client.get(
        "/admin/event/list?social_status=private&search=jazz&sortBy=title&sort=asc&pageSize=50"
    ).text
    assert _titles(page) == _titles(by_hand) == ["Jazz brunch", "Jazz night"]
    assert 'id="current-view"' in page and "Private jazz" in page


def test_export_and_bulk_pages_act_on_the_view_as_on_typed_filters(
    client: TestClient, db: Session
) -> None:
    _events(db)
    url = _save(client, "Private jazz", "social_status=private&search=jazz")
    page = client.get(url).text
    export = re.search(r'href="([^"]*/export/csv[^"]*)"', page)
    assert export is not None
    exported = _csv_titles(client, export.group(1).replace("&amp;", "&"))
    typed = _csv_titles(client, "/admin/event/export/csv?social_status=private&search=jazz")
    assert sorted(exported) == sorted(typed) == ["Jazz brunch", "Jazz night"]
    # "Select all matching" on the view's list: the bulk page counts exactly those rows.
    listed = client.get(url).url
    query = urlsplit(str(listed)).query
    confirm = client.get(f"/admin/event/bulk/delete?scope=filter&{query}")
    assert confirm.status_code == 200
    assert re.search(r"\b2 events\b", confirm.text), confirm.text


def test_a_shared_view_appears_for_another_staff_member_a_private_one_does_not(
    client: TestClient, client_as: RoleClient, db: Session
) -> None:
    _events(db)
    shared = _save(client, "Team jazz", "search=jazz", shared=True)
    private = _save(client, "My quiz", "search=quiz")
    other = client_as(StaffRole.VIEWER)
    sidebar = other.get("/admin/").text
    assert "Team jazz" in sidebar and "My quiz" not in sidebar
    assert other.get(shared, follow_redirects=False).status_code == 302
    assert other.get(private, follow_redirects=False).status_code == 404
    # Same rows for both.
    mine = client.get(shared).text
    theirs = other.get(shared).text
    assert _titles(mine) == _titles(theirs) and len(_titles(mine)) == 3


def test_viewers_may_save_private_views_but_not_share(client_as: RoleClient, db: Session) -> None:
    viewer = client_as(StaffRole.VIEWER)
    response = viewer.post(
        "/admin/event/saved-views",
        data={"name": "Mine", "state": "search=x", "shared": "yes"},
        follow_redirects=True,
    )
    assert "Only admins and editors may share a view" in response.text
    assert db.scalars(select(SavedView)).all() == []
    assert (
        viewer.post(
            "/admin/event/saved-views", data={"name": "Mine", "state": "search=x"}
        ).status_code
        == 200
    )
    [view] = db.scalars(select(SavedView)).all()
    assert (view.name, view.shared) == ("Mine", False)


def test_rename_share_default_and_delete(client: TestClient, db: Session) -> None:
    _events(db)
    url = _save(client, "Jazz", "search=jazz")
    renamed = client.post(
        url,
        data={"action": "save", "name": "  All   jazz ", "shared": "yes", "team_default": "yes"},
        follow_redirects=False,
    )
    assert renamed.status_code == 303
    db.expire_all()
    [view] = db.scalars(select(SavedView)).all()
    assert (view.name, view.shared, view.team_default) == ("All jazz", True, True)
    # The bare list opens the team default; `?view=all` shows the whole list.
    bare = client.get("/admin/event/list", follow_redirects=False)
    assert bare.status_code == 302 and f"view={view.id}" in bare.headers["location"]
    assert client.get("/admin/event/list?view=all", follow_redirects=False).status_code == 200
    deleted = client.post(url, data={"action": "delete"}, follow_redirects=False)
    assert deleted.status_code == 303
    assert db.scalars(select(SavedView)).all() == []
    assert client.get(url).status_code == 404
    assert client.get("/admin/event/list", follow_redirects=False).status_code == 200


def test_a_new_team_default_replaces_the_old_one(client: TestClient, db: Session) -> None:
    first = _save(client, "First", "search=a", shared=True)
    second = _save(client, "Second", "search=b", shared=True)
    for url, name in [(first, "First"), (second, "Second")]:
        client.post(
            url, data={"action": "save", "name": name, "shared": "yes", "team_default": "yes"}
        )
    db.expire_all()
    defaults = db.scalars(select(SavedView.name).where(SavedView.team_default.is_(True))).all()
    assert defaults == ["Second"]


def test_bad_names_get_a_message_and_save_nothing(client: TestClient, db: Session) -> None:
    _save(client, "Jazz", "search=jazz")
    for name, message in [
        ("", "Give the view a name."),
        ("Jazz", "You already have a view named"),
        ("x" * 81, "at most 80 characters"),
    ]:
        page = client.post(
            "/admin/event/saved-views", data={"name": name, "state": "search=jazz"}
        ).text
        assert message in page, name
    assert len(db.scalars(select(SavedView)).all()) == 1


def test_only_the_owner_or_an_admin_changes_a_shared_view(
    client: TestClient, client_as: RoleClient, db: Session
) -> None:
    url = _save(client, "Team", "search=a", shared=True)
    editor = client_as(StaffRole.EDITOR)
    refused = editor.post(url, data={"action": "delete"}, follow_redirects=True)
    assert "Only the view's owner or an admin may delete it." in html.unescape(refused.text)
    assert len(db.scalars(select(SavedView)).all()) == 1

    def editors(name: str, shared: bool) -> str:
        data = {"name": name, "state": "search=b", **({"shared": "yes"} if shared else {})}
        saved = editor.post("/admin/event/saved-views", data=data, follow_redirects=False)
        return str(saved.headers["location"])

    # An admin may delete another's shared view; a private one stays private, even to admins.
    shared, private = editors("Editor's shared", True), editors("Editor's own", False)
    assert client.post(shared, data={"action": "delete"}, follow_redirects=False).status_code == 303
    assert client.post(private, data={"action": "delete"}).status_code == 404


def test_saved_view_changes_are_audited(client: TestClient, db: Session) -> None:
    url = _save(client, "Jazz", "search=jazz")
    client.post(url, data={"action": "save", "name": "Jazz 2"})
    client.post(url, data={"action": "delete"})
    entries = db.scalars(
        select(AuditEntry).where(AuditEntry.target == "saved-view").order_by(AuditEntry.id)
    ).all()
    assert [entry.action for entry in entries] == ["create", "update", "delete"]
    assert entries[1].changes == {"name": ["Jazz", "Jazz 2"]}


def test_a_view_of_another_list_or_a_malformed_id_is_a_404(client: TestClient) -> None:
    url = _save(client, "Jazz", "search=jazz")
    view_id = url.rsplit("/", 1)[1]
    assert client.get(f"/admin/user/saved-view/{view_id}").status_code == 404
    for bad in ["abc", "-1", "99999999999", "1.5"]:
        assert client.get(f"/admin/event/saved-view/{bad}").status_code == 404
        assert (
            client.post(f"/admin/event/saved-view/{bad}", data={"action": "delete"}).status_code
            == 404
        )


# Security round 3, findings 5, 6 and 8.


def test_a_state_the_list_would_refuse_is_not_saved(client: TestClient, db: Session) -> None:
    for state, message in [
        ("search=" + "x" * 1_001, "Search for at most 1,000 characters"),
        ("social_status=secret", "Unknown social status 'secret'"),
        ("columns=title,password", "Unknown column 'password'"),
    ]:
        page = client.post(
            "/admin/event/saved-views", data={"name": "Broken", "state": state, "shared": "yes"}
        )
        assert page.status_code == 200, state
        assert message in html.unescape(page.text), state
    assert db.scalars(select(SavedView)).all() == []


def _plant_broken_default(db: Session, owner_id: int) -> SavedView:
    # As a view saved before today's rules: the list would answer its state with a 400.
    view = SavedView(
        owner_id=owner_id,
        identity="event",
        name="Broken default",
        query="social_status=secret",
        shared=True,
        team_default=True,
    )
    db.add(view)
    db.commit()
    return view


def test_a_team_default_the_list_cannot_show_is_skipped_with_a_notice(
    client_as: RoleClient, db: Session
) -> None:
    editor = client_as(StaffRole.EDITOR)
    owner = factories.make_staff(db, role=StaffRole.EDITOR)
    broken = _plant_broken_default(db, owner.id)
    for role in StaffRole:
        browser = client_as(role)
        page = browser.get("/admin/event/list")
        assert page.status_code == 200, role
        shown = html.unescape(page.text)
        assert "The saved view 'Broken default' could not be applied" in shown
        assert f"?view={broken.id}" in str(page.url)
    # Another editor steps it down from the list page itself.
    page = editor.get(f"/admin/event/list?view={broken.id}")
    assert 'id="step-down"' in page.text
    stepped = editor.post(
        f"/admin/event/saved-view/{broken.id}",
        data={"action": "step_down"},
        follow_redirects=False,
    )
    assert stepped.status_code == 303
    db.expire_all()
    assert db.get(SavedView, broken.id).team_default is False  # type: ignore[union-attr]
    assert editor.get("/admin/event/list", follow_redirects=False).status_code == 200
    viewer = client_as(StaffRole.VIEWER)
    assert 'id="step-down"' not in viewer.get(f"/admin/event/list?view={broken.id}").text


def test_a_replaced_team_default_is_audited(client: TestClient, db: Session) -> None:
    first = _save(client, "First", "search=a", shared=True)
    second = _save(client, "Second", "search=b", shared=True)
    for url, name in [(first, "First"), (second, "Second")]:
        client.post(
            url, data={"action": "save", "name": name, "shared": "yes", "team_default": "yes"}
        )
    db.expire_all()
    first_id = int(first.rsplit("/", 1)[1])
    steps = db.scalars(
        select(AuditEntry).where(
            AuditEntry.target == "saved-view", AuditEntry.target_id == str(first_id)
        )
    ).all()
    assert {"team_default": [True, False]} in [entry.changes for entry in steps]


def _shared_views(db: Session, owner_id: int, names: list[str]) -> None:
    db.add_all(
        SavedView(owner_id=owner_id, identity="event", name=name, query="search=a", shared=True)
        for name in names
    )
    db.commit()


def test_views_per_staff_member_and_shared_views_per_list_are_capped(
    client: TestClient, client_as: RoleClient, db: Session
) -> None:
    owner = factories.make_staff(db, role=StaffRole.EDITOR)
    _shared_views(db, owner.id, [f"Team {n}" for n in range(MAX_SHARED_VIEWS)])
    refused = client.post(
        "/admin/event/saved-views", data={"name": "One more", "state": "", "shared": "yes"}
    )
    assert f"The team already shares {MAX_SHARED_VIEWS} views of this list" in refused.text
    viewer = client_as(StaffRole.VIEWER)
    for n in range(MAX_OWN_VIEWS):
        _save(viewer, f"Mine {n}", "search=a")
    refused = viewer.post("/admin/event/saved-views", data={"name": "Mine again", "state": ""})
    assert f"You have {MAX_OWN_VIEWS} views of this list already" in html.unescape(refused.text)
    db.expire_all()
    assert len(db.scalars(select(SavedView)).all()) == MAX_SHARED_VIEWS + MAX_OWN_VIEWS


def test_the_sidebar_names_a_few_views_per_list_and_links_to_all_of_them(
    client: TestClient, db: Session
) -> None:
    owner = factories.make_staff(db, role=StaffRole.EDITOR)
    names = [f"Team view {n:02d}" for n in range(30)]
    _shared_views(db, owner.id, names)
    page = client.get("/admin/").text
    named = [name for name in names if f">{name}<" in page]
    assert len(named) == SIDEBAR_VIEWS_PER_LIST
    assert f"{30 - SIDEBAR_VIEWS_PER_LIST} more…" in page
    everything = client.get("/admin/event/saved-views")
    assert everything.status_code == 200
    assert all(name in everything.text for name in names)
    found = client.get("/admin/event/saved-views", params={"search": "view 29"}).text
    assert "Team view 29" in found and "Team view 28" not in found
    # The palette finds a view the sidebar does not name.
    last = client.get("/admin/search", params={"q": "Team view 29"}).text
    assert "Team view 29" in last
