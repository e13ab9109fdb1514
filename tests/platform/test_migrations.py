"""Migrations build exactly the schema the models describe, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from talentmatch.platform.db import Base
from talentmatch.platform.db.job_queue import QUEUE_PREFIX, is_model_object
from talentmatch.platform.db.migrate import (
    MIGRATIONS,
    alembic_config,
    downgrade_database,
    head_revision,
    upgrade_database,
)
from talentmatch.platform.db.session import create_engine

MODEL_TABLES = {
    "organizations",
    "users",
    "access_tokens",
    "login_failures",
    "matching_rounds",
    "cohorts",
    "training_programs",
    "intern_requests",
    "subsidy_programs",
    "match_runs",
    "placements",
    "audit_events",
}


async def _inspect(url: str) -> dict[str, Any]:
    """Tables, Alembic revision and differences from the models of the database at ``url``."""

    def read(connection: Connection) -> dict[str, Any]:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": is_model_object}
        )
        return {
            "tables": {
                name
                for name in inspect(connection).get_table_names()
                if not name.startswith(QUEUE_PREFIX)
            },
            "queue_tables": {
                name
                for name in inspect(connection).get_table_names()
                if name.startswith(QUEUE_PREFIX)
            },
            "revision": context.get_current_revision(),
            "diff": compare_metadata(context, Base.metadata),
        }

    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(read)
    finally:
        await engine.dispose()


async def test_upgrade_creates_every_model_table_at_the_head_revision(database_url: str) -> None:
    await asyncio.to_thread(upgrade_database, database_url)

    state = await _inspect(database_url)
    assert state["tables"] == MODEL_TABLES | {"alembic_version"}
    assert state["revision"] == head_revision()


async def test_the_job_queue_tables_exist_on_postgresql_only(migrated_database: str) -> None:
    queue_tables = (await _inspect(migrated_database))["queue_tables"]

    if migrated_database.startswith("sqlite"):
        assert queue_tables == set()
    else:
        assert queue_tables == {
            "procrastinate_jobs",
            "procrastinate_workers",
            "procrastinate_events",
            "procrastinate_periodic_defers",
        }


async def test_migrated_schema_has_no_difference_from_the_models(migrated_database: str) -> None:
    # compare_metadata is what `revision --autogenerate` runs: columns, types, nullability,
    # indexes, unique constraints and foreign keys.
    assert (await _inspect(migrated_database))["diff"] == []


async def test_downgrade_to_base_drops_every_table_and_upgrade_rebuilds_them(
    migrated_database: str,
) -> None:
    await asyncio.to_thread(downgrade_database, migrated_database, "base")
    emptied = await _inspect(migrated_database)
    await asyncio.to_thread(upgrade_database, migrated_database)
    rebuilt = await _inspect(migrated_database)

    assert emptied["tables"] == {"alembic_version"}
    assert emptied["queue_tables"] == set()
    assert emptied["revision"] is None
    assert rebuilt["diff"] == []
    assert rebuilt["revision"] == head_revision()


async def test_failed_upgrade_leaves_the_database_untouched(database_url: str) -> None:
    # A table in the way makes the last CREATE TABLE of the first revision fail; the upgrade is
    # one transaction, so the tables it created before that are gone too.
    engine = create_engine(database_url)
    async with engine.begin() as connection:
        await connection.exec_driver_sql("CREATE TABLE placements (id INTEGER PRIMARY KEY)")
    await engine.dispose()

    with pytest.raises(Exception, match="placements"):
        await asyncio.to_thread(upgrade_database, database_url)

    state = await _inspect(database_url)
    assert state["tables"] == {"placements"}
    assert state["revision"] is None


def test_revisions_form_one_line_from_a_first_revision_with_a_dated_file_name() -> None:
    scripts = ScriptDirectory.from_config(alembic_config())
    revisions = list(scripts.walk_revisions())
    first = revisions[-1]

    assert scripts.get_heads() == [head_revision()]
    assert first.down_revision is None
    path = Path(first.path)
    assert re.fullmatch(r"\d{4}_\d{2}_\d{2}_\d{4}-[0-9a-f]{12}_initial_schema\.py", path.name)
    assert path.parent == MIGRATIONS / "versions"


async def test_upgrade_database_inside_an_event_loop_says_to_use_a_thread() -> None:
    with pytest.raises(RuntimeError) as info:
        upgrade_database("sqlite+aiosqlite:///never-created.db")

    assert str(info.value) == (
        "upgrade_database blocks and runs its own event loop; from async code use "
        "`await asyncio.to_thread(upgrade_database, ...)`"
    )
