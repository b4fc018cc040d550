"""Saved list views, one function per rule: who sees a view (its owner, or everyone once shared),
who may share it or make it a list's team default (admins and editors), who may change it (its
owner, or an admin), names unique per owner and list. Knows no HTTP.

Changes go through the ORM, so the audit trail records them like any change (audit.AUDITED).
"""

from collections.abc import Sequence

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from admin_app.models import VIEW_NAME_MAX_LENGTH, VIEW_QUERY_MAX_LENGTH, SavedView, StaffRole

# Roles that may show a view to everyone, and make a shared view a list's default.
SHARING_ROLES = frozenset({StaffRole.ADMIN, StaffRole.EDITOR})


class ViewRefused(ValueError):
    """A saved view change was refused; the message is fit to show to staff."""


def visible_to(session: Session, *, staff_id: int) -> Sequence[SavedView]:
    """The views this staff member sees: their own and every shared one, by list and name."""
    return session.scalars(
        select(SavedView)
        .where(or_(SavedView.owner_id == staff_id, SavedView.shared.is_(True)))
        .order_by(SavedView.identity, SavedView.name, SavedView.id)
    ).all()


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


def _check_sharing(role: StaffRole, shared: bool) -> None:
    if shared and role not in SHARING_ROLES:
        raise ViewRefused("Only admins and editors may share a view with everyone.")


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
    _check_sharing(role, shared)
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
    _check_sharing(role, shared and not view.shared)
    if team_default and not view.team_default and role not in SHARING_ROLES:
        raise ViewRefused("Only admins and editors may set a list's team default.")
    if team_default and not shared:
        raise ViewRefused("Share the view with everyone before making it the team default.")
    view.name = _checked_name(
        session, name=name, owner_id=view.owner_id, identity=view.identity, id_=view.id
    )
    view.shared = shared
    if team_default and not view.team_default:
        # The list's previous default steps down in the same transaction.
        session.execute(
            update(SavedView)
            .where(SavedView.identity == view.identity, SavedView.team_default.is_(True))
            .values(team_default=False)
        )
    view.team_default = team_default
    session.commit()


def delete(session: Session, view: SavedView, *, staff_id: int, role: StaffRole) -> None:
    if not may_change(view, staff_id=staff_id, role=role):
        raise ViewRefused("Only the view's owner or an admin may delete it.")
    session.delete(view)
    session.commit()
