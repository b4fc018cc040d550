"""An uploaded file, kept in the database in chunks and read back byte for byte, made an
import: the same file again is the same import, a saved mapping
fits the next file with the same columns, and the upload itself needs its token and a size
within the limit."""

import hashlib
import io
import re
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import false, select
from sqlalchemy.orm import Session

from admin_app.admin.actions.imports import upload as upload_module
from admin_app.jobs.store import Owner
from admin_app.models import Import, Staff, StaffRole
from tests import factories
from tests.admin.actions.imports.conftest import (
    MAX_BYTES,
    act,
    events_csv,
    import_id,
    upload,
)
from tests.conftest import RoleClient
from tests.history.conftest import text_of


def test_the_same_file_uploaded_twice_is_the_same_import(client: TestClient, db: Session) -> None:
    content = b"email\nann@example.org\n"
    first = upload(client, "user", content, name="a.csv")
    again = upload(client, "user", content, name="renamed.csv")
    assert first == again
    assert "You uploaded this file before" in client.get(again[1]).text
    other_list = upload(client, "event", b"title\nx\n")
    assert other_list[1] != first[1]
    assert len(list(db.scalars(select(Import)))) == 2


def test_a_saved_mapping_is_used_for_the_next_file_with_the_same_columns(
    client: TestClient, db: Session
) -> None:
    factories.make_user(db, email="ann@example.org")
    header = "Name,When,Who"
    _status, where = upload(
        client, "event", events_csv("A,2027-01-01,ann@example.org", header=header)
    )
    number = import_id(where)
    mapping = {"map-0": "title", "map-1": "date_of", "map-2": "organizer"}
    act(client, number, "save-mapping", mapping_name="Partner feed", **mapping)
    _status, where = upload(
        client, "event", events_csv("B,2027-02-02,ann@example.org", header=header)
    )
    page = client.get(where).text
    for n, name in enumerate(["title", "date_of", "organizer"]):
        assert re.search(
            rf'name="map-{n}">\s*<option value="">Leave out</option>'
            rf'\s*.*?<option value="{name}" selected>',
            page,
            re.S,
        )
    assert "Partner feed" in page


def test_an_upload_needs_its_token_and_a_size_within_the_limit(
    client_as: RoleClient, db: Session
) -> None:
    editor = client_as(StaffRole.EDITOR)
    token = editor.headers.pop("X-CSRF-Token")
    files = {"file": ("a.csv", b"email\nann@example.org\n", "text/csv")}
    assert editor.post("/admin/imports/new/user", files=files).status_code == 403
    # The token must be the body's first part (the upload streams past the check).
    late = editor.post("/admin/imports/new/user", files=files, data={"csrf_token": "wrong"})
    assert late.status_code == 403
    ok = editor.post(
        "/admin/imports/new/user", files=files, data={"csrf_token": token}, follow_redirects=False
    )
    assert ok.status_code == 303
    big = b"email\n" + b"a@example.org\n" * (MAX_BYTES // 14 + 10)
    refused = editor.post(
        "/admin/imports/new/user",
        files={"file": ("big.csv", big, "text/csv")},
        data={"csrf_token": token},
    )
    assert refused.status_code == 413
    assert "larger than 4.0 MiB" in text_of(refused.text)
    assert len(list(db.scalars(select(Import)))) == 1


def test_the_same_file_sent_twice_at_once_is_one_import(
    app: FastAPI, admin_staff: Staff, monkeypatch: pytest.MonkeyPatch
) -> None:
    factory = app.state.session_factory
    received = upload_module.receive(
        io.BytesIO(b"email\nann@example.org\n"), "a.csv", max_bytes=10**6
    )
    who = Owner(staff_id=admin_staff.id, email=admin_staff.email)
    first, new = upload_module.keep(factory, who, "user", "a.csv", received, ["email"], [])
    assert new
    # The second request looked before the first one committed: it finds nothing, inserts,
    # and meets the unique index.
    looks: list[int] = []
    real = upload_module._same_file

    def not_yet(*args: Any) -> Any:
        looks.append(1)
        return select(Import.id).where(false()) if len(looks) == 1 else real(*args)

    monkeypatch.setattr(upload_module, "_same_file", not_yet)
    again = upload_module.keep(factory, who, "user", "a.csv", received, ["email"], [])
    assert again == (first, False)
    received.path.unlink()


def test_an_upload_is_stored_in_chunks_and_read_back_whole(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(upload_module, "CHUNK_BYTES", 1000)
    content = b"title\n" + "Café, été\n".encode() * 700
    received = upload_module.receive(io.BytesIO(content), "file.csv", max_bytes=10**6)
    assert received.sha256 == hashlib.sha256(content).hexdigest()
    assert received.size == len(content) and received.layout.encoding == "utf-8"
    factory = app.state.session_factory
    with factory() as session, session.begin():
        found = Import(
            identity="event",
            owner_email="a@b.org",
            file_name="file.csv",
            file_hash=received.sha256,
            file_format="csv",
        )
        session.add(found)
        session.flush()
        upload_module.store(session, found.id, received.path)
    received.path.unlink()
    with upload_module.local_copy(factory, found.id) as path:
        assert path.read_bytes() == content
    assert not path.exists()
