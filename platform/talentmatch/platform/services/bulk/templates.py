"""The template files of each bulk kind: what college staff and HR start from.

CSV: the header row, then an example row that starts with ``#`` (skipped when read), so the
file opens in any spreadsheet with every column in place. XLSX: the header row alone on the
first sheet, and a second sheet, ``help 说明``, giving each column's meaning and an example.
"""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from talentmatch.platform.services.bulk.columns import BulkKind

__all__ = ["HELP_SHEET", "template_csv", "template_xlsx"]

HELP_SHEET = "help 说明"
_HELP_HEADERS = ("column 列", "required 必填", "meaning 说明", "example 示例")


def template_csv(kind: BulkKind) -> bytes:
    """The CSV template, UTF-8 with a byte order mark (so that Excel reads it as UTF-8)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(column.header for column in kind.columns)
    example = [column.example for column in kind.columns]
    example[0] = f"# example 示例: {example[0]}"
    writer.writerow(example)
    return out.getvalue().encode("utf-8-sig")


def template_xlsx(kind: BulkKind) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook has one sheet
    sheet.title = _sheet_title(kind.title)
    sheet.append([column.header for column in kind.columns])
    for index, column in enumerate(kind.columns, start=1):
        sheet.cell(row=1, column=index).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(index)].width = max(14, len(column.header) + 6)
    sheet.freeze_panes = "A2"
    help_sheet = workbook.create_sheet(HELP_SHEET)
    help_sheet.append(list(_HELP_HEADERS))
    for column in kind.columns:
        help_sheet.append(
            [
                column.header,
                "yes 是" if column.required else "no 否",
                column.meaning,
                column.example,
            ]
        )
    for index, width in enumerate((28, 12, 80, 20), start=1):
        help_sheet.cell(row=1, column=index).font = Font(bold=True)
        help_sheet.column_dimensions[get_column_letter(index)].width = width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _sheet_title(title: str) -> str:
    return title[:31]  # Excel's limit on sheet names
