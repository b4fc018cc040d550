"""Run the Alembic migrations from code (the CLI, run.py and the tests use this)."""

from pathlib import Path

from alembic import command
from alembic.config import Config

from admin_app.config import Settings

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(settings: Settings) -> Config:
    """Alembic's configuration, carrying the settings to migrations/env.py (its engine)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["settings"] = settings
    return config


def upgrade_to_head(settings: Settings) -> None:
    command.upgrade(alembic_config(settings), "head")


def downgrade_to_base(settings: Settings) -> None:
    command.downgrade(alembic_config(settings), "base")
