"""Alembic owns the schema: up, down and up again, one head, no drift from the models."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from admin_app import audit
from admin_app.config import Settings
from admin_app.db import engine_for, make_session_factory
from admin_app.history import images
from admin_app.jobs.queue_tables import is_queue_table
from admin_app.migrate import alembic_config, downgrade_to_base, upgrade_to_head
from admin_app.models import User
from admin_app.search_index import is_search_table
from tests import factories
from tests.databases import BACKENDS, throwaway_database

TABLES = {
    "users",
    "events",
    "staff",
    "login_attempts",
    "recovery_codes",
    "audit_log",
    "change_sets",
    "row_images",
    "image_packs",
    "event_tallies",
    "user_tallies",
    "saved_views",
    "jobs",
    "job_files",
    "job_file_chunks",
    "notifications",
    "imports",
    "import_file_chunks",
    "import_rows",
    "import_problems",
}


@pytest.fixture(params=BACKENDS)
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with throwaway_database(request.param, tmp_path) as url:
        yield url


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        names = set(inspect(engine).get_table_names()) - {"alembic_version"}
        return {name for name in names if not (is_search_table(name) or is_queue_table(name))}
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade(empty_database: str) -> None:
    upgrade_to_head(_settings(empty_database))
    assert _tables(empty_database) == TABLES
    downgrade_to_base(_settings(empty_database))
    assert _tables(empty_database) == set()
    upgrade_to_head(_settings(empty_database))
    assert _tables(empty_database) == TABLES


def test_the_job_queue_tables_come_and_go_with_the_schema_on_postgresql(
    empty_database: str,
) -> None:
    settings = _settings(empty_database)
    upgrade_to_head(settings)
    engine = create_engine(empty_database)
    try:
        names = set(inspect(engine).get_table_names())
        queue = {name for name in names if is_queue_table(name)}
        expected = {"huey_kv", "huey_schedule", "huey_task", "huey_counter"}
        assert queue == (expected if engine.dialect.name == "postgresql" else set())
        downgrade_to_base(settings)
        assert not {name for name in inspect(engine).get_table_names() if is_queue_table(name)}
    finally:
        engine.dispose()


def test_models_match_the_migrated_schema(empty_database: str) -> None:
    upgrade_to_head(_settings(empty_database))
    command.check(
        alembic_config(_settings(empty_database))
    )  # raises when autogenerate finds a difference


def test_there_is_a_single_head() -> None:
    script = ScriptDirectory.from_config(alembic_config(_settings("sqlite://")))
    assert len(script.get_heads()) == 1


def _counts_and_orphans(url: str) -> tuple[int, int, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            users = conn.execute(text("SELECT count(*) FROM users")).scalar_one()
            events = conn.execute(text("SELECT count(*) FROM events")).scalar_one()
            orphans = conn.execute(
                text(
                    "SELECT count(*) FROM events e"
                    " LEFT JOIN users u ON u.id = e.organizer_id WHERE u.id IS NULL"
                )
            ).scalar_one()
            if engine.dialect.name == "sqlite":
                orphans += len(conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall())
    finally:
        engine.dispose()
    return users, events, orphans


def test_data_survives_upgrade_downgrade_upgrade(empty_database: str) -> None:
    command.upgrade(alembic_config(_settings(empty_database)), "0001")
    engine = create_engine(empty_database)
    try:
        with engine.begin() as conn:
            for n in range(50):
                conn.execute(
                    text("INSERT INTO users (email, created_at, updated_at) VALUES (:e, :t, :t)"),
                    {"e": f"user{n}@example.org", "t": "2026-01-01 00:00:00+00:00"},
                )
            conn.execute(
                text(
                    "INSERT INTO events (title, date_of, social_status, organizer_id,"
                    " created_at, updated_at) SELECT 'Party', '2026-02-02', 'public', id,"
                    " created_at, updated_at FROM users"
                )
            )
    finally:
        engine.dispose()
    assert _counts_and_orphans(empty_database) == (50, 50, 0)
    upgrade_to_head(_settings(empty_database))
    assert _counts_and_orphans(empty_database) == (50, 50, 0)
    command.downgrade(alembic_config(_settings(empty_database)), "0001")
    assert _counts_and_orphans(empty_database) == (50, 50, 0)
    upgrade_to_head(_settings(empty_database))
    assert _counts_and_orphans(empty_database) == (50, 50, 0)


def test_ids_are_never_reused_after_migrating_a_database_with_rows(empty_database: str) -> None:
    """Revision 0006 rebuilds the SQLite tables with AUTOINCREMENT: existing ids are kept and the
    next ones continue after the largest, even once the newest row is deleted."""
    command.upgrade(alembic_config(_settings(empty_database)), "0005")
    engine = create_engine(empty_database)
    insert_user = text(
        "INSERT INTO users (email, created_at, updated_at, version)"
        " VALUES (:e, '2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00', 1)"
    )
    try:
        with engine.begin() as conn:
            for n in range(3):
                conn.execute(insert_user, {"e": f"before{n}@example.org"})
        upgrade_to_head(_settings(empty_database))
        with engine.begin() as conn:
            ids = conn.execute(text("SELECT id FROM users ORDER BY id")).scalars().all()
            conn.execute(text("DELETE FROM users WHERE id = :id"), {"id": max(ids)})
            conn.execute(insert_user, {"e": "after@example.org"})
            new_id = conn.execute(
                text("SELECT id FROM users WHERE email = 'after@example.org'")
            ).scalar_one()
    finally:
        engine.dispose()
    assert ids == [1, 2, 3]
    assert new_id == 4


def test_a_downgrade_past_image_packs_unpacks_them_first(empty_database: str) -> None:
    """Revision 0017 packs a delete's images; going back to 0016 must not lose a deleted row."""
    upgrade_to_head(_settings(empty_database))
    settings = _settings(empty_database)
    engine = engine_for(settings)
    try:
        with (
            factories.acting_as(audit.cli_actor("test")),
            make_session_factory(engine)() as session,
            session.begin(),
        ):
            user = User(email="packed@example.org")
            session.add(user)
            session.flush()
            change_set_id = audit.begin_change_set(session, kind="delete", target="user")
            images.delete_rows(session, change_set_id=change_set_id, target="user", ids=[user.id])
        command.downgrade(alembic_config(settings), "0016")
        with engine.connect() as conn:
            found = conn.execute(
                text("SELECT row_id, label, action, version_after FROM row_images")
            ).all()
    finally:
        engine.dispose()
    assert [tuple(row) for row in found] == [(user.id, "packed@example.org", "delete", 1)]
    upgrade_to_head(settings)


def test_packs_are_compressed_with_lz4_where_postgresql_offers_it(empty_database: str) -> None:
    """pglz made a 10,000-row bulk delete 1.55x the raw DELETE, lz4 1.16x (migration 0017)."""
    upgrade_to_head(_settings(empty_database))
    engine = create_engine(empty_database)
    try:
        with engine.connect() as conn:
            if engine.dialect.name != "postgresql":
                assert "rows" in {c["name"] for c in inspect(conn).get_columns("image_packs")}
                return
            offered = conn.exec_driver_sql(
                "SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'"
            ).scalar()
            method = conn.exec_driver_sql(
                "SELECT attcompression FROM pg_attribute"
                " WHERE attrelid = 'image_packs'::regclass AND attname = 'rows'"
            ).scalar()
    finally:
        engine.dispose()
    assert method == ("l" if "lz4" in (offered or []) else "")


def _settings(database_url: str) -> Settings:
    return Settings(_env_file=None, database_url=database_url)
