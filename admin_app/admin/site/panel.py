"""The SQLAdmin application, with throttled login, POST-only logout and all-or-nothing delete."""

from typing import Any
from urllib.parse import parse_qsl, urlencode

import anyio.to_thread
from sqladmin import BaseView
from sqladmin.authentication import login_required
from sqladmin.authorization import Action, custom_action
from starlette.datastructures import URL, FormData, QueryParams
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from admin_app.admin.actions import cells, confirmation, export, export_job, write_jobs
from admin_app.admin.actions.delete import delete_selection
from admin_app.admin.changelist import page as list_page
from admin_app.admin.changelist.counting import CountCache
from admin_app.admin.changelist.facets import FacetCache
from admin_app.admin.changelist.parameters import LURES
from admin_app.admin.changelist.saved_views import VIEW, ignored_notice, state_problem
from admin_app.admin.changelist.selection import Selection, parse_pks
from admin_app.admin.core.bulk_kinds import BULK_KINDS
from admin_app.admin.core.errors import ActionRefused, refuse_on_list
from admin_app.admin.core.formatters import path_only
from admin_app.admin.core.partials import FlushLeft, SynchronousPartials, install_untranslated
from admin_app.admin.core.wording import counted
from admin_app.admin.forms.feedback import flash, say_saved
from admin_app.admin.site import dashboard
from admin_app.admin.site.guard import guarded_view
from admin_app.admin.site.quick_access import QuickAccess
from admin_app.admin.site.sidebar import SidebarMenus
from admin_app.admin.views import record_history
from admin_app.admin.views.audit_log import AuditLogAdmin
from admin_app.admin.views.base import PanelModelView
from admin_app.admin.views.change_sets import ChangeSetAdmin, undo_page
from admin_app.history.images import EDITABLE
from admin_app.jobs.queue import JobQueue
from admin_app.web.auth import ROLE_STATE
from admin_app.web.form_bodies import text_form
from admin_app.web.serving import outage

DASHBOARD_TEMPLATE = "dashboard.html"
# SQLAdmin's column file routes (FileResponse of whatever path a value names).
UNMOUNTED_ROUTES = frozenset({"file_download", "file_preview"})


class PanelPage(BaseView):
    """A page of the panel that is not a model's (own password, two-factor login)."""

    @property
    def panel(self) -> "PanelAdmin":
        # SQLAdmin gives a view its admin only through the private _admin_ref.
        admin = self._admin_ref
        assert isinstance(admin, PanelAdmin), "the panel's pages are mounted on PanelAdmin"
        return admin


def _nothing_selected() -> list[int]:
    raise HTTPException(status_code=400, detail="Select at least one row to delete.")


