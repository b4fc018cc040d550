"""What each staff role may do, as SQLAdmin grants of (view identity, action)."""

from typing import TypeVar

from sqladmin.authorization import Action, GrantsAuthorizationBackend, custom_action
from sqlalchemy.orm import Session, sessionmaker
from starlette.exceptions import HTTPException
from starlette.requests import Request

from admin_app import audit
from admin_app.admin.core.bulk_kinds import BULK_KINDS
from admin_app.admin.core.ids import parse_id
from admin_app.history.refusals import Acting
from admin_app.jobs.store import Owner
from admin_app.models import Import, Job, Staff, StaffRole
from admin_app.web.auth import ROLE_STATE, STAFF_STATE

_READ_ONLY = (Action.LIST, Action.DETAILS, Action.EXPORT)
# Editors change data but may not cascade-delete users with their events (admins only).
_EDITING = (
    *_READ_ONLY,
    Action.CREATE,
    Action.EDIT,
    Action.DELETE,
    *(custom_action(kind.action) for kind in BULK_KINDS.values()),
    custom_action("revert"),
)
_DATA_VIEWS = ("user", "event")
# What a staff member who is not an admin sees of audit data (change sets and their entries,
# history, recently deleted): rows of these kinds only; never staff accounts, saved views or the
# addresses staff worked from.
DATA_TARGETS = frozenset(_DATA_VIEWS)
# Everyone sees what was deleted; editors bring it back and undo change sets. Purging, and
# undoing another staff member's change set of over 1,000 rows, are left to admins.
_SEE_DELETED = frozenset({("recently-deleted", str(Action.LIST))})
_TIME_MACHINE = _SEE_DELETED | {
    ("recently-deleted", custom_action("restore")),
    ("change-set", str(Action.LIST)),
    ("change-set", str(Action.DETAILS)),
    ("change-set", custom_action("undo")),
}
# Every staff member may change their own password and two-factor settings, and follow their
# own background jobs and notifications (jobs_page.py shows each their own; admins everyone's).
_OWN_ACCOUNT = frozenset(
    {
        ("account", "*"),
        ("account-mfa", "*"),
        ("jobs", "*"),
        ("job", "*"),
        ("job-file", "*"),
        ("notifications", "*"),
    }
)

# Editors import files to the lists they edit (admin/actions/imports/pages.py checks create
# and edit on the list too); viewers do not.
_IMPORTS = frozenset(
    {
        ("imports", "*"),
        ("import-new", "*"),
        ("import", "*"),
        ("import-errors", "*"),
        ("import-sample", "*"),
    }
)

ROLE_GRANTS: dict[StaffRole, frozenset[tuple[str, str]]] = {
    StaffRole.ADMIN: frozenset({("*", "*")}),
    StaffRole.EDITOR: _OWN_ACCOUNT
    | _TIME_MACHINE
    | _IMPORTS
    | {(view, str(a)) for view in _DATA_VIEWS for a in _EDITING},
    StaffRole.VIEWER: _OWN_ACCOUNT
    | _SEE_DELETED
    | {(view, str(a)) for view in _DATA_VIEWS for a in _READ_ONLY},
}


def active_role(session: Session, staff_id: int | None) -> StaffRole | None:
    """A staff member's role as it is now, None when the account is gone or deactivated (a
    worker asks before it runs a job asked under an earlier role)."""
    staff = session.get(Staff, staff_id) if staff_id is not None else None
    return staff.role if staff is not None and staff.is_active else None


def role_may(role: StaffRole, identity: str, action: str) -> bool:
    """Whether a role's grants allow `action` on a view, outside a request (a worker re-checks
    a job's owner with it)."""
    grants = ROLE_GRANTS.get(role, frozenset())
    return ("*", "*") in grants or (identity, action) in grants


class RoleAuthorization(GrantsAuthorizationBackend):
    async def get_grants(self, request: Request) -> set[tuple[str, str]]:
        role = getattr(request.state, ROLE_STATE, None)
        return set(ROLE_GRANTS.get(role, frozenset())) if role else set()


def is_admin(request: Request) -> bool:
    return bool(getattr(request.state, ROLE_STATE, None) == StaffRole.ADMIN)


def job_owner(request: Request) -> Owner:
    """Who asks for a job from this request: the staff member, as the audit trail names them."""
    actor = audit.current_actor()
    return Owner(staff_id=acting(request).staff_id, email=actor.email if actor else "")


def acting(request: Request) -> Acting:
    """Who is asking, as the time machine's rules know them (history/refusals.py)."""
    staff_id = request.session.get(STAFF_STATE)
    known = staff_id if isinstance(staff_id, int) else None
    return Acting(staff_id=known, is_admin=is_admin(request))


Owned = TypeVar("Owned", Job, Import)


def owned_or_404(
    request: Request, sessions: sessionmaker[Session], model: type[Owned], key: str, noun: str
) -> Owned:
    """The job or import the URL's `key` names, when this staff member owns it or is an admin.
    Anyone else's is "not found", as if it did not exist (its id says nothing)."""
    row_id = parse_id(request.path_params[key])
    with sessions() as session:
        found = session.get(model, row_id) if row_id is not None else None
    who = acting(request)
    if found is None or not (who.is_admin or found.owner_id == who.staff_id):
        raise HTTPException(status_code=404, detail=f"There is no such {noun}.")
    return found
