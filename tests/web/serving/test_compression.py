"""gzip where the client asks, for static files and exports only (pages hold the CSRF token)."""

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests import factories

GZIP = {"Accept-Encoding": "gzip"}


def test_exports_are_compressed_when_the_client_asks(client: TestClient, db: Session) -> None:
    for n in range(60):
        factories.make_event(db, title=f"Compressed row {n}")
    response = client.get("/admin/event/export/csv", headers=GZIP)
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert response.text.count("Compressed row") == 60  # the client decodes it
    plain = client.get("/admin/event/export/csv", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.text == response.text


def test_static_files_are_compressed(anonymous: TestClient) -> None:
    response = anonymous.get("/admin/statics/css/panel.css", headers=GZIP)
    assert response.headers["content-encoding"] == "gzip"
    assert "public" in response.headers["cache-control"]


def test_pages_are_never_compressed(client: TestClient, db: Session) -> None:
    for _ in range(30):
        factories.make_event(db)
    for path in ("/admin/event/list", "/admin/", "/admin/event/list?search=secret"):
        response = client.get(path, headers=GZIP)
        assert response.status_code == 200
        assert "content-encoding" not in response.headers, path
