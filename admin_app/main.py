"""The composition root: one settings object, one engine, the admin and the routes."""

from fastapi import FastAPI
from fastapi.responses import RedirectResponse

from admin_app import health
from admin_app.admin import mount_admin
from admin_app.auth import StaffAuthBackend
from admin_app.config import Settings
from admin_app.db import make_engine, make_session_factory


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    engine = make_engine(settings.database_url, echo=settings.sql_echo)
    session_factory = make_session_factory(engine)

    app = FastAPI(title="Events admin", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = session_factory
    app.include_router(health.router)

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/admin/")

    authentication = StaffAuthBackend(
        secret_key=settings.session_secret,
        session_factory=session_factory,
        max_age=settings.session_max_age,
        https_only=settings.is_production,
    )
    mount_admin(app, engine=engine, session_factory=session_factory, authentication=authentication)
    return app
