"""The Litestar application: GraphQL at ``/graphql`` (GraphiQL in a browser) and health checks.

On start it creates the database engine and, unless told otherwise, brings the database to the
newest migration; on shutdown it disposes of the engine. ``TALENTMATCH_MIGRATE_ON_START``: ``1``
always migrates, ``0`` never; unset, only the embedded SQLite database is migrated, since with
PostgreSQL several replicas start together and migrating is a deployment step of its own
(``python -m talentmatch.platform.db.migrate upgrade``).
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.datastructures import State
from strawberry.litestar import make_graphql_controller
from talentmatch.platform.app.health import live, ready
from talentmatch.platform.db.migrate import upgrade_database
from talentmatch.platform.db.session import create_engine, create_session_factory
from talentmatch.platform.graphql import context_getter, schema
from talentmatch.platform.settings import Settings, SettingsError, get_settings

__all__ = ["GRAPHQL_PATH", "MIGRATE_ON_START", "create_app", "migrate_on_start"]

GRAPHQL_PATH = "/graphql"
MIGRATE_ON_START = "TALENTMATCH_MIGRATE_ON_START"

logger = logging.getLogger("talentmatch.platform.app")


def migrate_on_start(settings: Settings, value: str | None) -> bool:
    """Whether to migrate at start, given ``TALENTMATCH_MIGRATE_ON_START`` (``value``)."""
    if value is None or not value.strip():
        return settings.database.is_sqlite
    if value.strip() in {"0", "1"}:
        return value.strip() == "1"
    raise SettingsError(f"{MIGRATE_ON_START} must be 0 or 1, got {value!r}")


def create_app(settings: Settings | None = None, *, migrate: bool | None = None) -> Litestar:
    """A new application for ``settings`` (default: ``get_settings()``, from the environment).

    ``migrate`` overrides ``TALENTMATCH_MIGRATE_ON_START``.
    """
    settings = settings if settings is not None else get_settings()
    if migrate is None:
        migrate = migrate_on_start(settings, os.environ.get(MIGRATE_ON_START))

    @asynccontextmanager
    async def database(app: Litestar) -> AsyncIterator[None]:
        if migrate:
            logger.info("migrating the database to the newest revision")
            await asyncio.to_thread(upgrade_database, settings.database.url)
        engine = create_engine(settings.database.url)
        app.state.engine = engine
        app.state.session_factory = create_session_factory(engine)
        try:
            yield
        finally:
            await engine.dispose()

    graphql = make_graphql_controller(
        schema,
        path=GRAPHQL_PATH,
        graphql_ide="graphiql",
        context_getter=context_getter,
    )
    return Litestar(
        route_handlers=[graphql, live, ready],
        lifespan=[database],
        state=State({"settings": settings}),
    )
