"""The project arm: `admin_app.main.create_app` as it is, with a fixed key and local hosts."""

from pydantic import SecretStr
from starlette.types import ASGIApp

from admin_app.config import Settings
from admin_app.main import create_app

# Fixed so session cookies survive a server restart within a run; never used outside bench.
BENCH_SECRET_KEY = "bench-only-session-key-0123456789abcdefghijklmnop"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
# bench.run times the export streamed in its request, as raw and stock answer it; past
# JOBS_EXPORT_ROWS the panel would start a job instead (bench.jobs times that path).
STREAMED_EXPORT_ROWS = 10**9


def build_app(database_url: str) -> ASGIApp:
    settings = Settings(
        database_url=database_url,
        secret_key=SecretStr(BENCH_SECRET_KEY),
        allowed_hosts=ALLOWED_HOSTS,
        jobs_export_rows=STREAMED_EXPORT_ROWS,
    )
    return create_app(settings)
