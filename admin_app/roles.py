"""What each staff role may do, as SQLAdmin grants of (view identity, action)."""

from sqladmin.authorization import Action, GrantsAuthorizationBackend
from starlette.requests import Request

from admin_app.auth import ROLE_STATE
from admin_app.models import StaffRole

_READ_ONLY = (Action.LIST, Action.DETAILS, Action.EXPORT)
_DATA_VIEWS = ("user", "event")
# Every staff member may change their own password and two-factor settings.
_OWN_ACCOUNT = frozenset({("account", "*"), ("account-mfa", "*")})

ROLE_GRANTS: dict[StaffRole, frozenset[tuple[str, str]]] = {
    StaffRole.ADMIN: frozenset({("*", "*")}),
    StaffRole.EDITOR: _OWN_ACCOUNT | {(view, "*") for view in _DATA_VIEWS},
    StaffRole.VIEWER: _OWN_ACCOUNT | {(view, str(a)) for view in _DATA_VIEWS for a in _READ_ONLY},
}


class RoleAuthorization(GrantsAuthorizationBackend):
    async def get_grants(self, request: Request) -> set[tuple[str, str]]:
        role = getattr(request.state, ROLE_STATE, None)
        return set(ROLE_GRANTS.get(role, frozenset())) if role else set()
