"""Reading a spreadsheet file into rows of cells: CSV (UTF-8, with or without a byte order
mark, comma-separated) or XLSX (its first sheet), told apart by their content.

Rows are numbered as the spreadsheet shows them, the header being row 1. Empty rows, and rows
whose first cell starts with ``#`` (the templates' example row), are skipped. The limits bound
what one upload may cost the service: ``MAX_BYTES`` of file and ``MAX_ROWS`` rows.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from talentmatch.platform.errors import ErrorCode, Invalid

__all__ = [
    "MAX_BYTES",
    "MAX_ROWS",
    "BulkInvalid",
    "RowProblem",
    "Table",
    "read_table",
]

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
# Cells beyond the header's width are never read: a sheet formatted far to the right costs
# nothing.
_MAX_COLUMNS = 100
_ZIP_MAGIC = b"PK\x03\x04"  # an XLSX workbook is a zip archive


@dataclass(frozen=True, slots=True)
class RowProblem:
    """One problem of a bulk file: its row (None: the file as a whole), its column (None: the
    row as a whole) and what is wrong."""

    row: int | None
    column: str | None
    message: str


class BulkInvalid(Invalid):
    """A bulk file that cannot be stored, with every problem found, row by row."""

    def __init__(self, rows: Sequence[RowProblem]) -> None:
        first = rows[0]
        super().__init__(ErrorCode.INVALID_DOCUMENT, first.message, first.column)
        self.rows: tuple[RowProblem, ...] = tuple(rows)

    @classmethod
    def file(cls, message: str) -> BulkInvalid:
        return cls([RowProblem(None, None, message)])


@dataclass(frozen=True, slots=True)
class Table:
    """A file's header cells and its data rows as (row number, cells)."""

    headers: tuple[Any, ...]
    rows: tuple[tuple[int, tuple[Any, ...]], ...]
    #: Whether columns are lettered (A, B, ...) for the reader, as in a workbook.
    lettered: bool

    def column_name(self, index: int) -> str:
        """A column as the problems name it: its header, with its letter in a workbook."""
        cell = self.headers[index]
        header = " ".join(str(cell).split()) if cell not in (None, "") else "no header"
        return f"{get_column_letter(index + 1)} ({header})" if self.lettered else header


def read_table(content: bytes) -> Table:
    """The header and data rows of a CSV or XLSX file, or BulkInvalid naming why not."""
    if len(content) > MAX_BYTES:
        raise BulkInvalid.file(f"the file is larger than 5 MB ({MAX_BYTES:,} bytes); split it")
    if content.startswith(_ZIP_MAGIC):
        lines = _xlsx_rows(content)
        lettered = True
    else:
        lines = _csv_rows(content)
        lettered = False
    header: tuple[Any, ...] | None = None
    rows: list[tuple[int, tuple[Any, ...]]] = []
    for number, cells in lines:
        if header is None:
            if number != 1 or _blank(cells):
                raise BulkInvalid.file("row 1 must be the header row, naming the columns")
            header = _trimmed(cells)
            continue
        if _blank(cells) or _comment(cells):
            continue
        if len(rows) == MAX_ROWS:
            raise BulkInvalid.file(f"the file has more than {MAX_ROWS:,} rows; split it")
        rows.append((number, cells))
    if header is None:
        raise BulkInvalid.file("the file is empty")
    if not rows:
        raise BulkInvalid.file("the file has no rows below its header")
    return Table(header, tuple(rows), lettered)


def _csv_rows(content: bytes) -> Iterator[tuple[int, tuple[Any, ...]]]:
    try:
        text = content.decode("utf-8-sig")  # drops the byte order mark Excel writes
    except UnicodeDecodeError:
        raise BulkInvalid.file(
            'the file is neither an XLSX workbook nor UTF-8 text; save it as XLSX or as "CSV UTF-8"'
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for number, cells in enumerate(reader, start=1):
            yield number, tuple(cells)
    except csv.Error as error:
        raise BulkInvalid([RowProblem(reader.line_num, None, f"unreadable CSV: {error}")]) from None


def _xlsx_rows(content: bytes) -> Iterator[tuple[int, tuple[Any, ...]]]:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise BulkInvalid.file("the file is not a readable XLSX workbook") from None
    try:
        sheet = workbook.worksheets[0]
        width = _MAX_COLUMNS
        for number, cells in enumerate(sheet.iter_rows(max_col=width, values_only=True), start=1):
            if number == 1:
                width = _header_width(cells)
            yield number, tuple(_cell(value) for value in cells[:width])
    finally:
        workbook.close()


def _header_width(cells: Sequence[Any]) -> int:
    filled = [i for i, value in enumerate(cells) if value not in (None, "")]
    return filled[-1] + 1 if filled else 0


def _cell(value: Any) -> Any:
    """A workbook cell as text or a whole number: dates in ISO form, whole floats as ints."""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return value.strip()
    return value


def _trimmed(cells: tuple[Any, ...]) -> tuple[Any, ...]:
    """The header without the empty cells at its end."""
    end = len(cells)
    while end and cells[end - 1] in (None, ""):
        end -= 1
    return cells[:end]


def _blank(cells: Sequence[Any]) -> bool:
    return all(value is None or str(value).strip() == "" for value in cells)


def _comment(cells: Sequence[Any]) -> bool:
    return bool(cells) and isinstance(cells[0], str) and cells[0].lstrip().startswith("#")
