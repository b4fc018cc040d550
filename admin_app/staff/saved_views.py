"""Saved list views, one function per rule: who sees a view (its owner, or everyone once shared),
who may share it or make it a list's team default (admins and editors), who may change it (its
owner, or an admin), names unique per owner and list. Knows no HTTP.

Changes go through the ORM, so the audit trail records them like any change (audit.AUDITED).
"""

from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, bindparam, case, func, or_, select
from sqlalchemy.orm import Session

from admin_app.models import VIEW_NAME_MAX_LENGTH, VIEW_QUERY_MAX_LENGTH, SavedView, StaffRole

# Roles that may show a view to everyone, and make a shared view a list's default.
SHARING_ROLES = frozenset({StaffRole.ADMIN, StaffRole.EDITOR})
# Views one staff member keeps on one list, and views the team shares on one list: without a
# cap every page's sidebar grew with each one (1,500 shared views: 477 kB a page).
MAX_OWN_VIEWS = 50
MAX_SHARED_VIEWS = 50
# Views the sidebar names under each list; a list's saved views page names them all.
SIDEBAR_VIEWS_PER_LIST = 8


class ViewRefused(ValueError):
    """A saved view change was refused; the message is fit to show to staff."""


def _visible(staff_id: Any) -> ColumnElement[bool]:
    return or_(SavedView.owner_id == staff_id, SavedView.shared.is_(True))


def _name_contains(search: str) -> ColumnElement[bool]:
    return SavedView.name.icontains(search, autoescape=True)


def _menu_order(staff_id: Any) -> list[Any]:
    # The team default first, then the staff member's own views, then the shared ones, by name.
    return [
        SavedView.team_default.desc(),
        case((SavedView.owner_id == staff_id, 0), else_=1),
        SavedView.name,
        SavedView.id,
    ]


def visible_to(
    session: Session, *, staff_id: int, identity: str, search: str = "", limit: int
) -> Sequence[SavedView]:
    """The views of one list this staff member sees (their own and every shared one), in the
    menu's order, whose names contain `search`."""
    statement = select(SavedView).where(_visible(staff_id), SavedView.identity == identity)
    if search:
        statement = statement.where(_name_contains(search))
    return session.scalars(statement.order_by(*_menu_order(staff_id)).limit(limit)).all()


def named(session: Session, *, staff_id: int, search: str, limit: int) -> Sequence[SavedView]:
    """The views on any list this staff member sees whose names contain `search`."""
    statement = select(SavedView).where(_visible(staff_id), _name_contains(search))
    return session.scalars(statement.order_by(*_menu_order(staff_id)).limit(limit)).all()


def first_of_each_list(
    session: Session, *, staff_id: int, per_list: int
) -> tuple[list[SavedView], dict[str, int]]:
    """The first `per_list` views of each list in the menu's order (the sidebar's), and how
    many views each list has in all: one statement, window functions over the visible views."""
    params = {"staff_id": staff_id, "per_list": per_list}
    rows = session.execute(_first_of_each_list_statement(), params).all()
    totals = {view.identity: int(total) for view, total in rows}
    return [view for view, _ in rows], totals


@cache
def _first_of_each_list_statement() -> Select[SavedView, int]:
    # Built once, with its values as parameters: every page's sidebar runs it, and building it
    # (0.5 ms) cost four times what running it does.
    staff_id = bindparam("staff_id", type_=Integer)
    ranked = (
        select(
            SavedView.id,
            SavedView.identity,
            func.row_number()
            .over(partition_by=SavedView.identity, order_by=_menu_order(staff_id))
            .label("rank"),
            func.count().over(partition_by=SavedView.identity).label("total"),
        )
        .where(_visible(staff_id))
        .subquery()
    )
    return (
        select(SavedView, ranked.c.total)
        .join(ranked, ranked.c.id == SavedView.id)
        .where(ranked.c.rank <= bindparam("per_list", type_=Integer))
        .order_by(SavedView.identity, ranked.c.rank)
    )


def find(session: Session, *, view_id: int, staff_id: int) -> SavedView | None:
    """The view, if this staff member may see it (None either way otherwise: no probing)."""
    view = session.get(SavedView, view_id)
    if view is None or not (view.shared or view.owner_id == staff_id):
        return None
    return view


def team_default(session: Session, *, identity: str) -> SavedView | None:
    return session.scalars(
        select(SavedView).where(SavedView.identity == identity, SavedView.team_default.is_(True))
    ).first()


