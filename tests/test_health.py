from fastapi.testclient import TestClient

from admin_app.config import Settings
from admin_app.main import create_app


def test_health_is_ok_when_the_database_answers(anonymous: TestClient) -> None:
    response = anonymous.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_health_is_503_when_the_database_is_unreachable() -> None:
    settings = Settings(
        _env_file=None,
        database_url="postgresql+psycopg://postgres@127.0.0.1:1/nowhere?connect_timeout=1",
        secret_key="test-only-signing-key-0123456789abcdef",
        allowed_hosts=["testserver"],
    )
    with TestClient(create_app(settings)) as client:
        response = client.get("/health")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
