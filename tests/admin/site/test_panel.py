"""No route serves a file named by data: SQLAdmin's column download/preview routes are gone."""

from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy.orm import Session

from admin_app.models import StaffRole
from tests import factories
from tests.conftest import RoleClient
from tests.routes import mounted_routes

SECRET_MARK = "file-route-secret-7f3a"


@pytest.fixture
def planted_file(tmp_path: Path) -> Path:
    path = tmp_path / ".env"
    path.write_text(f"SECRET_KEY={SECRET_MARK}\n")
    return path


def test_no_mounted_route_serves_a_column_as_a_file(app: FastAPI) -> None:
    names = {route.name for route in mounted_routes(list(app.routes))}
    assert not names & {"file_download", "file_preview"}
    paths = [route.path for route in mounted_routes(list(app.routes))]
    assert not [path for path in paths if path.endswith(("/download/", "/preview/"))]


@pytest.mark.parametrize("role", [StaffRole.EDITOR, StaffRole.VIEWER], ids=str)
@pytest.mark.parametrize("kind", ["download", "preview"])
@pytest.mark.parametrize(
    "title",
    ["pyproject.toml", ".env", "../pyproject.toml", "./admin_app/../pyproject.toml", "PLANTED"],
)
def test_a_title_naming_a_server_file_is_never_served(
    client_as: RoleClient, db: Session, planted_file: Path, role: StaffRole, kind: str, title: str
) -> None:
    # PLANTED: an absolute path to a file of secrets the server can read.
    title = str(planted_file) if title == "PLANTED" else title
    event = factories.make_event(db, title=title)
    browser = client_as(role)
    for method in ("GET", "HEAD"):
        response = browser.request(method, f"/admin/event/{event.id}/title/{kind}/")
        assert response.status_code == 404, (method, response.status_code)
        assert SECRET_MARK not in response.text
        assert "[project]" not in response.text  # pyproject.toml's first table
    # The pages that show the title show it as text, with no link to a file.
    details = browser.get(f"/admin/event/details/{event.id}").text
    assert "/download/" not in details and "/preview/" not in details


def test_an_email_naming_a_file_is_not_served(
    client_as: RoleClient, db: Session, planted_file: Path
) -> None:
    user = factories.make_user(db, email=str(planted_file))
    response = client_as(StaffRole.EDITOR).get(f"/admin/user/{user.id}/email/download/")
    assert response.status_code == 404
    assert SECRET_MARK not in response.text
