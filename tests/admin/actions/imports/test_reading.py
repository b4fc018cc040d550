"""Hostile files are refused with words a staff member can act on, before any row is read into
the import; ordinary ones (a BOM, semicolons, Windows-1252, UTF-16) are read right."""

import io
import zipfile
from pathlib import Path

import pytest

from admin_app.admin.actions.imports import reading
from admin_app.admin.actions.imports import upload as stored
from admin_app.admin.actions.imports.reading import FileProblem


def _received(tmp_path: Path, content: bytes, name: str = "file.csv") -> stored.Received:
    return stored.receive(io.BytesIO(content), name, max_bytes=200 * 1024 * 1024)


def _rows(tmp_path: Path, content: bytes, name: str = "file.csv") -> list[list[str]]:
    received = _received(tmp_path, content, name)
    try:
        return list(reading.rows(received.path, received.layout))
    finally:
        received.path.unlink()


def _refusal(tmp_path: Path, content: bytes, name: str = "file.csv") -> str:
    with pytest.raises(FileProblem) as refused:
        received = _received(tmp_path, content, name)
        try:
            reading.header_of(received.path, received.layout)
            list(reading.rows(received.path, received.layout))
        finally:
            received.path.unlink()
    return str(refused.value)


def test_encodings_and_delimiters_are_found(tmp_path: Path) -> None:
    expected = [["title", "organizer"], ["Café", "ann@example.org"]]
    assert _rows(tmp_path, "title,organizer\nCafé,ann@example.org\n".encode()) == expected
    assert (
        _rows(tmp_path, b"\xef\xbb\xbf" + "title;organizer\r\nCafé;ann@example.org\r\n".encode())
        == expected
    )
    assert _rows(tmp_path, "title\torganizer\nCafé\tann@example.org\n".encode("utf-16")) == expected
    # Excel's "CSV" on Windows: no UTF-8 anywhere, so Windows-1252.
    assert _rows(tmp_path, "title,organizer\nCafé,ann@example.org\n".encode("cp1252")) == expected
    # Quoted cells keep their delimiters and line breaks.
    assert _rows(tmp_path, b'title,organizer\n"A, b\nc",x@y.org\n')[1] == ["A, b\nc", "x@y.org"]


def test_a_file_that_mixes_encodings_is_refused(tmp_path: Path) -> None:
    content = "title\nCafé\n".encode() + "Crème\n".encode("cp1252")
    assert "mixes text encodings" in _refusal(tmp_path, content)


def test_empty_files_and_files_without_a_header_are_refused(tmp_path: Path) -> None:
    assert _refusal(tmp_path, b"") == "The file is empty."
    assert "first row should name the columns" in _refusal(tmp_path, b"\n\n,,\n")


def test_a_header_that_names_a_column_twice_is_refused(tmp_path: Path) -> None:
    refusal = _refusal(tmp_path, b"email,Email\na@b.org,c@d.org\n")
    assert 'names "Email" twice (columns 1 and 2)' in refusal


def test_a_million_columns_is_refused(tmp_path: Path) -> None:
    refusal = _refusal(tmp_path, b"," * 1_000_000 + b"x\n")
    assert refusal == "Row 1 has 1,000,001 columns; an import reads at most 100."
    # Two million do not even fit the longest line read.
    assert "longer than 1,024 KiB" in _refusal(tmp_path, b"," * 2_000_000 + b"\n")


def test_a_50_mb_line_is_refused_without_reading_it_whole(tmp_path: Path) -> None:
    content = b"title\n" + b"x" * (50 * 1024 * 1024) + b"\n"
    assert "Line 2 of the file is longer than 1,024 KiB" in _refusal(tmp_path, content)


def test_a_10_mb_cell_is_refused(tmp_path: Path) -> None:
    # Spread over short lines inside quotes, so that only the cell's own size can refuse it.
    cell = ("y" * 99 + "\n") * (100 * 1024)
    content = b'title\n"' + cell.encode() + b'"\n'
    assert "Row 2 holds a cell of more than 131,072 characters" in _refusal(tmp_path, content)
    # Under csv's own cap, the import's cap (64 KiB) names the column.
    cell = "z" * (100 * 1024)
    content = b'title,x\n1,"' + cell.encode() + b'"\n'
    assert "Row 2, column 2 holds 102,400 characters" in _refusal(tmp_path, content)


def test_nul_bytes_are_read_as_text(tmp_path: Path) -> None:
    # The cell's own check drops NUL as the form does (fields.py); reading keeps it.
    assert _rows(tmp_path, b"title\nA\x00B\n")[1] == ["A\x00B"]


def test_a_zip_that_is_not_a_workbook_or_inflates_too_far_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = io.BytesIO()
    with zipfile.ZipFile(plain, "w") as archive:
        archive.writestr("notes.txt", "hello")
    assert "not an XLSX workbook" in _refusal(tmp_path, plain.getvalue(), "data.xlsx")
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (8 * 1024 * 1024))
    assert len(bomb.getvalue()) < 64 * 1024
    monkeypatch.setattr(reading, "MAX_XLSX_INFLATED", 4 * 1024 * 1024)
    assert "inflates to" in _refusal(tmp_path, bomb.getvalue(), "bomb.xlsx")
    assert "damaged" in _refusal(tmp_path, b"PK\x03\x04 broken", "broken.xlsx")
    assert "not an XLSX workbook" in _refusal(tmp_path, b"title\nx\n", "data.xlsx")


def test_a_file_larger_than_the_limit_is_refused_while_it_streams(tmp_path: Path) -> None:
    with pytest.raises(stored.TooLarge):
        stored.receive(io.BytesIO(b"x" * 5000), "big.csv", max_bytes=4096)
