"""An upload made an import: the file streamed to disk (hashed, its encoding and lines measured
on the way), kept in the database in chunks (any worker can run the dry run, no shared disk
needed), and mapped by a saved mapping with exactly its headers or by the headers' names. The
same file again, to the same list, by the same staff member, is the same import."""

import hashlib
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from admin_app.admin.actions.imports.fields import field_map, guess_mapping
from admin_app.admin.actions.imports.reading import (
    SNIFF_BYTES,
    EncodingSniffer,
    Layout,
    LineMeter,
    layout_of,
)
from admin_app.jobs.store import Owner
from admin_app.models import Import, ImportFileChunk
from admin_app.staff import preferences

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


# --- The import made of it ------------------------------------------------------------------------


def keep(
    factory: sessionmaker[Session],
    who: Owner,
    identity: str,
    file_name: str,
    received: Received,
    headers: list[str],
    first_rows: list[list[str]],
) -> tuple[int, bool]:
    """The import of this file, new (with its chunks and a guessed or saved mapping) or the
    one this staff member made of the same file for the same list: (id, new)."""
    try:
        return _new_or_existing(factory, who, identity, file_name, received, headers, first_rows)
    except IntegrityError:
        # The same upload sent twice at once (a double submit): the first one made it.
        with factory() as session:
            existing = session.scalar(_same_file(who, identity, received))
        if existing is None:
            raise
        return int(existing), False


def _same_file(who: Owner, identity: str, received: Received) -> Select[Any]:
    return select(Import.id).where(
        Import.owner_id == who.staff_id,
        Import.identity == identity,
        Import.file_hash == received.sha256,
    )


def _new_or_existing(
    factory: sessionmaker[Session],
    who: Owner,
    identity: str,
    file_name: str,
    received: Received,
    headers: list[str],
    first_rows: list[list[str]],
) -> tuple[int, bool]:
    with factory() as session, session.begin():
        existing = session.scalar(_same_file(who, identity, received))
        if existing is not None:
            return int(existing), False
        saved = saved_mapping(session, who.staff_id, identity, headers)
        found = Import(
            identity=identity,
            owner_id=who.staff_id,
            owner_email=who.email,
            file_name=file_name,
            file_hash=received.sha256,
            file_size=received.size,
            file_format=received.layout.file_format,
            encoding=received.layout.encoding,
            delimiter=received.layout.delimiter,
            headers=headers,
            preview=first_rows,
            mapping=saved or guess_mapping(identity, headers),
            mode="create_update",
            skip_unchanged=True,
        )
        session.add(found)
        session.flush()
        store(session, found.id, received.path)
        return found.id, True


def saved_mapping(
    session: Session, staff_id: int | None, identity: str, headers: list[str]
) -> list[str] | None:
    """A saved mapping whose headers are exactly this file's, if there is one."""
    if staff_id is None:
        return None
    saved = preferences.load(session, staff_id=staff_id).import_mappings.get(identity, {})
    wanted = {header.casefold() for header in headers if header}
    for named in reversed(list(saved.values())):
        if set(named) == wanted:
            return mapping_from(identity, headers, named)
    return None


def mapping_from(identity: str, headers: list[str], named: dict[str, str]) -> list[str]:
    fields = field_map(identity)
    return [
        named.get(header.casefold(), "") if named.get(header.casefold(), "") in fields else ""
        for header in headers
    ]


def safe_name(name: str) -> str:
    # A file name as a header and a page show it: no path, no quotes, no control characters.
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(c for c in base if c.isprintable() and c not in '"').strip()
