"""Fixtures of the service's tests: every database test runs on SQLite and on PostgreSQL.

The PostgreSQL variant needs TALENTMATCH_TEST_POSTGRES_URL (e.g.
postgresql://postgres@127.0.0.1:5432/test): the session creates a uniquely named database on
that server, empties it before each test and drops it at the end. Without the variable the
variant is skipped; with TALENTMATCH_REQUIRE_POSTGRES=1 (as in CI) a missing variable or an
unreachable server fails the run instead, so that CI can never pass by skipping.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine
from sqlalchemy.pool import NullPool
from talentmatch.platform.db.migrate import upgrade_database
from talentmatch.platform.db.session import create_engine, create_session_factory
from talentmatch.platform.settings import normalize_database_url

POSTGRES_URL = "TALENTMATCH_TEST_POSTGRES_URL"
REQUIRE_POSTGRES = "TALENTMATCH_REQUIRE_POSTGRES"

T = TypeVar("T")


def run_in_thread(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine on its own event loop in a worker thread: session-scoped fixtures are
    synchronous, and a loop of their own must not disturb the loops pytest-asyncio manages."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


async def _autocommit(server_url: str, *statements: str) -> None:
    # CREATE/DROP DATABASE cannot run inside a transaction.
    engine = create_async_engine(
        server_url, isolation_level="AUTOCOMMIT", poolclass=NullPool, connect_args={"timeout": 10}
    )
    try:
        async with engine.connect() as connection:
            for statement in statements:
                await connection.exec_driver_sql(statement)
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """The URL of a fresh PostgreSQL database for this test session, dropped at its end."""
    raw = os.environ.get(POSTGRES_URL, "").strip()
    required = os.environ.get(REQUIRE_POSTGRES) == "1"
    if not raw:
        if required:
            pytest.fail(f"{REQUIRE_POSTGRES}=1 but {POSTGRES_URL} is not set")
        pytest.skip(f"{POSTGRES_URL} is not set")
    server_url = normalize_database_url(raw, POSTGRES_URL)
    name = f"talentmatch_test_{os.getpid()}_{secrets.token_hex(4)}"
    try:
        run_in_thread(_autocommit(server_url, f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # any failure to reach the server: refused, auth, timeout, ...
        shown = make_url(server_url).render_as_string(hide_password=True)
        message = f"PostgreSQL at {shown} is unreachable: {type(exc).__name__}: {exc}"
        if required:
            pytest.fail(f"{message} ({REQUIRE_POSTGRES}=1)")
        pytest.skip(message)
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        # FORCE: a connection a failed test left open must not keep the database alive.
        run_in_thread(_autocommit(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", "postgres"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database, SQLite or PostgreSQL, for one test."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'talentmatch.db'}"
    url: str = request.getfixturevalue("postgres_url")
    # Empty the session's database, whatever an earlier test left in it.
    await _autocommit(url, "DROP SCHEMA public CASCADE", "CREATE SCHEMA public")
    return url


@pytest.fixture
async def migrated_database(database_url: str) -> str:
    """The test's database, upgraded to the newest migration."""
    await asyncio.to_thread(upgrade_database, database_url)
    return database_url


@pytest.fixture
async def engine(migrated_database: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(migrated_database)
    yield engine
    await engine.dispose()


@pytest.fixture
async def session(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """A session on the migrated database; what a test does not commit is rolled back."""
    async with create_session_factory(engine)() as session:
        yield session
