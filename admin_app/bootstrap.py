"""What a server start does before serving: migrate, then make sure someone can log in."""

from admin_app.config import Settings
from admin_app.db import make_engine, make_session_factory
from admin_app.migrate import upgrade_to_head
from admin_app.staff.accounts import InitialAdmin, ensure_initial_admin


def prepare_database(settings: Settings) -> InitialAdmin | None:
    upgrade_to_head(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine)() as session:
            password = (
                settings.admin_password.get_secret_value() if settings.admin_password else None
            )
            return ensure_initial_admin(session, email=settings.admin_email, password=password)
    finally:
        engine.dispose()
