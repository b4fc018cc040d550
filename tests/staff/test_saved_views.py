"""Saved view rules without HTTP: who sees a view, who shares it, one team default per list."""

import pytest
from sqlalchemy.orm import Session

from admin_app.models import StaffRole
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
    assert [v.name for v in saved_views.visible_to(db, staff_id=owner.id)] == ["Mine", "Ours"]
    assert [v.name for v in saved_views.visible_to(db, staff_id=other.id)] == ["Ours"]
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
