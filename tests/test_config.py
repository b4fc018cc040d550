"""Settings: development is forgiving, production refuses guessable secrets."""

from typing import Any

import pytest
from pydantic import SecretStr

from admin_app.config import AppEnv, Settings


def _settings(**values: Any) -> Settings:
    return Settings(_env_file=None, **values)


@pytest.mark.parametrize("secret", [None, "", "change-me"])
def test_production_refuses_a_missing_or_placeholder_secret(secret: str | None) -> None:
    with pytest.raises(ValueError, match="SECRET_KEY is missing or a placeholder"):
        _settings(app_env=AppEnv.PRODUCTION, secret_key=secret)


def test_production_accepts_a_real_secret() -> None:
    settings = _settings(app_env="production", secret_key=SecretStr("x" * 48))
    assert settings.is_production and settings.session_secret == "x" * 48


def test_development_generates_a_secret_with_a_warning() -> None:
    settings = _settings()
    with pytest.warns(UserWarning, match="SECRET_KEY is not set"):
        secret = settings.session_secret
    assert len(secret) >= 32
    assert settings.session_secret == secret  # one key for the life of the process


def test_defaults_are_sqlite_and_localhost(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATABASE_URL", "HOST", "PORT", "APP_ENV"):
        monkeypatch.delenv(name, raising=False)
    settings = _settings()
    assert settings.database_url.startswith("sqlite:///")
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)


def test_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u@h/db")
    monkeypatch.setenv("PORT", "9000")
    settings = _settings()
    assert settings.database_url == "postgresql+psycopg://u@h/db" and settings.port == 9000
