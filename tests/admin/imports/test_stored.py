"""An upload is kept in the database in chunks and read back byte for byte by any worker; it is
hashed on the way in (the same file is the same import)."""

import hashlib
import io

import pytest
from fastapi import FastAPI

from admin_app.admin.imports import stored
from admin_app.models import Import


def test_an_upload_is_stored_in_chunks_and_read_back_whole(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stored, "CHUNK_BYTES", 1000)
    content = b"title\n" + "Café, été\n".encode() * 700
    received = stored.receive(io.BytesIO(content), "file.csv", max_bytes=10**6)
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
        stored.store(session, found.id, received.path)
    received.path.unlink()
    with stored.local_copy(factory, found.id) as path:
        assert path.read_bytes() == content
    assert not path.exists()
