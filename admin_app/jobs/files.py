"""Result files kept in the database in chunks: any web instance serves them without a shared
disk, a chunk at a time (flat memory), until they expire."""

from collections.abc import Iterator
from datetime import timedelta

from sqlalchemy import delete, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from admin_app import clock
from admin_app.jobs.store import changed
from admin_app.models import JobFile, JobFileChunk

# Bytes per stored chunk: large enough that a million-row export is a few hundred rows, small
# enough that a download holds one in memory.
CHUNK_BYTES = 2 * 1024 * 1024


class FileWriter:
    """Appends a job's result, one chunk per transaction, and marks it complete at the end."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        *,
        job_id: int,
        name: str,
        media_type: str,
        keep_for: timedelta,
    ) -> None:
        self.factory = factory
        with factory() as session, session.begin():
            # A retried job starts its file again.
            session.execute(delete(JobFile).where(JobFile.job_id == job_id))
            stored = JobFile(
                job_id=job_id,
                name=name,
                media_type=media_type,
                expires_at=clock.now() + keep_for,
            )
            session.add(stored)
        self.file_id = stored.id
        self.size = 0
        self._seq = 0
        self._buffer = bytearray()

    def write(self, data: bytes) -> None:
        self._buffer += data
        while len(self._buffer) >= CHUNK_BYTES:
            self._store(bytes(self._buffer[:CHUNK_BYTES]))
            del self._buffer[:CHUNK_BYTES]

    def close(self) -> None:
        if self._buffer:
            self._store(bytes(self._buffer))
            self._buffer.clear()
        with self.factory() as session, session.begin():
            session.execute(
                update(JobFile)
                .where(JobFile.id == self.file_id)
                .values(complete=True, size=self.size)
            )

    def discard(self) -> None:
        with self.factory() as session, session.begin():
            session.execute(delete(JobFile).where(JobFile.id == self.file_id))

    def _store(self, chunk: bytes) -> None:
        with self.factory() as session, session.begin():
            if session.get_bind().dialect.name == "postgresql":
                # A chunk need not be on disk before the next one is written: if the server
                # stopped now, the job would fail and its partial file go anyway; the file's
                # last commit (close) is durable, and flushes every chunk before it.
                session.execute(text("SET LOCAL synchronous_commit = off"))
            session.add(JobFileChunk(file_id=self.file_id, seq=self._seq, data=chunk))
        self._seq += 1
        self.size += len(chunk)


def chunks(factory: sessionmaker[Session], file_id: int) -> Iterator[bytes]:
    """The file's bytes, one stored chunk per query."""
    seq = -1
    while True:
        with factory() as session:
            row = session.execute(
                select(JobFileChunk.seq, JobFileChunk.data)
                .where(JobFileChunk.file_id == file_id, JobFileChunk.seq > seq)
                .order_by(JobFileChunk.seq)
                .limit(1)
            ).first()
        if row is None:
            return
        seq = row[0]
        yield bytes(row[1])


def purge_expired(factory: sessionmaker[Session]) -> int:
    with factory() as session, session.begin():
        return changed(session.execute(delete(JobFile).where(JobFile.expires_at < clock.now())))
