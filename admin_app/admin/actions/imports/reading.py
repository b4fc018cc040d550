"""Reading an uploaded file a row at a time, whatever it holds: CSV (encoding and delimiter
sniffed, a BOM dropped) or XLSX (openpyxl's read-only mode streams the sheet). Every limit a
hostile file could push on is checked here and refused with words a staff member can act on:
no row is ever taken from a file this module refused."""

import codecs
import csv
import itertools
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from admin_app.admin.actions.imports.fields import cell_text

# A header row naming more columns than this is not a list of users or events.
MAX_COLUMNS = 100
# Longer than any field by far (an email is 320, a title 200): a cell this long is a wrong file.
MAX_CELL_CHARS = 64 * 1024
# A physical line longer than this (no line break in 1 MiB) is refused before it is read whole.
MAX_LINE_CHARS = 1024 * 1024
# An XLSX is a zip: what it holds once inflated is capped (a "zip bomb" holds petabytes).
MAX_XLSX_INFLATED = 2 * 1024 * 1024 * 1024
# Characters of an example value kept for the mapping form.
EXAMPLE_CHARS = 60
# Bytes looked at to find the delimiter.
SNIFF_BYTES = 64 * 1024
DELIMITERS = ",;\t|"
XLSX_MAGIC = b"PK\x03\x04"


class FileProblem(ValueError):
    """The file cannot be imported; str() says why and what to do (shown on the page)."""


@dataclass(frozen=True)
class Layout:
    """What the upload found out about a file, to read it again the same way."""

    file_format: str  # "csv" or "xlsx"
    encoding: str = "utf-8"
    delimiter: str = ","


