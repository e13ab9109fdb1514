"""Relay cursor connections paged in the database.

A connection's query is ordered by a unique key (the caller's ``ORDER BY``), and the page is cut
with ``OFFSET``/``LIMIT`` in SQL, so a list of any length costs one statement per page (two when
``last`` is given without ``before``: the total is then counted first). A cursor is the
position of its row in that order, as opaque base64 text; clients pass it back as ``after`` or
``before`` and never read it. A page holds at most ``MAX_PAGE_SIZE`` rows; asking for more is an
error naming the argument, and a connection asked for neither ``first`` nor ``last`` gives its
first ``MAX_PAGE_SIZE`` rows.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from graphql import GraphQLError
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement
from strawberry import relay
from talentmatch.platform.errors import DomainError

__all__ = [
    "CURSOR_PREFIX",
    "MAX_PAGE_SIZE",
    "ArgumentError",
    "PageArguments",
    "PaginationError",
    "binary_order",
    "decode_cursor",
    "dialect_of",
    "empty_connection",
    "encode_cursor",
    "paginate",
]

MAX_PAGE_SIZE = 100
CURSOR_PREFIX = "offset:"

Row = TypeVar("Row")
NodeT = TypeVar("NodeT", bound=relay.Node)


class ArgumentError(GraphQLError):
    """An argument of a query the API refuses (a page too long, a foreign cursor, a malformed
    filter): a GraphQL error shown to the caller as it is, not masked, naming the argument."""

    def __init__(self, message: str, argument: str | None, code: str = "INVALID_ARGUMENT") -> None:
        super().__init__(message, extensions={"code": code, "argument": argument})

    @classmethod
    def of(cls, error: DomainError, arguments: Mapping[str, str] | None = None) -> ArgumentError:
        """A service's refusal of a filter, with the argument named as the schema names it."""
        argument = (arguments or {}).get(error.field or "", error.field)
        return cls(f"{argument}: {error.message}", argument, error.code.value)


class PaginationError(ArgumentError):
    """A paging argument the API refuses."""

    def __init__(self, message: str, argument: str) -> None:
        super().__init__(message, argument, "INVALID_PAGE")


@dataclass(frozen=True, slots=True)
class PageArguments:
    """The Relay paging arguments of one connection field."""

    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None


def encode_cursor(position: int) -> str:
    return base64.b64encode(f"{CURSOR_PREFIX}{position}".encode()).decode("ascii")


def decode_cursor(cursor: str, argument: str) -> int:
    """The row position a cursor of ``encode_cursor`` holds; a PaginationError for anything
    else, since a guessed cursor must not page somewhere arbitrary."""
    try:
        text = base64.b64decode(cursor.encode("ascii"), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        text = ""
    number = text.removeprefix(CURSOR_PREFIX) if text.startswith(CURSOR_PREFIX) else ""
    if not number.isdigit():
        raise PaginationError(f"`{argument}` is not a cursor of this connection", argument)
    return int(number)


def _count_argument(value: int | None, argument: str) -> int | None:
    if value is None:
        return None
    if value < 0:
        raise PaginationError(f"`{argument}` must not be negative, got {value}", argument)
    if value > MAX_PAGE_SIZE:
        raise PaginationError(
            f"`{argument}` must be at most {MAX_PAGE_SIZE}, got {value}; page through longer "
            "lists with the cursors",
            argument,
        )
    return value


def binary_order(column: Any, dialect: str) -> ColumnElement[Any]:
    """``column`` compared character by character (code point order) on every database:
    PostgreSQL's text columns otherwise sort by the server's collation, SQLite's already by
    bytes, which for UTF-8 is code point order too."""
    if dialect == "postgresql":
        return column.collate("C")  # type: ignore[no-any-return]
    return column  # type: ignore[no-any-return]


def dialect_of(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


def empty_connection() -> relay.Connection[Any]:
    """The connection of a caller who may see nothing (an anonymous caller)."""
    return relay.Connection(
        edges=[],
        page_info=relay.PageInfo(
            has_next_page=False, has_previous_page=False, start_cursor=None, end_cursor=None
        ),
    )


async def paginate(
    session: AsyncSession,
    lock: asyncio.Lock,
    query: Select[Row],
    page: PageArguments,
    to_node: Callable[[Row], NodeT],
) -> relay.Connection[NodeT]:
    """One page of ``query`` (which must be ordered by a unique key) as a connection; its
    statements run while holding ``lock`` (``Loaders.exclusive``), as the session is shared."""
    first = _count_argument(page.first, "first")
    last = _count_argument(page.last, "last")
    start = decode_cursor(page.after, "after") + 1 if page.after is not None else 0
    end = decode_cursor(page.before, "before") if page.before is not None else None
    if first is None and last is None:
        first = MAX_PAGE_SIZE
    if last is not None and end is None:
        counted = select(func.count()).select_from(query.order_by(None).subquery())
        async with lock:
            end = int(await session.scalar(counted) or 0)

    if end is None:
        take = first if first is not None else MAX_PAGE_SIZE
        # One row more than the page tells whether another page follows, without a COUNT.
        async with lock:
            rows: Sequence[Row] = list(await session.scalars(query.offset(start).limit(take + 1)))
        has_next = len(rows) > take
        rows = rows[:take]
    else:
        if last is not None:
            start = max(start, end - last)
        take = max(end - start, 0)
        if first is not None:
            take = min(take, first)
        rows = []
        if take:
            async with lock:
                rows = list(await session.scalars(query.offset(start).limit(take)))
        has_next = start + len(rows) < end

    edges = [
        relay.Edge(cursor=encode_cursor(start + i), node=to_node(row)) for i, row in enumerate(rows)
    ]
    return relay.Connection(
        edges=edges,
        page_info=relay.PageInfo(
            has_next_page=has_next,
            has_previous_page=start > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
    )
