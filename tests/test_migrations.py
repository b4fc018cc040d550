"""Alembic owns the schema: up, down and up again, one head, no drift from the models."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect

from admin_app.migrate import alembic_config, downgrade_to_base, upgrade_to_head
from tests.databases import BACKENDS, throwaway_database

TABLES = {"users", "events", "staff", "login_attempts", "recovery_codes", "audit_log"}


@pytest.fixture(params=BACKENDS)
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with throwaway_database(request.param, tmp_path) as url:
        yield url


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade(empty_database: str) -> None:
    upgrade_to_head(empty_database)
    assert _tables(empty_database) == TABLES
    downgrade_to_base(empty_database)
    assert _tables(empty_database) == set()
    upgrade_to_head(empty_database)
    assert _tables(empty_database) == TABLES


def test_models_match_the_migrated_schema(empty_database: str) -> None:
    upgrade_to_head(empty_database)
    command.check(alembic_config(empty_database))  # raises when autogenerate finds a difference


def test_there_is_a_single_head() -> None:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1