class EncodingSniffer:
    """Finds a CSV's encoding while the upload streams past: UTF-8 (with or without a BOM),
    UTF-16 with a BOM, or Windows-1252 for a file with no UTF-8 in it at all (Excel's "CSV" on
    Windows). A file that is UTF-8 in places and not in others is refused: it would be read
    wrong somewhere whichever way it was read."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")("strict")
        self._first = b""
        self._seen_utf8 = False
        self._bad_at: int | None = None
        self._offset = 0

    def feed(self, chunk: bytes) -> None:
        if len(self._first) < 4:
            self._first += chunk[: 4 - len(self._first)]
        if self._bad_at is None:
            valid = chunk
            try:
                self._decoder.decode(chunk)
            except UnicodeDecodeError as error:
                self._bad_at = self._offset + error.start
                valid = chunk[: max(error.start, 0)]
            self._seen_utf8 = self._seen_utf8 or not valid.isascii()
        self._offset += len(chunk)

    def encoding(self) -> str:
        if self._first.startswith(codecs.BOM_UTF8):
            self._require_utf8()
            return "utf-8-sig"
        if self._first.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        if self._bad_at is None:
            try:
                self._decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                self._bad_at = self._offset
        if self._bad_at is None:
            return "utf-8"
        if self._seen_utf8:
            self._require_utf8()
        return "cp1252"

    def _require_utf8(self) -> None:
        if self._bad_at is not None:
            raise FileProblem(
                f"The file mixes text encodings: it is UTF-8 until byte {self._bad_at:,}, and "
                'not after it. Save it again as "CSV UTF-8" and upload that.'
            )


class LineMeter:
    """The longest line of a file as it streams past (in bytes, a C-speed split per block):
    a CSV with a line over MAX_LINE_CHARS is refused before anything reads it line by line,
    so that reading never holds a 50 MB line."""

    def __init__(self) -> None:
        self.lines = 0
        self._current = 0
        self.too_long_at: int | None = None

    def feed(self, block: bytes) -> None:
        if self.too_long_at is not None:
            return
        parts = block.split(b"\n")
        lengths = [self._current + len(parts[0]), *map(len, parts[1:])]
        if max(lengths) > MAX_LINE_CHARS:
            first = next(n for n, length in enumerate(lengths) if length > MAX_LINE_CHARS)
            self.too_long_at = self.lines + first + 1
        self.lines += len(parts) - 1
        self._current = lengths[-1]

    def check(self) -> None:
        if self.too_long_at is not None:
            raise FileProblem(
                f"Line {self.too_long_at:,} of the file is longer than "
                f"{MAX_LINE_CHARS // 1024:,} KiB without a line break: this is not a list of rows."
            )


def layout_of(head: bytes, file_name: str, sniffer: EncodingSniffer, meter: LineMeter) -> Layout:
    """The file's format from its first bytes (not its name), and a CSV's encoding and
    delimiter."""
    if not head:
        raise FileProblem("The file is empty.")
    if head.startswith(XLSX_MAGIC):
        return Layout("xlsx")
    if file_name.lower().endswith((".xlsx", ".xls", ".xlsm", ".ods")):
        raise FileProblem("This is not an XLSX workbook. Upload a CSV or an .xlsx file.")
    meter.check()
    encoding = sniffer.encoding()
    sample = head[:SNIFF_BYTES].decode(encoding, errors="ignore")
    return Layout("csv", encoding, _delimiter(sample))


def _delimiter(sample: str) -> str:
    first_line = sample.splitlines()[0] if sample else ""
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        # One column, or too little to go by: the delimiter the header uses most, else a comma.
        counts = {delimiter: first_line.count(delimiter) for delimiter in DELIMITERS}
        best = max(counts, key=lambda delimiter: counts[delimiter])
        return best if counts[best] else ","


def rows(path: Path, layout: Layout) -> Iterator[list[str]]:
    """The file's rows as lists of cell texts, the header row first; FileProblem as soon as
    the file breaks a limit (the row it stopped at is named)."""
    if layout.file_format == "xlsx":
        yield from _xlsx_rows(path)
    else:
        yield from _csv_rows(path, layout)


def _csv_rows(path: Path, layout: Layout) -> Iterator[list[str]]:
    with path.open(encoding=layout.encoding, newline="") as stream:
        # Straight over the file: the upload measured its lines (LineMeter), so none is long.
        reader = csv.reader(stream, delimiter=layout.delimiter, strict=False)
        row_no = 0
        try:
            for row in reader:
                row_no += 1
                # The limits' quick test inline (a call a row is a tenth of the reading).
                if len(row) > MAX_COLUMNS or max(map(len, row), default=0) > MAX_CELL_CHARS:
                    _checked(row, row_no)
                yield row
        except csv.Error as error:
            if "field larger than field limit" in str(error):
                # csv's own cap (128 KiB) stops a huge cell before it is held whole.
                raise FileProblem(
                    f"Row {row_no + 1:,} holds a cell of more than {csv.field_size_limit():,} "
                    f"characters; no field takes more than {MAX_CELL_CHARS // 1024} KiB. Is this "
                    "the right file?"
                ) from error
            raise FileProblem(f"Row {row_no + 1:,} cannot be read as CSV: {error}.") from error
        except UnicodeDecodeError as error:
            raise FileProblem(
                f"Row {row_no + 1:,} is not {layout.encoding} text. Save the file again as "
                '"CSV UTF-8" and upload that.'
            ) from error


def _checked(row: list[str], row_no: int) -> list[str]:
    if len(row) > MAX_COLUMNS:
        raise FileProblem(
            f"Row {row_no:,} has {len(row):,} columns; an import reads at most {MAX_COLUMNS}."
        )
    if max(map(len, row), default=0) <= MAX_CELL_CHARS:
        return row
    for number, cell in enumerate(row, start=1):
        if len(cell) > MAX_CELL_CHARS:
            raise FileProblem(
                f"Row {row_no:,}, column {number} holds {len(cell):,} characters; no field "
                f"takes more than {MAX_CELL_CHARS // 1024} KiB. Is this the right file?"
            )
    return row


def check_xlsx(source: Path | IO[bytes]) -> None:
    """Refuse a workbook that is not a readable zip, or inflates past MAX_XLSX_INFLATED."""
    try:
        with zipfile.ZipFile(source) as archive:
            inflated = sum(entry.file_size for entry in archive.infolist())
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise FileProblem("This XLSX file is damaged (it is not a readable workbook).") from error
    if inflated > MAX_XLSX_INFLATED:
        raise FileProblem(
            f"This workbook inflates to {inflated / 2**30:,.1f} GiB; an import reads at most "
            f"{MAX_XLSX_INFLATED // 2**30} GiB. Save it as CSV, or split it."
        )
    if "xl/workbook.xml" not in names:
        raise FileProblem("This zip file is not an XLSX workbook.")


def _xlsx_rows(path: Path) -> Iterator[list[str]]:
    # openpyxl parses with defusedxml when it is installed (it is a dependency): no entity
    # expansion bombs.
    import openpyxl

    check_xlsx(path)
    # A file object, not the path: openpyxl judges a path by its name, and stored uploads
    # have none of their own.
    stream = path.open("rb")
    try:
        workbook = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged workbook
        stream.close()
        raise FileProblem("This XLSX file is damaged (it is not a readable workbook).") from error
    try:
        sheet = workbook.worksheets[0]
        for row_no, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield _checked([cell_text(value) for value in values], row_no)
    except FileProblem:
        raise
    except Exception as error:
        raise FileProblem("This XLSX file is damaged (it is not a readable workbook).") from error
    finally:
        workbook.close()
        stream.close()


def header_of(path: Path, layout: Layout) -> tuple[list[str], list[list[str]]]:
    """The first row and a few after it (examples beside the mapping form), refused when the
    first cannot be a header: empty, or a name twice."""
    source = rows(path, layout)
    first = next(source, None)
    if first is None or not any(cell.strip() for cell in first):
        raise FileProblem("The file is empty: its first row should name the columns.")
    headers = [cell.replace("\x00", "").strip() for cell in first]
    seen: dict[str, int] = {}
    for number, header in enumerate(headers, start=1):
        key = header.casefold()
        if key and key in seen:
            raise FileProblem(
                f'The header row names "{header}" twice (columns {seen[key]} and {number}): '
                "rename or remove one and upload the file again."
            )
        seen.setdefault(key, number)
    examples = [[cell[:EXAMPLE_CHARS] for cell in row] for row in itertools.islice(source, 3)]
    return headers, examples
