"""Alembic environment: runs migrations through an async engine, on SQLite and PostgreSQL alike.

Run it through ``talentmatch.platform.db.migrate`` (``upgrade_database`` or its command line),
which passes the database URL in ``config.attributes["url"]``; no alembic.ini is needed. A caller
that already holds a connection may pass it as ``config.attributes["connection"]``.
"""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy.engine import Connection
from talentmatch.platform.db import Base
from talentmatch.platform.db.job_queue import is_model_object
from talentmatch.platform.db.session import create_engine
from talentmatch.platform.db.types import UTCDateTime

config = context.config
target_metadata = Base.metadata


def database_url() -> str:
    url = config.attributes.get("url") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no database URL: use talentmatch.platform.db.migrate to run Alembic")
    return str(url)


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Render our column types as the plain types they store, so that revisions never import
    application code that may later change."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def configure(**options: Any) -> None:
    context.configure(
        target_metadata=target_metadata,
        render_item=render_item,
        compare_type=True,
        include_name=is_model_object,
        # The whole upgrade is one transaction on both databases (SQLite can do transactional
        # DDL once the engine emits BEGIN itself, see db/session.py): all of it or none of it.
        transactional_ddl=True,
        **options,
    )


def run_migrations_offline() -> None:
    """Print the SQL instead of running it (``alembic upgrade --sql``)."""
    url = database_url()
    configure(
        url=url,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        render_as_batch=url.startswith("sqlite"),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    # Batch mode: SQLite cannot ALTER most things, so Alembic rebuilds the table instead.
    configure(connection=connection, render_as_batch=sqlite)
    with context.begin_transaction():
        context.run_migrations()
        if sqlite:
            check_sqlite_foreign_keys(connection)


def check_sqlite_foreign_keys(connection: Connection) -> None:
    """Foreign keys are off while SQLite tables are rebuilt, so check them all before commit."""
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        tables = sorted({row[0] for row in broken})
        raise RuntimeError(f"migration left broken foreign keys in: {', '.join(tables)}")


async def run_migrations_online() -> None:
    engine = create_engine(database_url(), foreign_keys=False)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(run_migrations)
    finally:
        await engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
elif (connection := config.attributes.get("connection")) is not None:
    run_migrations(connection)
else:
    asyncio.run(run_migrations_online())
