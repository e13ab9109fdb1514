"""Telling "the database cannot be reached right now" from every other failure.

Such a failure is the caller's to retry, not a bug: the service answers 503 with a Retry-After
hint (``app.unavailable``, ``graphql.unavailable``) and, since the engine's pool replaces dead
connections (``pool_pre_ping`` on PostgreSQL), serves again as soon as the database is back,
without a restart.
"""

from __future__ import annotations

from sqlalchemy import exc as sa_exc

__all__ = [
    "RETRY_AFTER_SECONDS",
    "SERVICE_UNAVAILABLE",
    "UNAVAILABLE_MESSAGE",
    "is_database_unavailable",
    "retry_after_headers",
    "unavailable_extensions",
]

#: What the 503 answers suggest: long enough for a database failover, short enough for a person.
RETRY_AFTER_SECONDS = 5
UNAVAILABLE_MESSAGE = (
    f"The database is unavailable; nothing was changed. Retry in {RETRY_AFTER_SECONDS} seconds."
)

#: The ``extensions.code`` of a GraphQL error that a retry may cure.
SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"


def retry_after_headers() -> dict[str, str]:
    """The headers of a 503 answer."""
    return {"Retry-After": str(RETRY_AFTER_SECONDS)}


def unavailable_extensions() -> dict[str, object]:
    """The ``extensions`` of a GraphQL error the database's absence caused."""
    return {"code": SERVICE_UNAVAILABLE, "retryAfterSeconds": RETRY_AFTER_SECONDS}


# SQLSTATE classes of a lost or refused connection (08) and of a server shutting down or
# starting up (57P01-57P03), as PostgreSQL reports them.
_CONNECTION_STATES = ("08", "57P01", "57P02", "57P03")


def is_database_unavailable(error: BaseException) -> bool:
    """Whether ``error``, or an error it was raised from, says the database cannot be reached:
    a refused, lost or timed-out connection, an exhausted pool, a server shutting down, an
    SQLite file that cannot be opened or is locked. Errors of the statements themselves
    (constraint violations, bad SQL) are not."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if _says_unavailable(current):
            return True
        pending += [current.__cause__, current.__context__]
        if isinstance(current, sa_exc.DBAPIError) and isinstance(current.orig, BaseException):
            pending.append(current.orig)
    return False


def _says_unavailable(error: BaseException) -> bool:
    if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
        return True
    if isinstance(error, sa_exc.OperationalError | sa_exc.InterfaceError | sa_exc.TimeoutError):
        return True
    # The driver's own errors (asyncpg's), reached through ``orig`` or the cause chain.
    state = getattr(error, "sqlstate", None)
    if isinstance(state, str) and state.startswith(_CONNECTION_STATES):
        return True
    return isinstance(error, ConnectionError | TimeoutError)