def _checked_name(session: Session, *, name: str, owner_id: int, identity: str, id_: int) -> str:
    cleaned = " ".join(name.replace("\x00", "").split())
    if not cleaned:
        raise ViewRefused("Give the view a name.")
    if len(cleaned) > VIEW_NAME_MAX_LENGTH:
        raise ViewRefused(f"A view's name has at most {VIEW_NAME_MAX_LENGTH} characters.")
    taken = session.scalar(
        select(SavedView.id).where(
            SavedView.owner_id == owner_id,
            SavedView.identity == identity,
            SavedView.name == cleaned,
            SavedView.id != id_,
        )
    )
    if taken is not None:
        raise ViewRefused(f"You already have a view named {cleaned!r} on this list.")
    return cleaned


def _check_sharing(session: Session, role: StaffRole, shared: bool, identity: str) -> None:
    if not shared:
        return
    if role not in SHARING_ROLES:
        raise ViewRefused("Only admins and editors may share a view with everyone.")
    count = select(func.count()).where(SavedView.identity == identity, SavedView.shared.is_(True))
    if (session.scalar(count) or 0) >= MAX_SHARED_VIEWS:
        raise ViewRefused(
            f"The team already shares {MAX_SHARED_VIEWS} views of this list: delete or unshare "
            "one first."
        )


def _check_own_count(session: Session, owner_id: int, identity: str) -> None:
    count = select(func.count()).where(
        SavedView.identity == identity, SavedView.owner_id == owner_id
    )
    if (session.scalar(count) or 0) >= MAX_OWN_VIEWS:
        raise ViewRefused(
            f"You have {MAX_OWN_VIEWS} views of this list already: delete one you no longer "
            "use first."
        )


def create(
    session: Session,
    *,
    owner_id: int,
    role: StaffRole,
    identity: str,
    name: str,
    query: str,
    shared: bool,
) -> SavedView:
    """Save a list's state under a name (committed)."""
    _check_sharing(session, role, shared, identity)
    _check_own_count(session, owner_id, identity)
    if len(query) > VIEW_QUERY_MAX_LENGTH:
        raise ViewRefused("This list's filters are too long to save as a view.")
    cleaned = _checked_name(session, name=name, owner_id=owner_id, identity=identity, id_=0)
    view = SavedView(owner_id=owner_id, identity=identity, name=cleaned, query=query, shared=shared)
    session.add(view)
    session.commit()
    return view


def may_change(view: SavedView, *, staff_id: int, role: StaffRole) -> bool:
    return view.owner_id == staff_id or role is StaffRole.ADMIN


def change(
    session: Session,
    view: SavedView,
    *,
    staff_id: int,
    role: StaffRole,
    name: str,
    shared: bool,
    team_default: bool,
) -> None:
    """Rename, share or unshare, make or unmake the list's team default (committed)."""
    if not may_change(view, staff_id=staff_id, role=role):
        raise ViewRefused("Only the view's owner or an admin may change it.")
    _check_sharing(session, role, shared and not view.shared, view.identity)
    if team_default and not view.team_default and role not in SHARING_ROLES:
        raise ViewRefused("Only admins and editors may set a list's team default.")
    if team_default and not shared:
        raise ViewRefused("Share the view with everyone before making it the team default.")
    view.name = _checked_name(
        session, name=name, owner_id=view.owner_id, identity=view.identity, id_=view.id
    )
    view.shared = shared
    if team_default and not view.team_default:
        # The list's previous default steps down in the same transaction, through the ORM so the
        # audit trail records it like any change; flushed first (one default per list).
        for previous in session.scalars(
            select(SavedView).where(
                SavedView.identity == view.identity, SavedView.team_default.is_(True)
            )
        ):
            previous.team_default = False
        session.flush()
    view.team_default = team_default
    session.commit()


def step_down(session: Session, view: SavedView, *, role: StaffRole) -> None:
    """The view stops being its list's team default (it stays, shared): admins and editors,
    who may make another view the default anyway, may also leave the list without one."""
    if role not in SHARING_ROLES:
        raise ViewRefused("Only admins and editors may change a list's team default.")
    view.team_default = False
    session.commit()


def delete(session: Session, view: SavedView, *, staff_id: int, role: StaffRole) -> None:
    if not may_change(view, staff_id=staff_id, role=role):
        raise ViewRefused("Only the view's owner or an admin may delete it.")
    session.delete(view)
    session.commit()
