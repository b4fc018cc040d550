"""`GET /health`: ok while the database answers, 503 otherwise (never a crash)."""

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

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


def test_health_is_503_when_the_connection_dies_as_the_check_ends(
    app: FastAPI, anonymous: TestClient
) -> None:
    """Seen under load when every connection was killed: the SELECT answered, then the closing
    ROLLBACK failed; the probe must still get its 503, not a dropped connection."""

    def killed(_conn: object) -> None:
        raise OperationalError("ROLLBACK", {}, Exception("terminating connection"))

    event.listen(app.state.engine, "rollback", killed)
    try:
        response = anonymous.get("/health")
    finally:
        event.remove(app.state.engine, "rollback", killed)
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert anonymous.get("/health").json() == {"status": "ok"}
