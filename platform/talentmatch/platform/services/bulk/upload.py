"""Posting the rows of a bulk file as entries of an open round, all or none.

The caller must be allowed to post entries of the file's kind into the round
(``rounds.require_poster``: the party kind, verification, reach, an open round), which is
checked before the file is read. Each row then goes through ``rounds.post_entry``, the
GraphQL mutations' own path, inside one SAVEPOINT: if any row is refused, every row is still
checked so that the report is complete, and the SAVEPOINT is rolled back, storing nothing.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from talentmatch.platform.db import User
from talentmatch.platform.errors import DomainError, Invalid
from talentmatch.platform.services import rounds
from talentmatch.platform.services.bulk.columns import BulkKind, CellType, Column, normalise_header
from talentmatch.platform.services.bulk.tables import BulkInvalid, RowProblem, Table, read_table

__all__ = ["post_file"]

_WHOLE = re.compile(r"[+-]?[0-9]+")
_LIST_SEPARATOR = re.compile(r"[;；]")  # the full-width semicolon of Chinese input methods too
# ``platforms[1]`` or ``roles`` -> the entry field a problem is about
_FIELD = re.compile(r"[a-z_]+")


class _Rollback(Exception):  # noqa: N818  (control flow: undo the SAVEPOINT)
    pass


#: Told the rows checked so far and the file's rows, after each row.
RowCallback = Callable[[int, int], None]


async def post_file(
    session: AsyncSession,
    user: User,
    kind: BulkKind,
    round_id: uuid.UUID,
    content: bytes,
    on_row: RowCallback | None = None,
) -> int:
    """Post every row of ``content`` (CSV or XLSX) as an entry of ``kind``; the number posted.

    Raises the DomainError of ``require_poster`` if the caller may not post, or BulkInvalid
    with every problem of the file, in which case nothing is posted. ``on_row`` follows a long
    file row by row (the command line's progress bar).
    """
    await rounds.require_poster(session, user, kind.entry, round_id)
    table = read_table(content)
    columns = _columns(kind, table)
    problems: list[RowProblem] = []
    try:
        async with session.begin_nested():
            for done, (number, cells) in enumerate(table.rows, start=1):
                fields = _fields(columns, cells)
                code = fields.pop("code", None)
                try:
                    await rounds.post_entry(
                        session, user, kind.entry, round_id, fields, code=_text(code)
                    )
                except Invalid as error:
                    problems += [
                        _problem(table, columns, number, p.field, p.message) for p in error.problems
                    ]
                except DomainError as error:  # a code the round already has
                    problems.append(_problem(table, columns, number, error.field, error.message))
                if on_row is not None:
                    on_row(done, len(table.rows))
            if problems:
                raise _Rollback
    except _Rollback:
        raise BulkInvalid(problems) from None
    return len(table.rows)


def _columns(kind: BulkKind, table: Table) -> dict[int, Column]:
    """The column of each header cell, or BulkInvalid naming unknown, repeated and missing
    columns."""
    by_name = {name: column for column in kind.columns for name in column.names()}
    found: dict[int, Column] = {}
    unknown: list[str] = []
    repeated: list[str] = []
    for index, header in enumerate(table.headers):
        column = by_name.get(normalise_header(header))
        if column is None:
            unknown.append(table.column_name(index))
        elif column in found.values():
            repeated.append(table.column_name(index))
        else:
            found[index] = column
    problems: list[RowProblem] = []
    if unknown:
        known = ", ".join(column.header for column in kind.columns)
        problems.append(
            RowProblem(1, None, f"unknown columns: {', '.join(unknown)}; the columns are {known}")
        )
    if repeated:
        problems.append(RowProblem(1, None, f"repeated columns: {', '.join(repeated)}"))
    missing = [c.header for c in kind.columns if c.required and c not in found.values()]
    if missing:
        problems.append(RowProblem(1, None, f"missing columns: {', '.join(missing)}"))
    if problems:
        raise BulkInvalid(problems)
    return found


def _fields(columns: Mapping[int, Column], cells: tuple[Any, ...]) -> dict[str, Any]:
    """The non-empty cells of a row as ``post_entry`` fields; an empty cell is an absent field
    (the format's default, or "is required")."""
    fields: dict[str, Any] = {}
    for index, column in columns.items():
        value = cells[index] if index < len(cells) else None
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        fields[column.field] = _value(column.type, value)
    return fields


def _value(cell_type: CellType, value: Any) -> Any:
    """A cell as the value the engine reads; what does not convert is passed on as it is, for
    the engine to refuse with its own message."""
    text = value.strip() if isinstance(value, str) else value
    if cell_type is CellType.WHOLE:
        return int(text) if isinstance(text, str) and _WHOLE.fullmatch(text) else text
    if cell_type is CellType.LIST:
        return [item.strip() for item in _LIST_SEPARATOR.split(str(text)) if item.strip()]
    # Text and dates: a workbook may hold a region code as a number.
    return str(text) if isinstance(text, int) and not isinstance(text, bool) else text


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _problem(
    table: Table, columns: Mapping[int, Column], row: int, field: str | None, message: str
) -> RowProblem:
    """A service problem as the file shows it: the column of its field; the message keeps a
    list item's position (``platforms[1]: unknown code 'x'``)."""
    if field is None:
        return RowProblem(row, None, message)
    name = _FIELD.match(field)
    index = next((i for i, c in columns.items() if name and c.field == name[0]), None)
    if name is not None and name[0] != field:
        message = f"{field}: {message}"
    return RowProblem(row, None if index is None else table.column_name(index), message)
