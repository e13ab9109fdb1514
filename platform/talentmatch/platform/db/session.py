"""Async engines and sessions for SQLite (aiosqlite) and PostgreSQL (asyncpg)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry

#: How long an SQLite writer waits for another to finish before giving up.
SQLITE_BUSY_TIMEOUT_MS = 15_000
#: Execution option of a connection whose transactions will write (see ``begin_writing``).
WRITES = "talentmatch_writes"

__all__ = [
    "SQLITE_BUSY_TIMEOUT_MS",
    "WRITES",
    "begin_writing",
    "create_engine",
    "create_session_factory",
]


def create_engine(url: str, *, echo: bool = False, foreign_keys: bool = True) -> AsyncEngine:
    """An engine for ``url`` (an async driver URL, see ``settings.normalize_database_url``).

    ``foreign_keys=False`` is for SQLite migrations only: SQLite's procedure for rebuilding a
    table (what Alembic's batch mode does) requires foreign key enforcement to be off.
    """
    if url.startswith("sqlite"):
        engine = create_async_engine(url, echo=echo)
        _configure_sqlite(engine, foreign_keys=foreign_keys)
        return engine
    # pre_ping: a connection the server dropped (restart, idle timeout) is replaced, not failed.
    return create_async_engine(url, echo=echo, pool_pre_ping=True)


def create_session_factory(
    engine: AsyncEngine, *, writes: bool = False
) -> async_sessionmaker[AsyncSession]:
    """Sessions on ``engine``; ``writes=True`` for sessions whose every transaction writes (a
    solve runner's), which SQLite then begins as writers (see ``begin_writing``)."""
    bind = engine.execution_options(**{WRITES: True}) if writes else engine
    # expire_on_commit=False: objects stay readable after commit without an implicit (and, under
    # asyncio, impossible) lazy refresh.
    return async_sessionmaker(bind, expire_on_commit=False)


async def begin_writing(session: AsyncSession) -> None:
    """Start a transaction on ``session`` that is going to write.

    On SQLite a transaction that has read and then writes fails at once ("database is locked")
    when another writer committed in between: its snapshot is stale, and waiting cannot help.
    So a writing transaction takes SQLite's write lock when it begins (``BEGIN IMMEDIATE``),
    waiting for the writer before it, and reads what that writer committed. On PostgreSQL
    this is an ordinary transaction. Whatever ``session`` read before is committed first (it
    wrote nothing), keeping its objects loaded.
    """
    if session.in_transaction():
        await session.commit()
    await session.connection(execution_options={WRITES: True})


def _configure_sqlite(engine: AsyncEngine, *, foreign_keys: bool) -> None:
    """Make SQLite behave like the transactional database the service assumes.

    Python's sqlite3 driver (under aiosqlite) by default begins transactions only before DML, so
    SELECTs and DDL run outside them and SAVEPOINTs misbehave. SQLAlchemy's documented remedy:
    turn the driver's transaction handling off and emit BEGIN ourselves. SQLite also ignores
    foreign keys unless asked, per connection.

    Background solves write while requests read: in write-ahead-log mode readers and the one
    writer do not block each other, and a writer waits (up to the busy timeout) for another
    rather than failing at once.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        writes = connection.get_execution_options().get(WRITES, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")
