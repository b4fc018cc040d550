"""Staff login for SQLAdmin: signed-cookie sessions checked against the staff table."""

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import anyio.to_thread
from sqladmin.authentication import AuthenticationBackend
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse

from admin_app import clock, throttle
from admin_app.config import Settings
from admin_app.csrf import CSRFMiddleware
from admin_app.emails import normalize_email
from admin_app.models import Staff, StaffRole
from admin_app.redirects import safe_next_path
from admin_app.staff import authenticate_staff

ROLE_STATE = "staff_role"
STAFF_STATE = "staff_id"
# Seconds between rewrites of the session's last-seen stamp (fewer Set-Cookie headers).
SEEN_RESOLUTION = 60


@dataclass(frozen=True)
class LoginResult:
    staff: Staff | None
    retry_after: int = 0


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
        self.middlewares.append(Middleware(CSRFMiddleware))
        self.session_factory = session_factory
        self.idle_timeout = settings.session_idle_timeout
        self.lifetime = settings.session_lifetime

    async def attempt(self, request: Request, *, email: str, password: str) -> LoginResult:
        """Check credentials under throttling; on success start a fresh session."""
        client = request.client.host if request.client else "unknown"
        result = await anyio.to_thread.run_sync(self._attempt_sync, email, password, client)
        if result.staff is not None:
            # Rotate: nothing from before the login (including its CSRF token) carries over.
            request.session.clear()
            stamp = int(clock.now().timestamp())
            request.session.update(
                {
                    STAFF_STATE: result.staff.id,
                    "session_version": result.staff.session_version,
                    "issued_at": stamp,
                    "seen_at": stamp,
                }
            )
        return result

    async def login(self, request: Request) -> bool:
        form = await request.form()
        email, password = str(form.get("username", "")), str(form.get("password", ""))
        return (await self.attempt(request, email=email, password=password)).staff is not None

    async def logout(self, request: Request) -> bool:
        staff_id = request.session.get(STAFF_STATE)
        request.session.clear()
        if isinstance(staff_id, int):
            await anyio.to_thread.run_sync(self._revoke_sessions, staff_id)
        return False

    async def authenticate(self, request: Request) -> bool | RedirectResponse:
        staff_id = request.session.get(STAFF_STATE)
        if not isinstance(staff_id, int) or not self._fresh(request.session):
            request.session.clear()
            return self._to_login(request)
        role = await anyio.to_thread.run_sync(
            self._current_role, staff_id, request.session.get("session_version")
        )
        if role is None:
            request.session.clear()
            return self._to_login(request)
        setattr(request.state, ROLE_STATE, role)
        return True

    async def get_user_id(self, request: Request) -> Any:
        return request.session.get(STAFF_STATE)

    def _fresh(self, session: dict[str, Any]) -> bool:
        """Within the idle timeout and the absolute lifetime; refreshes the last-seen stamp."""
        now = int(clock.now().timestamp())
        issued, seen = session.get("issued_at"), session.get("seen_at")
        if not isinstance(issued, int) or not isinstance(seen, int):
            return False
        if now - issued > self.lifetime or now - seen > self.idle_timeout:
            return False
        if now - seen >= SEEN_RESOLUTION:
            session["seen_at"] = now
        return True

    @staticmethod
    def _to_login(request: Request) -> RedirectResponse:
        url = str(request.url_for("admin:login"))
        wanted = safe_next_path(
            request.url.path + (f"?{request.url.query}" if request.url.query else "")
        )
        if wanted and request.method == "GET":
            url += "?" + urlencode({"next": wanted})
        return RedirectResponse(url, status_code=302)

    def _attempt_sync(self, email: str, password: str, client: str) -> LoginResult:
        account = normalize_email(email)[:320]
        with self.session_factory() as session:
            wait = throttle.retry_after(session, account=account, client=client)
            if wait:
                return LoginResult(staff=None, retry_after=wait)
            staff = authenticate_staff(session, email=account, password=password)
            if staff is None:
                throttle.record_failure(session, account=account, client=client)
            else:
                throttle.forget_failures(session, account=account)
            return LoginResult(staff=staff)

    def _current_role(self, staff_id: int, session_version: object) -> StaffRole | None:
        # The cookie is only good while the account is active and its version unchanged.
        if not isinstance(session_version, int):
            return None
        with self.session_factory() as session:
            row = session.execute(
                select(Staff.role).where(
                    Staff.id == staff_id,
                    Staff.is_active.is_(True),
                    Staff.session_version == session_version,
                )
            ).first()
        return row[0] if row else None

    def _revoke_sessions(self, staff_id: int) -> None:
        with self.session_factory() as session:
            staff = session.get(Staff, staff_id)
            if staff is not None:
                staff.session_version += 1
                session.commit()
