"""An uploaded file kept in the database in chunks (any worker can run its dry run, no shared
disk needed), stored as it streams in: hashed, sized and its encoding sniffed on the way."""

import hashlib
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from admin_app.admin.imports.reading import (
    SNIFF_BYTES,
    EncodingSniffer,
    Layout,
    LineMeter,
    layout_of,
)
from admin_app.models import ImportFileChunk

CHUNK_BYTES = 2 * 1024 * 1024


class TooLarge(ValueError):
    """The file is larger than IMPORT_MAX_BYTES."""


@dataclass(frozen=True)
class Received:
    """An upload copied to a local file, with what was learnt from it on the way."""

    path: Path
    sha256: str
    size: int
    layout: Layout


def receive(source: IO[bytes], file_name: str, max_bytes: int) -> Received:
    """Copy the upload to a temporary file (the caller deletes it), hashing it and sniffing its
    encoding as it passes; FileProblem or TooLarge when it cannot be imported."""
    digest = hashlib.sha256()
    sniffer = EncodingSniffer()
    meter = LineMeter()
    head = b""
    size = 0
    with tempfile.NamedTemporaryFile(prefix="import-", suffix=".upload", delete=False) as copy:
        path = Path(copy.name)
        try:
            while block := source.read(CHUNK_BYTES):
                size += len(block)
                if size > max_bytes:
                    raise TooLarge
                digest.update(block)
                sniffer.feed(block)
                meter.feed(block)
                if len(head) < SNIFF_BYTES:
                    head += block[: SNIFF_BYTES - len(head)]
                copy.write(block)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
    try:
        layout = layout_of(head, file_name, sniffer, meter)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return Received(path=path, sha256=digest.hexdigest(), size=size, layout=layout)


def store(session: Session, import_id: int, path: Path) -> None:
    """The file's bytes, in chunks, in the caller's transaction."""
    with path.open("rb") as source:
        seq = 0
        while block := source.read(CHUNK_BYTES):
            session.add(ImportFileChunk(import_id=import_id, seq=seq, data=block))
            seq += 1
            if seq % 8 == 0:
                session.flush()  # a few chunks in memory at a time


@contextmanager
def local_copy(factory: sessionmaker[Session], import_id: int) -> Iterator[Path]:
    """The stored file as a temporary local file, for as long as the caller reads it."""
    with tempfile.NamedTemporaryFile(prefix="import-", suffix=".file", delete=False) as copy:
        path = Path(copy.name)
        seq = -1
        while True:
            with factory() as session:
                data = session.scalar(
                    select(ImportFileChunk.data)
                    .where(ImportFileChunk.import_id == import_id, ImportFileChunk.seq > seq)
                    .order_by(ImportFileChunk.seq)
                    .limit(1)
                )
            if data is None:
                break
            copy.write(data)
            seq += 1
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)
