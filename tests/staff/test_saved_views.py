"""Saved view rules without HTTP: who sees a view, who shares it, one team default per list."""

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from admin_app.models import SavedView, StaffRole
from admin_app.staff import saved_views
from admin_app.staff.saved_views import ViewRefused
from tests import factories


def test_visible_to_owner_and_everyone_once_shared(db: Session) -> None:
    owner, other = factories.make_staff(db), factories.make_staff(db)
    private = saved_views.create(
        db,
        owner_id=owner.id,
        role=StaffRole.VIEWER,
        identity="event",
        name="Mine",
        query="search=a",
        shared=False,
    )
    shared = saved_views.create(
        db,
        owner_id=owner.id,
        role=StaffRole.EDITOR,
        identity="event",
        name="Ours",
        query="search=b",
        shared=True,
    )

    def names(staff_id: int) -> list[str]:
        found = saved_views.visible_to(db, staff_id=staff_id, identity="event", limit=10)
        return [view.name for view in found]

    assert names(owner.id) == ["Mine", "Ours"]
    assert names(other.id) == ["Ours"]
    assert saved_views.find(db, view_id=private.id, staff_id=other.id) is None
    assert saved_views.find(db, view_id=shared.id, staff_id=other.id) is shared


def test_one_team_default_per_list(db: Session) -> None:
    admin = factories.make_staff(db, role=StaffRole.ADMIN)
    views = [
        saved_views.create(
            db,
            owner_id=admin.id,
            role=StaffRole.ADMIN,
            identity="event",
            name=name,
            query="",
            shared=True,
        )
        for name in ("A", "B")
    ]
    for view in views:
        saved_views.change(
            db,
            view,
            staff_id=admin.id,
            role=StaffRole.ADMIN,
            name=view.name,
            shared=True,
            team_default=True,
        )
    found = saved_views.team_default(db, identity="event")
    assert found is not None and found.name == "B"
    assert saved_views.team_default(db, identity="user") is None


def test_a_private_view_cannot_be_the_team_default(db: Session) -> None:
    editor = factories.make_staff(db, role=StaffRole.EDITOR)
    view = saved_views.create(
        db,
        owner_id=editor.id,
        role=StaffRole.EDITOR,
        identity="event",
        name="A",
        query="",
        shared=False,
    )
    with pytest.raises(ViewRefused, match="Share the view"):
        saved_views.change(
            db,
            view,
            staff_id=editor.id,
            role=StaffRole.EDITOR,
            name="A",
            shared=False,
            team_default=True,
        )


def test_an_overlong_state_is_refused(db: Session) -> None:
    staff = factories.make_staff(db)
    with pytest.raises(ViewRefused, match="too long"):
        saved_views.create(
            db,
            owner_id=staff.id,
            role=StaffRole.ADMIN,
            identity="event",
            name="A",
            query="search=" + "a" * 2_000,
            shared=False,
        )


def test_the_sidebar_takes_the_team_default_then_ones_own_then_shared_views(db: Session) -> None:
    me, other = factories.make_staff(db), factories.make_staff(db)

    def save(owner_id: int, name: str, shared: bool, identity: str = "event") -> None:
        role = StaffRole.EDITOR
        saved_views.create(
            db, owner_id=owner_id, role=role, identity=identity, name=name, query="", shared=shared
        )

    save(other.id, "A shared", True)
    save(other.id, "B default", True)
    save(me.id, "Z mine", False)
    save(other.id, "C theirs, private", False)
    save(other.id, "Users view", True, identity="user")
    default = db.scalars(select(SavedView).where(SavedView.name == "B default")).one()
    saved_views.change(
        db, default, staff_id=other.id, role=StaffRole.EDITOR,
        name=default.name, shared=True, team_default=True,
    )  # fmt: skip
    first, totals = saved_views.first_of_each_list(db, staff_id=me.id, per_list=2)
    assert [view.name for view in first] == ["B default", "Z mine", "Users view"]
    assert totals == {"event": 3, "user": 1}
