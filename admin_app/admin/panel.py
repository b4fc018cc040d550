"""The SQLAdmin application, with throttled login, POST-only logout and all-or-nothing delete."""

from typing import Any
from urllib.parse import parse_qsl, urlencode

import anyio.to_thread
from sqladmin import Admin
from sqladmin.authentication import login_required
from sqladmin.flash import flash
from sqlalchemy import select
from starlette.datastructures import URL, FormData, QueryParams
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from admin_app import clock
from admin_app.admin import confirmation, dashboard, export
from admin_app.admin.audit_log import AuditLogAdmin
from admin_app.admin.base import PanelModelView
from admin_app.admin.bulk import delete_selection
from admin_app.admin.counting import CountCache
from admin_app.admin.errors import ActionRefused, refuse_on_list
from admin_app.admin.selection import Selection, parse_pks
from admin_app.db import sync_factory
from admin_app.models import AuditEntry
from admin_app.web import outage
from admin_app.web.auth import StaffAuthBackend
from admin_app.web.form_bodies import text_form
from admin_app.web.redirects import safe_next_path

LOGIN_TEMPLATE = "sqladmin/login.html"
SECOND_FACTOR_TEMPLATE = "login_mfa.html"
INVALID_CREDENTIALS = "Invalid credentials."
DASHBOARD_TEMPLATE = "dashboard.html"
# SQLAdmin's column file routes (FileResponse of whatever path a value names).
UNMOUNTED_ROUTES = frozenset({"file_download", "file_preview"})
# What the login page may say on arrival, by code: never text taken from the URL.
LOGIN_NOTICES = {
    "expired": "Your session ended. Log in again to continue.",
    "logged-out": "You are logged out.",
}


def _nothing_selected() -> list[int]:
    raise HTTPException(status_code=400, detail="Select at least one row to delete.")


