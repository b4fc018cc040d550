"""Each staff member's two-factor page: switch TOTP on (QR code, recovery codes) or off."""

from typing import Any

import anyio.to_thread
from sqladmin import expose
from sqlalchemy import delete
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from admin_app.admin.site.panel import PanelPage
from admin_app.models import RecoveryCode, Staff
from admin_app.staff import mfa
from admin_app.staff.passwords import verify_password
from admin_app.web.auth import STAFF_STATE
from admin_app.web.form_bodies import text_form

TEMPLATE = "account_mfa.html"
ENROL_SECRET = "mfa_enrol_secret"


class TwoFactorView(PanelPage):
    name = "Two-factor login"
    icon = "fa-solid fa-mobile-screen"

    @expose("/account/mfa", methods=["GET", "POST"], identity="account-mfa")
    async def two_factor(self, request: Request) -> Response:
        form = await text_form(request) if request.method == "POST" else None
        action = str(form.get("action", "")) if form else ""
        code = str(form.get("code", "")) if form else ""
        password = str(form.get("password", "")) if form else ""
        context = await anyio.to_thread.run_sync(self._handle, request, action, code, password)
        status_code = 400 if context.get("error") else 200
        return await self.templates.TemplateResponse(request, TEMPLATE, context, status_code)

    def _handle(self, request: Request, action: str, code: str, password: str) -> dict[str, Any]:
        with self.panel.sync_sessions() as session:
            staff = session.get(Staff, int(request.session[STAFF_STATE]))
            assert staff is not None  # authenticate() has just loaded this account
            context: dict[str, Any] = {"title": "Two-factor login"}
            if action == "enable" and not staff.mfa_secret:
                context |= _enable(session, request, staff, code)
            elif action == "disable" and staff.mfa_secret:
                context |= self._disable(session, staff, password)
            context["enabled"] = staff.mfa_secret is not None
            context["required"] = self._required_for(staff)
            if not staff.mfa_secret:
                secret = request.session.setdefault(ENROL_SECRET, mfa.new_secret())
                context["secret"] = secret
                context["qr_code"] = mfa.qr_code_data_uri(secret=secret, email=staff.email)
            return context

    def _required_for(self, staff: Staff) -> bool:
        return self.panel.staff_auth.requires_second_factor(staff.role)

    def _disable(self, session: Session, staff: Staff, password: str) -> dict[str, Any]:
        if self._required_for(staff):
            return {"error": "Admins must keep two-factor login on."}
        if not verify_password(staff.password_hash, password):
            return {"error": "This is not your current password."}
        staff.mfa_secret = None
        session.execute(delete(RecoveryCode).where(RecoveryCode.staff_id == staff.id))
        session.commit()
        return {"message": "Two-factor login is off."}


def _enable(session: Session, request: Request, staff: Staff, code: str) -> dict[str, Any]:
    secret = request.session.get(ENROL_SECRET)
    if not isinstance(secret, str) or not mfa.totp_matches(secret, code):
        return {"error": "That code does not match; check the time on your phone and try again."}
    staff.mfa_secret = secret
    codes = mfa.replace_recovery_codes(session, staff_id=staff.id)
    session.commit()
    request.session.pop(ENROL_SECRET, None)
    return {"message": "Two-factor login is on.", "recovery_codes": codes}
