"""Every setting the app reads, from the environment or an optional `.env` file."""

import secrets
import warnings
from enum import StrEnum
from functools import cached_property

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Values that `.env.example` and docs use; a production start with one of them is refused.
PLACEHOLDER_SECRETS = frozenset({"", "change-me", "changeme", "secret", "replace-me"})


class AppEnv(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    app_env: AppEnv = AppEnv.DEVELOPMENT
    database_url: str = "sqlite:///./events_admin.db"
    secret_key: SecretStr | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    admin_email: str | None = None
    admin_password: SecretStr | None = None
    # Lifetime of the signed session cookie, in seconds (8 hours).
    session_max_age: int = 8 * 60 * 60
    sql_echo: bool = False

    @model_validator(mode="after")
    def _refuse_placeholder_secret_in_production(self) -> "Settings":
        if self.app_env is AppEnv.PRODUCTION and self._secret_is_placeholder():
            raise ValueError(
                "SECRET_KEY is missing or a placeholder; set a long random value "
                "(python -c 'import secrets; print(secrets.token_urlsafe(48))') "
                "before starting with APP_ENV=production"
            )
        return self

    def _secret_is_placeholder(self) -> bool:
        if self.secret_key is None:
            return True
        return self.secret_key.get_secret_value().strip().lower() in PLACEHOLDER_SECRETS

    @cached_property
    def session_secret(self) -> str:
        """The key that signs session cookies; generated per process in development."""
        if not self._secret_is_placeholder():
            assert self.secret_key is not None
            return self.secret_key.get_secret_value()
        warnings.warn(
            "SECRET_KEY is not set: using a random key, so sessions end when the server restarts",
            stacklevel=2,
        )
        return secrets.token_urlsafe(48)

    @property
    def is_production(self) -> bool:
        return self.app_env is AppEnv.PRODUCTION
