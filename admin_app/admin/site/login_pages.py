"""The login pages: password, then the second factor for staff who switched it on; throttled
refusals, and notices chosen by code (never text from the URL)."""

from typing import Any

from sqladmin import Admin
from starlette.datastructures import URL
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from admin_app.web.auth import StaffAuthBackend
from admin_app.web.edge.redirects import safe_next_path
from admin_app.web.form_bodies import text_form

LOGIN_TEMPLATE = "sqladmin/login.html"
SECOND_FACTOR_TEMPLATE = "login_mfa.html"
INVALID_CREDENTIALS = "Invalid credentials."
# What the login page may say on arrival, by code: never text taken from the URL.
LOGIN_NOTICES = {
    "expired": "Your session ended. Log in again to continue.",
    "logged-out": "You are logged out.",
}


class LoginPages(Admin):
    """SQLAdmin's login page replaced: throttled, two steps when two-factor login is on."""

    @property
    def staff_auth(self) -> StaffAuthBackend:
        backend = self.authentication_backend
        assert isinstance(backend, StaffAuthBackend)
        return backend

    async def login(self, request: Request) -> Response:
        if request.method != "POST":
            context = {
                "next": safe_next_path(request.query_params.get("next")) or "",
                "notice": LOGIN_NOTICES.get(request.query_params.get("notice", "")),
            }
            return await self.templates.TemplateResponse(request, LOGIN_TEMPLATE, context)
        form = await text_form(request)
        email, password = str(form.get("username", "")), str(form.get("password", ""))
        next_path = safe_next_path(str(form.get("next", "")))
        result = await self.staff_auth.attempt(request, email=email, password=password)
        if result.needs_second_factor:
            url = URL(str(request.url_for("admin:login_mfa")))
            return RedirectResponse(url.include_query_params(next=next_path or ""), status_code=302)
        if result.staff is not None:
            return RedirectResponse(next_path or request.url_for("admin:index"), status_code=302)
        context = {"email": email, "next": next_path or ""}
        return await self._refusal(request, LOGIN_TEMPLATE, context, result.retry_after)

    async def login_second_factor(self, request: Request) -> Response:
        """Second step of a login for staff who switched on two-factor authentication."""
        if self.staff_auth.pending_second_factor(request) is None:
            return RedirectResponse(request.url_for("admin:login"), status_code=302)
        next_path = safe_next_path(request.query_params.get("next"))
        context = {"next": next_path or ""}
        if request.method != "POST":
            return await self.templates.TemplateResponse(request, SECOND_FACTOR_TEMPLATE, context)
        form = await text_form(request)
        next_path = safe_next_path(str(form.get("next", "")))
        result = await self.staff_auth.second_factor(request, code=str(form.get("code", "")))
        if result.staff is not None:
            return RedirectResponse(next_path or request.url_for("admin:index"), status_code=302)
        context = {"next": next_path or ""}
        return await self._refusal(request, SECOND_FACTOR_TEMPLATE, context, result.retry_after)

    async def _refusal(
        self, request: Request, template: str, context: dict[str, Any], retry_after: int
    ) -> Response:
        """The login form again, with the reason: wrong credentials (400) or throttled (429)."""
        if not retry_after:
            context["error"] = INVALID_CREDENTIALS
            return await self.templates.TemplateResponse(request, template, context, 400)
        minutes = -(-retry_after // 60)
        context["error"] = f"Too many failed attempts. Try again in {minutes} minute(s)."
        response = await self.templates.TemplateResponse(request, template, context, 429)
        response.headers["Retry-After"] = str(retry_after)
        return response
