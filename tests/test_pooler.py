"""Many instances on a pooler: the panel through PgBouncer in transaction pooling mode.

PostgreSQL only (a pooler is a PostgreSQL deployment's business). Each transaction may get
another server connection, so psycopg's automatic prepared statements would fail there and
PgBouncer refuses startup options: DATABASE_TRANSACTION_POOLER turns both off.
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import func, select

from admin_app.config import Settings
from admin_app.db import engine_for, make_session_factory
from admin_app.main import create_app
from admin_app.migrate import upgrade_to_head
from admin_app.models import Event
from reliability.pooler import PGBOUNCER, PgBouncer
from tests import factories
from tests.databases import postgres_database


def _settings(url: str, *, pooler: bool) -> Settings:
    return Settings(
        _env_file=None,
        database_url=url,
        secret_key=SecretStr("test-only-signing-key-0123456789abcdef"),
        allowed_hosts=["testserver"],
        database_transaction_pooler=pooler,
    )


@pytest.fixture(scope="module")
def direct_and_pooled() -> Iterator[tuple[str, str]]:
    if not Path(PGBOUNCER).exists():
        message = f"the pooler tests need PgBouncer at {PGBOUNCER} (apt-get install pgbouncer)"
        if os.environ.get("CI"):
            pytest.fail(message)  # CI installs it: its absence is a broken setup, not a pass
        pytest.skip(message)
    with postgres_database() as url, PgBouncer(pool_size=2) as pooler:
        upgrade_to_head(_settings(url, pooler=False))  # migrations run on the server directly
        yield url, pooler.url_for(url)


def test_the_panel_works_through_pgbouncer_with_the_pooler_setting(
    direct_and_pooled: tuple[str, str],
) -> None:
    direct, pooled = direct_and_pooled
    engine = engine_for(_settings(direct, pooler=False))
    with make_session_factory(engine)() as db:
        staff = factories.make_staff(db)
        organizer = factories.make_user(db)
    app = create_app(_settings(pooled, pooler=True))
    with TestClient(app, base_url="http://testserver") as client:
        factories.login(client, staff.email)
        client.headers["X-CSRF-Token"] = factories.csrf_token(client, "/admin/")
        # The same statements, many times over: psycopg would prepare them from the 5th run.
        for n in range(12):
            form = {
                "title": f"Pooled {n}",
                "date_of": "2027-01-02",
                "social_status": "public",
                "organizer": str(organizer.id),
                "save": "Save",
            }
            assert client.post("/admin/event/create", data=form).status_code == 200
            assert client.get("/admin/event/list").status_code == 200
            assert client.get("/admin/").status_code == 200
        ids = ",".join(str(n) for n in range(1, 7))
        delete = client.post("/admin/event/bulk/delete", data={"pks": ids}, follow_redirects=False)
        assert delete.status_code == 303
    app.state.engine.dispose()
    with make_session_factory(engine)() as db:
        assert db.scalar(select(func.count(Event.id))) == 6
    engine.dispose()


def test_without_the_setting_pgbouncer_refuses_the_connection(
    direct_and_pooled: tuple[str, str],
) -> None:
    _, pooled = direct_and_pooled
    app = create_app(_settings(pooled, pooler=False))
    with TestClient(app, base_url="http://testserver") as client:
        # The startup option carrying lock_timeout is refused: the panel answers 503, not a 500.
        assert client.get("/health").status_code == 503
    app.state.engine.dispose()
