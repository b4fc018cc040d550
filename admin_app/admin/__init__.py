"""The admin panel: SQLAdmin views for users and events behind staff login."""

from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from admin_app.admin.actions import export_job
from admin_app.admin.actions.export_job import ExportKind
from admin_app.admin.actions.imports import jobs as import_jobs
from admin_app.admin.actions.imports.pages import ImportsView
from admin_app.admin.actions.write_jobs import WriteJobs
from admin_app.admin.changelist.counting import forget_after_writes
from admin_app.admin.changelist.rows import list_rows_html
from admin_app.admin.core.errors import FORM_ERROR_SUMMARY, log_refusals_in_one_line
from admin_app.admin.core.formatters import (
    badge,
    path_only,
    status_badge,
    utc_timestamp,
    wrap_points,
)
from admin_app.admin.core.partials import ASYNC_TEMPLATES
from admin_app.admin.core.wording import in_words, plural
from admin_app.admin.forms.feedback import save_feedback
from admin_app.admin.site.panel import PanelAdmin
from admin_app.admin.site.roles import RoleAuthorization
from admin_app.admin.views.account import AccountView
from admin_app.admin.views.audit_log import AuditLogAdmin
from admin_app.admin.views.base import PanelModelView
from admin_app.admin.views.change_sets import ChangeSetAdmin
from admin_app.admin.views.events import EventAdmin
from admin_app.admin.views.jobs_page import JobsView
from admin_app.admin.views.recently_deleted import RecentlyDeletedView
from admin_app.admin.views.staff_accounts import StaffAdmin
from admin_app.admin.views.two_factor import TwoFactorView
from admin_app.admin.views.users import UserAdmin
from admin_app.jobs.queue import JobQueue
from admin_app.jobs.store import new_idempotency_key
from admin_app.web.auth import StaffAuthBackend, preferences_of
from admin_app.web.edge.csrf import csrf_token
from admin_app.web.serving.fingerprints import Fingerprints, versioned_url_for

PACKAGE_DIR = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"
STATIC_DIR = PACKAGE_DIR / "static"


def mount_admin(
    app: Starlette,
    *,
    engine: Engine,
    session_factory: sessionmaker[Session],
    authentication: StaffAuthBackend,
    dashboard_ttl: float,
    count_ttl: float,
    retention_days: int,
    jobs: JobQueue,
    export_rows: int,
    write_rows: int,
    job_files_kept: timedelta,
    import_max_bytes: int,
) -> PanelAdmin:
    admin = PanelAdmin(
        app,
        engine=engine,
        session_maker=session_factory,
        title="Events admin",
        favicon_url="/favicon.ico",
        templates_dir=str(TEMPLATES_DIR),
        authentication_backend=authentication,
        authorization_backend=RoleAuthorization(),
        static_files_kwargs={"directory": str(STATIC_DIR)},
        dashboard_ttl=dashboard_ttl,
        count_ttl=count_ttl,
        retention_days=retention_days,
        jobs=jobs,
        export_rows=export_rows,
        write_rows=write_rows,
        import_max_bytes=import_max_bytes,
    )
    admin.templates.env.bytecode_cache = ASYNC_TEMPLATES
    log_refusals_in_one_line()
    forget_after_writes(engine, admin.forget_cached)
    admin.templates.env.filters["path_only"] = path_only
    admin.templates.env.filters["wrap_points"] = wrap_points
    admin.templates.env.filters["in_words"] = in_words
    admin.templates.env.filters["utc"] = utc_timestamp
    admin.templates.env.filters["number"] = "{:,}".format
    # Static links carry their file's hash (web/serving/fingerprints.py): cached for a year,
    # never stale.
    statics = next(
        route.app
        for route in admin.admin.routes
        if isinstance(route, Mount) and isinstance(route.app, StaticFiles)
    )
    admin.templates.env.globals["url_for"] = versioned_url_for(Fingerprints(statics))
    admin.templates.env.globals["save_feedback"] = save_feedback
    admin.templates.env.globals["csrf_token"] = csrf_token
    admin.templates.env.globals["idempotency_key"] = new_idempotency_key
    admin.templates.env.globals["status_badge"] = status_badge
    admin.templates.env.globals["badge"] = badge
    admin.templates.env.globals["plural"] = plural
    admin.templates.env.globals["form_error_summary"] = FORM_ERROR_SUMMARY
    admin.templates.env.globals["display_preferences"] = preferences_of
    admin.templates.env.globals["partial"] = admin.partials
    admin.templates.env.globals["list_rows_html"] = list_rows_html
    for view in (
        UserAdmin,
        EventAdmin,
        RecentlyDeletedView,
        ChangeSetAdmin,
        StaffAdmin,
        AuditLogAdmin,
        JobsView,
        ImportsView,
        AccountView,
        TwoFactorView,
    ):
        admin.add_view(view)
    # The worker rebuilds an export's statement through the list's own view.
    lists = {view.identity: view for view in admin.views if isinstance(view, PanelModelView)}
    jobs.kinds[export_job.KIND] = ExportKind(lists, keep_for=job_files_kept).kind()
    jobs.kinds.update(WriteJobs(lists).kinds())
    jobs.kinds.update(import_jobs.kinds())
    admin.templates.env.globals["history_view"] = admin.audit_log_for
    return admin
