"""Every staff member's own page: change their password (the current one is required)."""

import anyio.to_thread
from sqladmin import expose
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from admin_app.admin.forms.feedback import flash
from admin_app.admin.site.panel import PanelPage
from admin_app.staff.accounts import change_password
from admin_app.web.auth import STAFF_STATE, keep_session
from admin_app.web.form_bodies import text_form

TEMPLATE = "account_password.html"


class AccountView(PanelPage):
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
        keep_session(request, session_version=version)
        flash(request, "Password changed. Your other sessions were logged out.", category="success")
        return RedirectResponse(request.url_for("admin:index"), status_code=302)

    def _change(
        self, request: Request, fields: dict[str, str]
    ) -> tuple[dict[str, str], int | None]:
        with self.panel.sync_sessions() as session:
            return change_password(
                session,
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
