"""Which failures count as "the database cannot be reached" (503, retry) and which do not."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import exc as sa_exc
from talentmatch.platform.db.availability import is_database_unavailable


class DriverError(Exception):
    """A driver error carrying a SQLSTATE, as asyncpg's do."""

    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def wrapped(error: Exception, kind: type[sa_exc.DBAPIError] = sa_exc.DBAPIError) -> Exception:
    return kind("SELECT 1", {}, error)


def raised_from(error: Exception) -> Exception:
    try:
        raise RuntimeError("while handling a request") from error
    except RuntimeError as outer:
        return outer


@pytest.mark.parametrize(
    ("error", "unavailable"),
    [
        (
            wrapped(
                sqlite3.OperationalError("unable to open database file"), sa_exc.OperationalError
            ),
            True,
        ),
        (wrapped(sqlite3.OperationalError("database is locked"), sa_exc.OperationalError), True),
        (wrapped(DriverError("08006")), True),  # connection failure
        (wrapped(DriverError("57P01")), True),  # admin shutdown
        (sa_exc.TimeoutError("QueuePool limit reached"), True),
        (ConnectionRefusedError(111, "Connection refused"), True),
        (raised_from(ConnectionResetError(104, "Connection reset by peer")), True),
        (wrapped(DriverError("23505"), sa_exc.IntegrityError), False),  # unique violation
        (wrapped(DriverError("42P01"), sa_exc.ProgrammingError), False),  # undefined table
        (ValueError("not a database problem"), False),
        (raised_from(KeyError("x")), False),
    ],
)
def test_only_failures_to_reach_the_database_count_as_unavailable(
    error: Exception, unavailable: bool
) -> None:
    assert is_database_unavailable(error) is unavailable
