"""Settings: development is forgiving, production refuses what would make it unsafe."""

from typing import Any

import pytest

from admin_app.config import AppEnv, Settings

POSTGRES = "postgresql+psycopg://app@db.internal/events"
GOOD_SECRET = "x" * 48


def _settings(**values: Any) -> Settings:
    return Settings(_env_file=None, **values)


@pytest.mark.parametrize(
    "secret",
    [
        pytest.param(None, id="missing"),
        pytest.param("", id="empty"),
        pytest.param("change-me", id="placeholder"),
        pytest.param("short-but-not-a-placeholder", id="too-short"),
    ],
)
def test_production_refuses_a_weak_secret(secret: str | None) -> None:
    with pytest.raises(ValueError, match="SECRET_KEY is missing, a placeholder or shorter"):
        _settings(app_env=AppEnv.PRODUCTION, secret_key=secret, database_url=POSTGRES)


def test_production_refuses_the_sqlite_default_unless_opted_in() -> None:
    with pytest.raises(ValueError, match="ALLOW_SQLITE_IN_PRODUCTION"):
        _settings(app_env="production", secret_key=GOOD_SECRET)
    opted_in = _settings(
        app_env="production", secret_key=GOOD_SECRET, allow_sqlite_in_production=True
    )
    assert opted_in.is_production


def test_production_accepts_a_real_secret_and_hardens_the_cookie() -> None:
    settings = _settings(app_env="production", secret_key=GOOD_SECRET, database_url=POSTGRES)
    assert settings.session_secret == GOOD_SECRET
    assert settings.session_cookie_name.startswith("__Host-")


def test_development_generates_a_secret_with_a_one_line_notice(
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = _settings()
    with caplog.at_level("WARNING", logger="admin_app"):
        secret = settings.session_secret
    # Issue 27: a UserWarning pointing at functools.py read like a crash.
    (notice,) = [record.getMessage() for record in caplog.records]
    assert notice.startswith("Notice: SECRET_KEY is not set") and "\n" not in notice
    assert len(secret) >= 32
    assert settings.session_secret == secret  # one key for the life of the process
    assert not settings.session_cookie_name.startswith("__Host-")


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATABASE_URL", "HOST", "PORT", "APP_ENV", "ALLOWED_HOSTS"):
        monkeypatch.delenv(name, raising=False)
    settings = _settings()
    assert settings.database_url.startswith("sqlite:///")
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert settings.allowed_hosts == ["127.0.0.1", "localhost"]
    assert (settings.session_idle_timeout, settings.session_lifetime) == (30 * 60, 8 * 60 * 60)


def test_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", POSTGRES)
    monkeypatch.setenv("PORT", "9000")
    monkeypatch.setenv("ALLOWED_HOSTS", "admin.example.org, 10.0.0.5")
    settings = _settings()
    assert settings.database_url == POSTGRES and settings.port == 9000
    assert settings.allowed_hosts == ["admin.example.org", "10.0.0.5"]
