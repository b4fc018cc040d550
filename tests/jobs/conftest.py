"""Background jobs: small lists count as large here, so an export of a few rows is a job."""

import pytest
from pydantic import SecretStr

from admin_app.config import Settings

# Rows past which a CSV export is a job, in these tests.
EXPORT_ROWS = 3
# Rows past which bulk work, undo, restore and purge are jobs, in these tests.
WRITE_ROWS = 3


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        _env_file=None,
        database_url=database_url,
        secret_key=SecretStr("test-only-signing-key-0123456789abcdef"),
        allowed_hosts=["testserver"],
        dashboard_cache_seconds=0,
        list_count_cache_seconds=0,
        jobs_immediate=True,
        jobs_export_rows=EXPORT_ROWS,
        jobs_write_rows=WRITE_ROWS,
    )
