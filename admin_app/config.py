"""Every setting the app reads, from the environment or an optional `.env` file."""

import logging
import secrets
from enum import StrEnum
from functools import cached_property
from typing import Annotated

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# Values that `.env.example` and docs use; a production start with one of them is refused.
PLACEHOLDER_SECRETS = frozenset({"", "change-me", "changeme", "secret", "replace-me"})
# Characters of SECRET_KEY required in production (about 190 bits from token_urlsafe(32)).
MIN_SECRET_LENGTH = 32


class AppEnv(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    app_env: AppEnv = AppEnv.DEVELOPMENT
    database_url: str = "sqlite:///./events_admin.db"
    # Production runs on PostgreSQL unless SQLite is chosen on purpose (one small machine).
    allow_sqlite_in_production: bool = False
    secret_key: SecretStr | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    # Host headers the app answers to, `name` or `name:port`; a bare name is answered without a
    # port or on PORT. Anything else gets a 400 (comma-separated in the env).
    allowed_hosts: Annotated[list[str], NoDecode] = ["127.0.0.1", "localhost"]
    # Addresses of reverse proxies whose X-Forwarded-For/-Proto are believed (comma-separated);
    # none by default, so a client can never choose the address the audit log and throttle see.
    forwarded_allow_ips: Annotated[list[str], NoDecode] = []
    # Other origins (`https://admin.example.org`) whose pages may send changes, besides the one
    # the request is addressed to (comma-separated).
    trusted_origins: Annotated[list[str], NoDecode] = []
    admin_email: str | None = None
    admin_password: SecretStr | None = None
    # A staff session ends after this many seconds without a request (30 minutes) ...
    session_idle_timeout: int = 30 * 60
    # ... and this many seconds after login, however active (8 hours).
    session_lifetime: int = 8 * 60 * 60
    # Admins must switch on two-factor login (TOTP) before they can use the panel.
    require_mfa: bool = False
    # Seconds the dashboard's figures are reused. 0: always exact (the database keeps them as
    # tallies, so reading them costs a few rows; see admin_app/tallies.py).
    dashboard_cache_seconds: float = 0.0
    # Seconds a list's row count is reused while paging through the same filter.
    list_count_cache_seconds: float = 60.0
    # Requests a server process works out at once (the rest wait their turn;
    # web/serving/at_once.py). 0: no limit.
    web_requests_at_once: int = Field(default=4, ge=0)
    # Seconds a save waits for a row or table another transaction holds locked (on SQLite: for
    # another writer) before the page answers 503 "try again".
    database_lock_wait_seconds: float = 5.0
    # True when DATABASE_URL points at a pooler in transaction pooling mode (PgBouncer): psycopg
    # then never prepares statements (a prepared statement lives on one server connection, and
    # the pooler hands each transaction any of them) and sends no startup options (PgBouncer
    # refuses them): the lock wait is set by the pooler instead (docs/DEPLOY.md).
    database_transaction_pooler: bool = False
    # Days the images of deleted users and events are kept for restoring (purge-deleted).
    deleted_retention_days: int = Field(default=30, ge=0)
    sql_echo: bool = False
    # Background jobs (docs/JOBS.md). A CSV export of more rows than this runs as a job; smaller
    # ones stream at once.
    jobs_export_rows: int = Field(default=10_000, ge=0)
    # Rows past which bulk work on a whole filter (delete, set status, batch edit), undo and
    # restore of a change set, and purge run as background jobs; smaller ones run at once.
    jobs_write_rows: int = Field(default=10_000, ge=0)
    # Hours a job's result file stays downloadable.
    job_file_retention_hours: int = Field(default=72, ge=1)
    # A running job whose worker wrote no heartbeat for this long is failed by the sweep (a
    # worker writes one at least every 10,000 rows; the sweep runs every minute).
    jobs_stale_seconds: int = Field(default=120, ge=5)
    # Seconds a worker's statement waits for a lock another transaction holds (the web's
    # DATABASE_LOCK_WAIT_SECONDS is shorter: a page answers 503 instead of hanging).
    jobs_lock_wait_seconds: float = Field(default=60.0, gt=0, le=3600)
    # How much lower a worker's CPU priority is than the web's (`nice`, 0-19): jobs run at full
    # speed when the machine is idle and give way to page requests when it is not.
    jobs_worker_niceness: int = Field(default=10, ge=0, le=19)
    # `serve` also starts one worker process, so jobs run with nothing else started (turn off
    # where workers run on their own: `python -m admin_app worker`).
    jobs_embedded_worker: bool = True
    # Run each job inside the request that asks for it (tests and debugging only).
    jobs_immediate: bool = False
    # The largest file an import takes (docs/IMPORTS.md): 256 MiB holds well over a million
    # rows of events.
    import_max_bytes: int = Field(default=256 * 1024 * 1024, ge=1024)

    @model_validator(mode="before")
    @classmethod
    def _split_lists(cls, values: dict[str, object]) -> dict[str, object]:
        for name in ("allowed_hosts", "forwarded_allow_ips", "trusted_origins"):
            listed = values.get(name)
            if isinstance(listed, str):
                values[name] = [item.strip() for item in listed.split(",") if item.strip()]
        return values

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> "Settings":
        if self.app_env is not AppEnv.PRODUCTION:
            return self
        if self._secret_is_placeholder() or len(self._secret_text()) < MIN_SECRET_LENGTH:
            raise ValueError(
                f"SECRET_KEY is missing, a placeholder or shorter than {MIN_SECRET_LENGTH} "
                "characters; set a long random value (python -c 'import secrets; "
                "print(secrets.token_urlsafe(48))') before starting with APP_ENV=production"
            )
        if self.database_url.startswith("sqlite") and not self.allow_sqlite_in_production:
            raise ValueError(
                "DATABASE_URL points at SQLite in production; use PostgreSQL, or set "
                "ALLOW_SQLITE_IN_PRODUCTION=true if a single-file database is intended"
            )
        return self

    def _secret_text(self) -> str:
        return self.secret_key.get_secret_value() if self.secret_key else ""

    def _secret_is_placeholder(self) -> bool:
        return self._secret_text().strip().lower() in PLACEHOLDER_SECRETS

    @cached_property
    def session_secret(self) -> str:
        """The key that signs session cookies; generated per process in development."""
        if not self._secret_is_placeholder():
            return self._secret_text()
        # One line in the server's log, not a Python warning (it printed its place in functools
        # and read like a crash).
        logging.getLogger("admin_app").warning(
            "Notice: SECRET_KEY is not set; a random key signs sessions, so logins end when "
            "the server restarts (set SECRET_KEY in .env to keep them)."
        )
        return secrets.token_urlsafe(48)

    @property
    def is_production(self) -> bool:
        return self.app_env is AppEnv.PRODUCTION

    @property
    def session_cookie_name(self) -> str:
        # The __Host- prefix makes browsers refuse the cookie unless Secure, host-only, path "/".
        return "__Host-events_admin_session" if self.is_production else "events_admin_session"