class PanelAdmin(QuickAccess):
    def __init__(
        self,
        *args: Any,
        dashboard_ttl: float,
        count_ttl: float,
        retention_days: int,
        jobs: JobQueue,
        export_rows: int,
        write_rows: int,
        import_max_bytes: int,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        # Long work goes to the background (jobs/): a CSV export past `export_rows` rows; bulk
        # work on a whole filter, undo, restore and purge past `write_rows` (write_jobs.py).
        self.jobs = jobs
        self.export_rows = export_rows
        self.write_rows = write_rows
        # The largest file an import takes (admin/actions/imports/pages.py).
        self.import_max_bytes = import_max_bytes
        # Templates ship with the package: checking each file's time on every render was 5% of
        # a list page's CPU. Block tags leave no lines and indentation behind (a list page of 25
        # rows was mostly blanks), and no line keeps its indentation (core/partials.FlushLeft).
        self.templates.env.auto_reload = False
        self.templates.env.trim_blocks = True
        self.templates.env.lstrip_blocks = True
        loader = self.templates.env.loader
        assert loader is not None, "SQLAdmin's templates have a loader"
        self.templates.env.loader = FlushLeft(loader)
        if self.i18n_config is None:  # the panel is in English only
            install_untranslated(self.templates.env)
        # After the settings above, which an overlay copies: the list page and the parts of
        # every page rendered without Jinja's async runtime.
        self.partials = SynchronousPartials(self.templates.env)
        self.sidebar_menu = SidebarMenus(self.partials)
        # Days deleted rows stay restorable (the purge form's default; Recently deleted says so).
        self.retention_days = retention_days
        self.dashboard_cache = dashboard.FiguresCache(ttl_seconds=dashboard_ttl)
        self.count_cache = CountCache(ttl_seconds=count_ttl)
        self.facet_cache = FacetCache(ttl_seconds=count_ttl)
        # A refusal no route checked the login for (an address that does not exist) still gets
        # the panel's layout when a staff member is logged in.
        self.admin.exception_handlers = {HTTPException: self.error_page}
        self._extend_router()

    def _extend_router(self) -> None:
        """The one place the panel changes SQLAdmin's router (no public API does any of this; a
        test walks every route, tests/test_routes.py, and the hostile scan probes them all):

        - SQLAdmin serves any column value that names a readable file (`.env`, the database):
          no column here holds a file, so those routes are not mounted at all;
        - logging out changes state, so it is a POST (CSRF-checked), never a link a page fires;
        - the panel's own routes go first, before SQLAdmin's catch-all `/{identity}/...` ones:
          per list (bulk pages, export job, cells, history, facets, saved views, columns) and
          for the site (search, the second login step, undo, display).
        """
        router = self.admin.router
        router.routes = [
            route for route in router.routes if getattr(route, "name", None) not in UNMOUNTED_ROUTES
        ]
        for index, route in enumerate(router.routes):
            if getattr(route, "name", None) == "logout":
                router.routes[index] = Route(
                    "/logout", endpoint=self.logout, name="logout", methods=["POST"]
                )
        router.routes[:0] = [
            *self.quick_routes(),
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
            Route(
                "/{identity}/export-job",
                endpoint=self.export_job,
                name="export_job",
                methods=["GET", "POST"],
            ),
            Route(
                "/{identity}/cell/{pk}",
                endpoint=self.cell,
                name="cell",
                methods=["POST"],
            ),
            Route(
                "/change-set/undo/{pk}",
                endpoint=self.undo,
                name="undo",
                methods=["GET", "POST"],
            ),
            Route(
                "/{identity}/history/{pk}",
                endpoint=self.history,
                name="history",
                methods=["GET", "POST"],
            ),
            Route("/{identity}/facets", endpoint=self.facets, name="facets", methods=["GET"]),
            Route("/{identity}/count", endpoint=self.count, name="count", methods=["GET"]),
        ]

    @login_required
    async def index(self, request: Request) -> Response:
        """The dashboard: counts, events per month, upcoming events, latest changes."""
        with_audit = self.audit_log_for(request) is not None
        context = await anyio.to_thread.run_sync(
            dashboard.page_context, self.sync_sessions, self.dashboard_cache, with_audit
        )
        return await self.templates.TemplateResponse(request, DASHBOARD_TEMPLATE, context)

    def forget_cached(self) -> None:
        """Counts, facets and figures are read afresh after any committed write."""
        self.count_cache.clear()
        self.facet_cache.clear()
        self.dashboard_cache.clear()

    def audit_log_for(self, request: Request) -> AuditLogAdmin | None:
        """The audit log view when this staff member may read it (dashboard, detail pages)."""
        for view in self.views:
            if isinstance(view, AuditLogAdmin) and view.has_permission(request, "list"):
                return view
        return None

    @login_required
    async def bulk(self, request: Request) -> Response:
        """Bulk work with a confirmation page first (GET) and the change itself (POST)."""
        kind = request.path_params["kind"]
        found = BULK_KINDS.get(kind)
        view = guarded_view(
            self,
            request,
            custom_action(found.action) if found else None,
            offers=lambda view: found is not None and found.action in view.bulk_actions,
        )
        templates, days = self.templates, self.retention_days
        if request.method == "POST":
            return await confirmation.perform(
                request,
                view,
                kind,
                templates=templates,
                retention_days=days,
                background_past=self.write_rows,
                large=write_jobs.bulk_starter(self.jobs, self.write_rows, view, kind),
            )
        return await confirmation.confirm_page(
            request,
            view,
            kind,
            templates=templates,
            retention_days=days,
            background_past=self.write_rows,
        )

    @login_required
    async def cell(self, request: Request) -> Response:
        """One list cell saved in place (the list's script), as the edit form would save it."""
        view = guarded_view(
            self, request, str(Action.EDIT), offers=lambda view: bool(view.column_editable_list)
        )
        return await cells.save_cell(
            view,
            request,
            # SQLAdmin's (private) step from form data to model values, as its edit uses it.
            lambda form, row: self._denormalize_wtform_data(form.data, row),
        )

    @login_required
    async def undo(self, request: Request) -> Response:
        """A change set's undo: what it would do and what changed since (GET), the undo (POST)."""
        view = self._find_model_view(ChangeSetAdmin.identity)
        assert isinstance(view, ChangeSetAdmin), "the change set view is mounted by mount_admin"
        return await undo_page(
            view, request, templates=self.templates, jobs=self.jobs, threshold=self.write_rows
        )

    @login_required
    async def history(self, request: Request) -> Response:
        """Every version of one user or event, two side by side (GET), a revert (POST)."""
        view = guarded_view(
            self, request, Action.DETAILS, offers=lambda view: view.identity in EDITABLE
        )
        row_id = int(request.path_params["pk"])  # an id: the guard said so
        return await record_history.history_page(view, row_id, request, templates=self.templates)

    @login_required
    async def facets(self, request: Request) -> Response:
        """How a list's matching rows split: fetched by the list's script once its rows are
        shown, or opened from the list's link without scripts (changelist/page.py)."""
        view = guarded_view(self, request, "list", offers=lambda view: bool(view.column_facets))
        return await list_page.facets_page(view, request, templates=self.templates)

    @login_required
    async def count(self, request: Request) -> Response:
        """How many rows a list matches (up to its cap): fetched by the list's script when the
        list showed its rows before counting them, or opened from its link without scripts."""
        view = guarded_view(self, request, "list")
        return await list_page.count_page(view, request, templates=self.templates)

    # SQLAdmin answers 400 for any error in a save; an outage is a 503 (nothing saved, try again).
    async def create(self, request: Request) -> Response:
        return await outage.answer(request, self._said(request, await super().create(request)))

    async def edit(self, request: Request) -> Response:
        return await outage.answer(request, self._said(request, await super().edit(request)))

    def _said(self, request: Request, response: Response) -> Response:
        # A save that went through ends in a redirect; a refused one shows the form again.
        if response.status_code in (302, 303):
            view = self._find_model_view(request.path_params["identity"])
            say_saved(request, view.name.lower())
        return response

    @staticmethod
    async def _handle_form_data(request: Request, obj: Any = None) -> FormData:
        # SQLAdmin's (private) form reader for create and edit: files read as empty text.
        return await text_form(request)

    @login_required
    async def export(self, request: Request) -> Response:
        """Exactly what the list shows (its filters, search and sort), streamed and audited."""
        await self._export(request)  # SQLAdmin's (private) permission check for exports
        view = self._find_model_view(request.path_params["identity"])
        if not isinstance(view, PanelModelView):
            response: Response = await super().export(request)
            return response
        # A CSV export of many rows runs in the background: its page starts the job.
        threshold = self.export_rows
        if request.path_params["export_type"] == "csv" and await export_job.rows_past(
            view, request.query_params, threshold
        ):
            url = request.url_for("admin:export_job", identity=view.identity)
            query = f"?{request.url.query}" if request.url.query else ""
            return RedirectResponse(f"{path_only(url)}{query}", status_code=303)
        return await export.export_response(view, request)

    @login_required
    async def export_job(self, request: Request) -> Response:
        """The page that starts a large export as a background job (export_job.py)."""
        view = guarded_view(self, request, None)
        if not (view.can_export and await view.check_can_export(request)):
            raise HTTPException(status_code=403)
        return await export_job.start_page(
            view,
            request,
            jobs=self.jobs,
            templates=self.templates,
            threshold=self.export_rows,
        )

    @login_required
    async def delete(self, request: Request) -> Response:
        """SQLAdmin's delete (its dialog): the selection in one transaction, or nothing."""
        identity = request.path_params["identity"]
        view = self._find_model_view(identity)
        # SQLAdmin's (private) delete permission, the one its list and dialog use.
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
        may_cascade = view.has_permission(request, custom_action(confirmation.CASCADE))

        def run() -> int:
            with view.session_maker() as session:
                return delete_selection(
                    view, session, ids, selection, cascade=False, may_cascade=may_cascade
                )

        try:
            deleted = await anyio.to_thread.run_sync(run)
        except ActionRefused as refusal:
            refuse_on_list(request, refusal)
            return PlainTextResponse(str(back_to))
        flash(request, f"Deleted {counted(deleted, view)}.", category="success")
        return PlainTextResponse(str(back_to))

    @login_required
    async def list(self, request: Request) -> Response:
        # SQLAdmin shows `?error=` text on the list: a lure anyone could link to. Refusals travel
        # in the session instead (see list_context), and the parameter is dropped.
        if lures := LURES.intersection(request.query_params):
            return RedirectResponse(request.url.remove_query_params(sorted(lures)), status_code=302)
        # A bare list opens the team's default view, if the list has one (`?view=all`: not).
        if not request.query_params and (default := await self._team_default(request)):
            return RedirectResponse(default, status_code=302)
        return await list_page.render(
            self, request, saved_views=await self.saved_views_of(request), pages=self.partials
        )

    async def _team_default(self, request: Request) -> str | None:
        identity = request.path_params["identity"]
        views = await self.saved_views_of(request)
        found = next((v for v in views if v.identity == identity and v.team_default), None)
        if found is None:
            return None
        if problem := await state_problem(self._find_model_view(identity), found.query):
            # A default the list cannot show (saved before a rule changed) never locks anyone
            # out of the list: it is skipped, with its banner to change or step it down.
            flash(request, ignored_notice(found, problem), category="warning")
            return f"{request.url.path}?{VIEW}={found.id}"
        return found.list_url(request.url.path)

    async def error_page(self, request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)  # registered for HTTPException only
        backend = self.authentication_backend
        if not hasattr(request.state, ROLE_STATE) and backend is not None:
            await backend.authenticate(request)  # sets the role when the session is valid
        context = {"status_code": exc.status_code, "message": exc.detail}
        page: Response = await self.templates.TemplateResponse(
            request, "sqladmin/error.html", context, status_code=exc.status_code
        )
        return page

    @staticmethod
    def _list_url_keeping_filters(request: Request, identity: str) -> URL:
        # Back to the list as the staff member left it (same filters, search and page).
        url = URL(str(request.url_for("admin:list", identity=identity)))
        referer = URL(request.headers.get("referer", ""))
        if referer.path != url.path:
            return url
        params = [(key, value) for key, value in parse_qsl(referer.query) if key != "error"]
        return url.replace(query=urlencode(params)) if params else url
