"""What each staff role may do, as SQLAdmin grants of (view identity, action)."""

from sqladmin.authorization import Action, GrantsAuthorizationBackend, custom_action
from starlette.requests import Request

from admin_app.models import StaffRole
from admin_app.web.auth import ROLE_STATE

_READ_ONLY = (Action.LIST, Action.DETAILS, Action.EXPORT)
# Editors change data but may not cascade-delete users with their events (admins only).
_EDITING = (
    *_READ_ONLY,
    Action.CREATE,
    Action.EDIT,
    Action.DELETE,
    custom_action("review-delete"),
    custom_action("set-status"),
)
_DATA_VIEWS = ("user", "event")
# Every staff member may change their own password and two-factor settings.
_OWN_ACCOUNT = frozenset({("account", "*"), ("account-mfa", "*")})

ROLE_GRANTS: dict[StaffRole, frozenset[tuple[str, str]]] = {
    StaffRole.ADMIN: frozenset({("*", "*")}),
    StaffRole.EDITOR: _OWN_ACCOUNT | {(view, str(a)) for view in _DATA_VIEWS for a in _EDITING},
    StaffRole.VIEWER: _OWN_ACCOUNT | {(view, str(a)) for view in _DATA_VIEWS for a in _READ_ONLY},
}


class RoleAuthorization(GrantsAuthorizationBackend):
    async def get_grants(self, request: Request) -> set[tuple[str, str]]:
        role = getattr(request.state, ROLE_STATE, None)
        return set(ROLE_GRANTS.get(role, frozenset())) if role else set()