class PanelAdmin(Admin):
    def __init__(
        self, *args: Any, dashboard_ttl: float = 30.0, count_ttl: float = 60.0, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.dashboard_cache = dashboard.FiguresCache(ttl_seconds=dashboard_ttl)
        self.count_cache = CountCache(ttl_seconds=count_ttl)
        # SQLAdmin serves any column value that names a readable file (`.env`, the database):
        # no column here holds a file, so those routes are not mounted at all.
        self.admin.router.routes = [
            route
            for route in self.admin.router.routes
            if getattr(route, "name", None) not in UNMOUNTED_ROUTES
        ]
        # Logging out changes state, so it is a POST (CSRF-checked), never a link a page can fire.
        for index, route in enumerate(self.admin.router.routes):
            if getattr(route, "name", None) == "logout":
                self.admin.router.routes[index] = Route(
                    "/logout", endpoint=self.logout, name="logout", methods=["POST"]
                )
        self.admin.router.routes[:0] = [
            Route(
                "/login/mfa",
                endpoint=self.login_second_factor,
                name="login_mfa",
                methods=["GET", "POST"],
            ),
            Route(
                "/{identity}/bulk/{kind}",
                endpoint=self.bulk,
                name="bulk",
                methods=["GET", "POST"],
            ),
        ]

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

    @login_required
    async def index(self, request: Request) -> Response:
        """The dashboard: counts, events per month, upcoming events, latest changes."""
        audit_view = next(
            (
                v
                for v in self.views
                if isinstance(v, AuditLogAdmin) and v.has_permission(request, "list")
            ),
            None,
        )
        context = await anyio.to_thread.run_sync(self._dashboard, audit_view is not None)
        return await self.templates.TemplateResponse(request, DASHBOARD_TEMPLATE, context)

    def _dashboard(self, with_audit: bool) -> dict[str, Any]:
        now = clock.now()
        with sync_factory(self.session_maker)() as session:
            figures = self.dashboard_cache.get(session, today=now.date())
            entries = (
                list(session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(8)))
                if with_audit
                else None
            )
        return {
            "figures": figures,
            "bars": dashboard.chart_bars(figures.months),
            "this_month": f"{now:%Y-%m}",
            "as_of": f"{self.dashboard_cache.as_of:%Y-%m-%d %H:%M:%S}",
            "audit_entries": entries,
            "title": "Dashboard",
        }

    @login_required
    async def bulk(self, request: Request) -> Response:
        """Bulk work with a confirmation page first (GET) and the change itself (POST)."""
        if request.method == "POST":
            return await confirmation.perform(self, request)
        return await confirmation.confirm_page(self, request)

    # SQLAdmin answers 400 for any error in a save; an outage is a 503 (nothing saved, try again).
    async def create(self, request: Request) -> Response:
        return await outage.answer(request, await super().create(request))

    async def edit(self, request: Request) -> Response:
        return await outage.answer(request, await super().edit(request))

    @staticmethod
    async def _handle_form_data(request: Request, obj: Any = None) -> FormData:
        return await text_form(request)

    @login_required
    async def export(self, request: Request) -> Response:
        """Exactly what the list shows (its filters, search and sort), streamed and audited."""
        await self._export(request)
        view = self._find_model_view(request.path_params["identity"])
        if not isinstance(view, PanelModelView):
            response: Response = await super().export(request)
            return response
        export_type = request.path_params["export_type"]
        selection = Selection.from_params(
            request.query_params.__class__(
                [*request.query_params.multi_items(), ("scope", "filter")]
            )
        )
        stmt = view.export_statement(await view.matching_query(selection.list_params))
        filters = selection.filter_query_string()
        body = await export.open_rows(
            view.sync_sessions,
            stmt,
            export_type,
            on_open=lambda: export.record_export(
                view.sync_sessions, target=view.identity, export_type=export_type, filters=filters
            ),
        )
        filename = f"{view.name_plural.lower()}.{export_type}"
        return StreamingResponse(
            body,
            media_type=export.MEDIA_TYPES[export_type],
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    @login_required
    async def delete(self, request: Request) -> Response:
        """SQLAdmin's delete (its dialog): the selection in one transaction, or nothing."""
        identity = request.path_params["identity"]
        view = self._find_model_view(identity)
        allowed = view.is_accessible(request) and view._can_delete_any(request)
        if not (isinstance(view, PanelModelView) and allowed):
            raise HTTPException(status_code=403)
        selection = Selection(
            pks=parse_pks(request.query_params.get("pks", "")) or _nothing_selected(),
            list_params=QueryParams(),
            whole_filter=False,
        )
        ids = await selection.ids_query(view)
        back_to = self._list_url_keeping_filters(request, identity)

        def run() -> int:
            with view.session_maker() as session:
                return delete_selection(view, session, ids, selection, cascade=False)

        try:
            deleted = await anyio.to_thread.run_sync(run)
        except ActionRefused as refusal:
            refuse_on_list(request, refusal)
            return PlainTextResponse(str(back_to))
        view.forget_counts()
        noun = view.name.lower() if deleted == 1 else view.name_plural.lower()
        flash(request, f"Deleted {deleted} {noun}.", category="success")
        return PlainTextResponse(str(back_to))

    async def list(self, request: Request) -> Response:
        # SQLAdmin shows `?error=` text on the list: a lure anyone could link to. Refusals travel
        # in the session instead (see list_context), and the parameter is dropped.
        if "error" in request.query_params:
            return RedirectResponse(request.url.remove_query_params("error"), status_code=302)
        response: Response = await super().list(request)
        return response

    @staticmethod
    def _list_url_keeping_filters(request: Request, identity: str) -> URL:
        # Back to the list as the staff member left it (same filters, search and page).
        url = URL(str(request.url_for("admin:list", identity=identity)))
        referer = URL(request.headers.get("referer", ""))
        if referer.path != url.path:
            return url
        params = [(key, value) for key, value in parse_qsl(referer.query) if key != "error"]
        return url.replace(query=urlencode(params)) if params else url
