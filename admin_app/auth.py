"""Staff login for SQLAdmin: signed-cookie sessions checked against the staff table."""

from typing import Any

import anyio.to_thread
from sqladmin.authentication import AuthenticationBackend
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import Request

from admin_app.models import Staff, StaffRole
from admin_app.staff import authenticate_staff

ROLE_STATE = "staff_role"


class StaffAuthBackend(AuthenticationBackend):
    def __init__(
        self,
        *,
        secret_key: str,
        session_factory: sessionmaker[Session],
        max_age: int,
        https_only: bool,
    ) -> None:
        super().__init__(
            secret_key=secret_key,
            session_cookie="events_admin_session",
            max_age=max_age,
            same_site="lax",
            https_only=https_only,
        )
        self.session_factory = session_factory

    async def login(self, request: Request) -> bool:
        form = await request.form()
        email, password = str(form.get("username", "")), str(form.get("password", ""))
        staff = await anyio.to_thread.run_sync(self._check_credentials, email, password)
        # A fresh session on every login: nothing from before the login carries over.
        request.session.clear()
        if staff is None:
            return False
        request.session.update({"staff_id": staff.id, "session_version": staff.session_version})
        return True

    async def logout(self, request: Request) -> bool:
        staff_id = request.session.get("staff_id")
        request.session.clear()
        if isinstance(staff_id, int):
            await anyio.to_thread.run_sync(self._revoke_sessions, staff_id)
        return False

    async def authenticate(self, request: Request) -> bool:
        staff_id = request.session.get("staff_id")
        if not isinstance(staff_id, int):
            return False
        role = await anyio.to_thread.run_sync(
            self._current_role, staff_id, request.session.get("session_version")
        )
        if role is None:
            request.session.clear()
            return False
        setattr(request.state, ROLE_STATE, role)
        return True

    async def get_user_id(self, request: Request) -> Any:
        return request.session.get("staff_id")

    def _check_credentials(self, email: str, password: str) -> Staff | None:
        with self.session_factory() as session:
            return authenticate_staff(session, email=email, password=password)

    def _current_role(self, staff_id: int, session_version: object) -> StaffRole | None:
        # The cookie is only good while the account is active and its version unchanged.
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
