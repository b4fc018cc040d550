"""Staff login for SQLAdmin: signed-cookie sessions checked against the staff table."""

from dataclasses import dataclass
from functools import cache
from typing import Any

import anyio.to_thread
from sqladmin.authentication import AuthenticationBackend
from sqlalchemy import Integer, Select, bindparam, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.datastructures import URL
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse

from admin_app import audit, clock
from admin_app.config import Settings
from admin_app.emails import normalize_email
from admin_app.jobs.notifications import unread_count_of
from admin_app.models import EMAIL_MAX_LENGTH, SavedView, Staff, StaffRole
from admin_app.staff import mfa, saved_views, throttle
from admin_app.staff.accounts import authenticate_staff, revoke_sessions
from admin_app.staff.preferences import Preferences
from admin_app.web.edge.csrf import CSRFMiddleware
from admin_app.web.edge.redirects import safe_next_path
from admin_app.web.form_bodies import text_form

# Request state: the logged-in staff member's role, and their preferences (columns, theme).
ROLE_STATE = "staff_role"
PREFERENCES_STATE = "staff_preferences"
UNREAD_STATE = "unread_notifications"
# The sidebar's saved views (staff/saved_views.first_of_each_list), read with a page's access.
SIDEBAR_VIEWS_STATE = "sidebar_views"
# Keys of the signed session cookie.
STAFF_STATE = "staff_id"
SESSION_VERSION = "session_version"
ISSUED_AT = "issued_at"
SEEN_AT = "seen_at"
PENDING_MFA = "mfa_pending"
MFA_ENROL_PATH = "/admin/account/mfa"
# Seconds between rewrites of the session's last-seen stamp (fewer Set-Cookie headers).
SEEN_RESOLUTION = 60
# Seconds a correct password stays good while the second factor is asked for.
SECOND_FACTOR_WINDOW = 5 * 60


@dataclass(frozen=True)
class LoginResult:
    staff: Staff | None
    retry_after: int = 0
    needs_second_factor: bool = False


@dataclass(frozen=True)
class _Access:
    role: StaffRole
    has_mfa: bool
    email: str
    preferences: Preferences
    # Unread notifications, for the bell in the top bar (read with the access, one query).
    unread: int = 0
    # The saved views every page's sidebar names (a page's: see authenticate).
    sidebar_views: tuple[list[SavedView], dict[str, int]] | None = None


