"""PostgreSQL writes a list's CSV itself: `COPY (...) TO STDOUT WITH (FORMAT csv, HEADER)` of
the export statement whose columns are already the text `export.inert_cell` writes for them
(`export.inert_select`), read in blocks whose record ends are the ones csv.writer writes. The
rows never become Python objects. The export job stores the blocks in a file; the export of a
list small enough for one request sends them as the response.
"""

from collections.abc import Generator
from typing import Any

import psycopg
from sqlalchemy import text
from sqlalchemy.orm import Session


def on_postgresql(session: Session) -> bool:
    """Whether COPY can write this session's export (elsewhere the rows go through Python)."""
    return session.get_bind().dialect.name == "postgresql"


def compiled_for(session: Session, stmt: Any) -> tuple[Any, Any]:
    """The statement compiled for the session's database, and the driver's own connection (a
    COPY, and EXPLAIN, are sent through psycopg directly)."""
    compiled = stmt.compile(
        dialect=session.get_bind().dialect, compile_kwargs={"render_postcompile": True}
    )
    driver = session.connection().connection.driver_connection
    assert driver is not None, "a live connection has its driver's"
    return compiled, driver


class CopyOut:
    """One COPY of `stmt` in `session`: iterate `blocks()`, then `rows` is the rows it sent.

    Closing the iteration early (a Cancel, a download stopped half way) cancels the COPY on the
    server and leaves the connection usable."""

    def __init__(self, session: Session, stmt: Any, *, block_bytes: int) -> None:
        # What COPY sends is gathered up to `block_bytes` before it is handed on.
        self.session = session
        self.stmt = stmt
        self.block_bytes = block_bytes
        self.rows = 0

    def blocks(self) -> Generator[bytes]:
        # Dates and times as the Python export writes them (export.iso_moment), whatever the
        # server's defaults.
        self.session.execute(text("SET LOCAL DateStyle = 'ISO, YMD'"))
        self.session.execute(text("SET LOCAL TimeZone = 'UTC'"))
        compiled, driver = compiled_for(self.session, self.stmt)
        record_ends = RecordEnds()
        pending: list[bytes] = []
        pending_size = 0
        with driver.cursor() as cursor:
            query = f"COPY ({compiled}) TO STDOUT WITH (FORMAT csv, HEADER)"
            with cursor.copy(query, compiled.params):
                # COPY hands over a row at a time, read here with libpq's own blocking read
                # (psycopg's row generator cost about a microsecond a row).
                read = driver.pgconn.get_copy_data
                while (row := read(0))[0] > 0:
                    # A copy: holding libpq's own buffers until the block is joined cost 1.5 s
                    # a million rows.
                    pending.append(bytes(row[1]))
                    pending_size += row[0]
                    if pending_size >= self.block_bytes:
                        yield _joined(pending, record_ends)
                        pending_size = 0
                if pending:
                    yield _joined(pending, record_ends)
                self.rows = _copy_result(driver.pgconn, row[0])


class RecordEnds:
    """COPY ends each CSV record with "\n", csv.writer with "\r\n" (RFC 4180): this turns the
    first into the second in a stream of COPY blocks, leaving line breaks inside quoted texts as
    they are (a break is inside quotes when an odd number of quote marks came before it)."""

    def __init__(self) -> None:
        self.inside_quotes = False

    def __call__(self, block: bytes) -> bytes:
        if b'"' not in block:  # most blocks: no quoted text begins or ends in them
            return block if self.inside_quotes else block.replace(b"\n", b"\r\n")
        parts = block.split(b'"')
        for index in range(len(parts)):
            if not self.inside_quotes:
                parts[index] = parts[index].replace(b"\n", b"\r\n")
            if index < len(parts) - 1:
                self.inside_quotes = not self.inside_quotes
        return b'"'.join(parts)


def _joined(pending: list[bytes], record_ends: RecordEnds) -> bytes:
    data = b"".join(pending)
    pending.clear()
    return record_ends(data)


def _copy_result(pgconn: Any, ended: int) -> int:
    """The rows COPY sent, from its final result (which libpq holds until it is read)."""
    if ended == -2:
        raise psycopg.OperationalError(pgconn.error_message.decode(errors="replace"))
    written = 0
    while (result := pgconn.get_result()) is not None:
        if result.status != psycopg.pq.ExecStatus.COMMAND_OK:
            raise psycopg.OperationalError(result.error_message.decode(errors="replace"))
        written = int(result.command_tuples or 0)
    return written
