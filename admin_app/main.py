"""The composition root: one settings object, one engine, the admin and the routes."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from fastapi import FastAPI
from fastapi.responses import FileResponse, RedirectResponse
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from admin_app import audit
from admin_app.admin import STATIC_DIR, mount_admin
from admin_app.config import Settings
from admin_app.db import engine_for, make_session_factory
from admin_app.history import recorder
from admin_app.jobs.queue import JobQueue, huey_for
from admin_app.web import health
from admin_app.web.auth import StaffAuthBackend
from admin_app.web.edge.headers import SecurityHeadersMiddleware
from admin_app.web.edge.hosts import HostCheckMiddleware
from admin_app.web.edge.limits import QueryLimitsMiddleware
from admin_app.web.edge.methods import HttpMethodsMiddleware
from admin_app.web.serving import collector, outage
from admin_app.web.serving.at_once import RequestsAtOnceMiddleware
from admin_app.web.serving.compression import SecretFreeGZipMiddleware
from admin_app.web.serving.route_paths import remember_paths


@asynccontextmanager
async def _serving(_app: FastAPI) -> AsyncIterator[None]:
    # The server has built everything it keeps: the collector can leave it alone
    # (web/serving/collector.py).
    collector.tune_for_serving()
    yield


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    engine = engine_for(settings)
    session_factory = make_session_factory(engine)
    audit.install(session_factory)
    recorder.install(session_factory)

    app = FastAPI(
        title="Events admin",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=_serving,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = session_factory
    app.include_router(health.router)

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/admin/")

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:
        return FileResponse(STATIC_DIR / "favicon.svg", media_type="image/svg+xml")

    jobs = JobQueue(
        huey_for(settings),
        session_factory,
        stale_after=timedelta(seconds=settings.jobs_stale_seconds),
    )
    app.state.jobs = jobs
    authentication = StaffAuthBackend(settings=settings, session_factory=session_factory)
    panel = mount_admin(
        app,
        engine=engine,
        session_factory=session_factory,
        authentication=authentication,
        dashboard_ttl=settings.dashboard_cache_seconds,
        count_ttl=settings.list_count_cache_seconds,
        retention_days=settings.deleted_retention_days,
        jobs=jobs,
        export_rows=settings.jobs_export_rows,
        write_rows=settings.jobs_write_rows,
        job_files_kept=timedelta(hours=settings.job_file_retention_hours),
        import_max_bytes=settings.import_max_bytes,
    )
    app.state.panel = panel
    # The admin is a mounted app with its own error handling: both get the outage page.
    outage.install(app)
    outage.install(panel.admin)
    remember_paths(app.router)  # every route is in place by now
    # The last added runs first: headers go on every response, even a foreign Host's 400.
    app.add_middleware(RequestsAtOnceMiddleware, limit=settings.web_requests_at_once)
    app.add_middleware(SecretFreeGZipMiddleware)
    app.add_middleware(QueryLimitsMiddleware)
    app.add_middleware(
        HostCheckMiddleware, allowed_hosts=settings.allowed_hosts, port=settings.port
    )
    app.add_middleware(HttpMethodsMiddleware)
    app.add_middleware(SecurityHeadersMiddleware, hsts=settings.is_production)
    if settings.forwarded_allow_ips:
        # Client address and scheme from the proxy's headers, only when it is a proxy we know.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.forwarded_allow_ips)
    return app
