"""Imports run their jobs inside the request (jobs_immediate): a POST that starts the dry run or
the commit returns once it is done. Helpers upload a file and drive an import over HTTP."""

import re

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from admin_app.config import Settings

# The largest upload in these tests (the setting's default is 256 MiB).
MAX_BYTES = 4 * 1024 * 1024


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
        import_max_bytes=MAX_BYTES,
    )


def csrf(client: TestClient) -> str:
    page = client.get("/admin/imports").text
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    if found is None:  # a page without a form: the upload page has one
        page = client.get("/admin/imports/new/event").text
        found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def upload(
    client: TestClient, identity: str, content: bytes, name: str = "file.csv"
) -> tuple[int, str]:
    """POST the file as the upload form does (the token first); (status, location or page)."""
    response = client.post(
        f"/admin/imports/new/{identity}",
        data={"csrf_token": csrf(client)},
        files={"file": (name, content, "text/csv")},
        follow_redirects=False,
    )
    if response.status_code == 303:
        return 303, str(response.headers["location"])
    return response.status_code, response.text


def import_id(location: str) -> int:
    found = re.search(r"/admin/imports/(\d+)$", location)
    assert found is not None, location
    return int(found.group(1))


def act(client: TestClient, number: int, action: str, **fields: str) -> str:
    """Press a button of the import's page (its form's current values, changed by `fields`)."""
    page = client.get(f"/admin/imports/{number}").text
    data = dict(_form_values(page))
    data.update(fields, action=action)
    response = client.post(f"/admin/imports/{number}", data=data, follow_redirects=False)
    assert response.status_code in (303, 400), response.text
    return response.text if response.status_code == 400 else str(response.headers["location"])


def _form_values(page: str) -> list[tuple[str, str]]:
    # The mapping form as the browser would send it: selected options, checked radios/boxes.
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    values = [("csrf_token", token.group(1))]
    selects = re.findall(r'<select[^>]*name="(map-\d+)"[^>]*>(.*?)</select>', page, re.S)
    for name, options in selects:
        chosen = re.search(r'<option value="([^"]*)" selected>', options)
        values.append((name, chosen.group(1) if chosen else ""))
    mode = re.search(r'name="mode" value="([^"]+)" checked', page)
    if mode:
        values.append(("mode", mode.group(1)))
    if re.search(r'name="skip_unchanged" value="yes" checked', page):
        values.append(("skip_unchanged", "yes"))
    return values


def events_csv(*rows: str, header: str = "id,title,date_of,social_status,organizer") -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def counts(page: str) -> dict[str, int]:
    found = re.findall(r'data-count="(\w+)">([\d,]+)<', page)
    return {name: int(value.replace(",", "")) for name, value in found}


def checked(client: TestClient, content: bytes, identity: str = "event", **fields: str) -> int:
    status, where = upload(client, identity, content)
    assert status == 303, where
    number = import_id(where)
    act(client, number, "check", **fields)
    return number
