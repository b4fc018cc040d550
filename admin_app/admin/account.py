"""Every staff member's own page: change their password (the current one is required)."""

import anyio.to_thread
from sqladmin import BaseView, expose
from sqladmin.flash import flash
from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from admin_app.db import sync_factory
from admin_app.models import Staff
from admin_app.staff.passwords import hash_password, password_problem, verify_password
from admin_app.web.auth import STAFF_STATE
from admin_app.web.form_bodies import text_form

TEMPLATE = "account_password.html"


def change_password(
    factory: sessionmaker[Session], *, staff_id: int, current: str, new: str, confirm: str
) -> tuple[dict[str, str], int | None]:
    """Field errors, or none and the account's new session version."""
    with factory() as session:
        staff = session.get(Staff, staff_id)
        if staff is None or not verify_password(staff.password_hash, current):
            return {"current_password": "This is not your current password."}, None
        if problem := password_problem(new):
            return {"new_password": problem}, None
        if new != confirm:
            return {"confirm_password": "The two new passwords differ."}, None
        staff.password_hash = hash_password(new)
        staff.session_version += 1
        session.commit()
        return {}, staff.session_version


class AccountView(BaseView):
    name = "Change password"
    icon = "fa-solid fa-key"

    @expose("/account/password", methods=["GET", "POST"], identity="account")
    async def password(self, request: Request) -> Response:
        if request.method != "POST":
            return await self._render(request, errors={})
        form = await text_form(request)
        fields = {
            key: str(form.get(key, ""))
            for key in ("current_password", "new_password", "confirm_password")
        }
        errors, version = await anyio.to_thread.run_sync(self._change, request, fields)
        if version is None:
            return await self._render(request, errors=errors, status_code=400)
        # This browser stays logged in; every other session of the account is revoked.
        request.session["session_version"] = version
        flash(request, "Password changed. Your other sessions were logged out.", category="success")
        return RedirectResponse(request.url_for("admin:index"), status_code=302)

    def _change(
        self, request: Request, fields: dict[str, str]
    ) -> tuple[dict[str, str], int | None]:
        return change_password(
            sync_factory(self._admin_ref.session_maker),
            staff_id=int(request.session[STAFF_STATE]),
            current=fields["current_password"],
            new=fields["new_password"],
            confirm=fields["confirm_password"],
        )

    async def _render(
        self, request: Request, *, errors: dict[str, str], status_code: int = 200
    ) -> Response:
        return await self.templates.TemplateResponse(
            request,
            TEMPLATE,
            {"errors": errors, "title": "Change password"},
            status_code=status_code,
        )