class StaffAuthBackend(AuthenticationBackend):
    def __init__(self, *, settings: Settings, session_factory: sessionmaker[Session]) -> None:
        super().__init__(
            secret_key=settings.session_secret,
            session_cookie=settings.session_cookie_name,
            max_age=settings.session_lifetime,
            same_site="lax",
            https_only=settings.is_production,
        )
        # Inside the session middleware: the CSRF token lives in the session.
        self.middlewares.append(
            Middleware(CSRFMiddleware, trusted_origins=settings.trusted_origins)
        )
        self.session_factory = session_factory
        self.idle_timeout = settings.session_idle_timeout
        self.lifetime = settings.session_lifetime
        self.require_admin_mfa = settings.require_mfa

    async def attempt(self, request: Request, *, email: str, password: str) -> LoginResult:
        """Check the password under throttling; start a session, or ask for the second factor."""
        client = _client(request)
        result = await anyio.to_thread.run_sync(self._attempt_sync, email, password, client)
        if result.staff is None:
            return result
        # Rotate: nothing from before the login (including its CSRF token) carries over.
        request.session.clear()
        if result.needs_second_factor:
            stamp = int(clock.now().timestamp())
            request.session[PENDING_MFA] = {"staff_id": result.staff.id, "at": stamp}
        else:
            self._start_session(request, result.staff)
        return result

    async def second_factor(self, request: Request, *, code: str) -> LoginResult:
        """Finish a login whose password was right, with a TOTP or recovery code."""
        staff_id = self.pending_second_factor(request)
        if staff_id is None:
            return LoginResult(staff=None)
        client = _client(request)
        result = await anyio.to_thread.run_sync(self._second_factor_sync, staff_id, code, client)
        if result.staff is not None:
            request.session.clear()
            self._start_session(request, result.staff)
        return result

    def pending_second_factor(self, request: Request) -> int | None:
        pending = request.session.get(PENDING_MFA)
        if not isinstance(pending, dict) or not isinstance(pending.get("staff_id"), int):
            return None
        if int(clock.now().timestamp()) - int(pending.get("at", 0)) > SECOND_FACTOR_WINDOW:
            request.session.pop(PENDING_MFA, None)
            return None
        return int(pending["staff_id"])

    async def login(self, request: Request) -> bool:
        form = await text_form(request)
        email, password = str(form.get("username", "")), str(form.get("password", ""))
        result = await self.attempt(request, email=email, password=password)
        return result.staff is not None and not result.needs_second_factor

    async def logout(self, request: Request) -> RedirectResponse:
        staff_id = request.session.get(STAFF_STATE)
        request.session.clear()
        if isinstance(staff_id, int):
            await anyio.to_thread.run_sync(self._revoke_sessions, staff_id)
        url = URL(str(request.url_for("admin:login"))).include_query_params(notice="logged-out")
        return RedirectResponse(url, status_code=302)

    async def authenticate(self, request: Request) -> bool | RedirectResponse:
        audit.set_actor(None)
        staff_id = request.session.get(STAFF_STATE)
        if not isinstance(staff_id, int):
            request.session.clear()
            return self._to_login(request)
        if not self._fresh(request.session):
            request.session.clear()
            return self._to_login(request, notice="expired")
        # A page (a GET) names the saved views in its sidebar: read them on the same trip to
        # the database as the access (one thread hop and session, not two).
        access = await anyio.to_thread.run_sync(
            self._current_access,
            staff_id,
            request.session.get(SESSION_VERSION),
            request.method in ("GET", "HEAD"),
        )
        if access is None:
            request.session.clear()
            return self._to_login(request, notice="expired")
        setattr(request.state, ROLE_STATE, access.role)
        setattr(request.state, PREFERENCES_STATE, access.preferences)
        setattr(request.state, UNREAD_STATE, access.unread)
        if access.sidebar_views is not None:
            setattr(request.state, SIDEBAR_VIEWS_STATE, access.sidebar_views)
        audit.set_actor(audit.Actor(staff_id=staff_id, email=access.email, client=_client(request)))
        if self._must_enrol(access) and request.url.path != MFA_ENROL_PATH:
            return RedirectResponse(request.url_for("admin:view-account-mfa"), status_code=302)
        return True

    async def get_user_id(self, request: Request) -> Any:
        return request.session.get(STAFF_STATE)

    def requires_second_factor(self, role: StaffRole) -> bool:
        """Whether staff with this role must keep two-factor login on (REQUIRE_MFA: admins)."""
        return self.require_admin_mfa and role is StaffRole.ADMIN

    def _must_enrol(self, access: _Access) -> bool:
        return self.requires_second_factor(access.role) and not access.has_mfa

    @staticmethod
    def _start_session(request: Request, staff: Staff) -> None:
        stamp = int(clock.now().timestamp())
        request.session.update(
            {
                STAFF_STATE: staff.id,
                SESSION_VERSION: staff.session_version,
                ISSUED_AT: stamp,
                SEEN_AT: stamp,
            }
        )

    def _fresh(self, session: dict[str, Any]) -> bool:
        """Within the idle timeout and the absolute lifetime; refreshes the last-seen stamp."""
        now = int(clock.now().timestamp())
        issued, seen = session.get(ISSUED_AT), session.get(SEEN_AT)
        if not isinstance(issued, int) or not isinstance(seen, int):
            return False
        if now - issued > self.lifetime or now - seen > self.idle_timeout:
            return False
        if now - seen >= SEEN_RESOLUTION:
            session[SEEN_AT] = now
        return True

    @staticmethod
    def _to_login(request: Request, *, notice: str | None = None) -> RedirectResponse:
        """To the login page, back here after it (for a page, not a form's POST); `notice` is a
        code of LOGIN_NOTICES in admin/site/login_pages.py ("expired")."""
        url = URL(str(request.url_for("admin:login")))
        query = f"?{request.url.query}" if request.url.query else ""
        wanted = safe_next_path(request.url.path + query)
        if wanted and request.method == "GET":
            url = url.include_query_params(next=wanted)
        if notice:
            url = url.include_query_params(notice=notice)
        return RedirectResponse(url, status_code=302)

    def _attempt_sync(self, email: str, password: str, client: str) -> LoginResult:
        account = normalize_email(email)[:EMAIL_MAX_LENGTH]
        with self.session_factory() as session:
            wait = throttle.retry_after(session, account=account, client=client)
            if wait:
                return LoginResult(staff=None, retry_after=wait)
            staff = authenticate_staff(session, email=account, password=password)
            if staff is None:
                throttle.record_failure(session, account=account, client=client)
                return LoginResult(staff=None)
            if staff.mfa_secret:
                # The counter is only reset once the second factor is right too.
                return LoginResult(staff=staff, needs_second_factor=True)
            throttle.forget_failures(session, account=account)
            return LoginResult(staff=staff)

    def _second_factor_sync(self, staff_id: int, code: str, client: str) -> LoginResult:
        with self.session_factory() as session:
            staff = session.get(Staff, staff_id)
            if staff is None or not staff.is_active or not staff.mfa_secret:
                return LoginResult(staff=None)
            wait = throttle.retry_after(session, account=staff.email, client=client)
            if wait:
                return LoginResult(staff=None, retry_after=wait)
            ok = mfa.totp_matches(staff.mfa_secret, code) or mfa.use_recovery_code(
                session, staff_id=staff.id, code=code
            )
            if not ok:
                throttle.record_failure(session, account=staff.email, client=client)
                return LoginResult(staff=None)
            session.commit()
            throttle.forget_failures(session, account=staff.email)
            return LoginResult(staff=staff)

    def _current_access(
        self, staff_id: int, session_version: object, with_sidebar_views: bool
    ) -> _Access | None:
        # The cookie is only good while the account is active and its version unchanged.
        if not isinstance(session_version, int):
            return None
        with self.session_factory() as session:
            params = {"staff_id": staff_id, "session_version": session_version}
            row = session.execute(_access_statement(), params).first()
            if row is None:
                return None
            views = None
            if with_sidebar_views:
                views = saved_views.first_of_each_list(
                    session, staff_id=staff_id, per_list=saved_views.SIDEBAR_VIEWS_PER_LIST
                )
        return _Access(
            role=row[0],
            has_mfa=bool(row[1]),
            email=row[2],
            preferences=Preferences.from_stored(row[3]),
            unread=int(row[4] or 0),
            sidebar_views=views,
        )

    def _revoke_sessions(self, staff_id: int) -> None:
        with self.session_factory() as session:
            staff = session.get(Staff, staff_id)
            if staff is not None:
                revoke_sessions(staff)
                session.commit()


@cache
def _access_statement() -> Select[StaffRole, bool, str, Any, int]:
    # Built once, with its values as parameters: every request runs it, and building it cost
    # more than running it.
    return select(
        Staff.role,
        Staff.mfa_secret.is_not(None),
        Staff.email,
        Staff.preferences,
        unread_count_of(Staff.id),
    ).where(
        Staff.id == bindparam("staff_id", type_=Integer),
        Staff.is_active.is_(True),
        Staff.session_version == bindparam("session_version", type_=Integer),
    )


def preferences_of(request: Request) -> Preferences:
    """The logged-in staff member's preferences (defaults outside a staff request)."""
    found = getattr(request.state, PREFERENCES_STATE, None)
    return found if isinstance(found, Preferences) else Preferences()


def keep_session(request: Request, *, session_version: int) -> None:
    """Keep this browser logged in after its own account revoked its other sessions."""
    request.session[SESSION_VERSION] = session_version


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"
