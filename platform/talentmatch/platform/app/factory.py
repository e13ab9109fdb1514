"""The Litestar application: GraphQL at ``/graphql`` (GraphiQL in a browser) under the
settings' abuse limits, health checks, Prometheus metrics at ``/metrics`` and a request id and
log line for each request.

On start it creates the database engine and, unless told otherwise, brings the database to the
newest migration, then starts its solve runner: the embedded one (which takes up runs left
unfinished) or, with ``TALENTMATCH_SOLVE_RUNNER=queue`` (the default on PostgreSQL), the job
queue that ``talentmatch worker`` processes serve. On shutdown it waits for embedded solves in
progress and disposes of the engine. ``TALENTMATCH_MIGRATE_ON_START``: ``1``
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
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from strawberry.litestar import make_graphql_controller
from talentmatch.platform.app.bulk import BULK_HANDLERS
from talentmatch.platform.app.health import live, ready
from talentmatch.platform.app.metrics import http_metrics, metrics
from talentmatch.platform.app.requests import RequestLogMiddleware, log_unhandled
from talentmatch.platform.app.unavailable import unavailable_or_internal_error
from talentmatch.platform.dashboard import DASHBOARD_HANDLERS
from talentmatch.platform.db.migrate import upgrade_database
from talentmatch.platform.db.session import create_engine, create_session_factory
from talentmatch.platform.graphql import context_getter
from talentmatch.platform.graphql.schema import build_schema
from talentmatch.platform.jobs import EmbeddedRunner
from talentmatch.platform.jobs.queue import QueueRunner
from talentmatch.platform.settings import QUEUE, Settings, SettingsError, get_settings

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


def create_app(
    settings: Settings | None = None,
    *,
    migrate: bool | None = None,
    demo: bool = False,
    demo_logins: bool = False,
) -> Litestar:
    """A new application for ``settings`` (default: ``get_settings()``, from the environment).

    ``migrate`` overrides ``TALENTMATCH_MIGRATE_ON_START``. ``demo`` loads the demo data at
    start (after migrating) when the database holds no organization; ``demo_logins`` prints the
    demo logins of the data directory's ``demo-logins.txt`` at start.
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
        if demo or demo_logins:
            await _start_demo(app.state.session_factory, settings, load=demo)
        runner: EmbeddedRunner | QueueRunner = (
            QueueRunner(settings.database.url)
            if settings.solver.runner == QUEUE
            else EmbeddedRunner(create_session_factory(engine, writes=True), settings.solver)
        )
        app.state.runner = runner
        try:
            await runner.start()
            yield
        finally:
            await runner.stop()
            await engine.dispose()

    graphql = make_graphql_controller(
        build_schema(settings.graphql),
        path=GRAPHQL_PATH,
        graphql_ide="graphiql",
        context_getter=context_getter,
    )
    return Litestar(
        route_handlers=[graphql, live, ready, metrics, *BULK_HANDLERS, *DASHBOARD_HANDLERS],
        # The request log first (outermost): its duration covers the metrics middleware too.
        middleware=[RequestLogMiddleware(), http_metrics().middleware],
        after_exception=[log_unhandled],
        # A database that cannot be reached while a request is prepared: 503, retry later.
        exception_handlers={
            SQLAlchemyError: unavailable_or_internal_error,
            ConnectionError: unavailable_or_internal_error,
        },
        # The entry points configure logging (telemetry.logs); Litestar's default configuration
        # would replace the root logger's handlers, and it logs errors only in debug mode.
        logging_config=None,
        lifespan=[database],
        # Every request body, GraphQL's included, is read whole: bound it (413 beyond).
        request_max_body_size=settings.graphql.max_body_bytes,
        state=State({"settings": settings}),
    )


async def _start_demo(
    session_factory: async_sessionmaker[AsyncSession], settings: Settings, *, load: bool
) -> None:
    """Load the demo into an empty database if ``load``, and print the demo logins."""
    # Imported here: only ``talentmatch serve`` needs the demo tables.
    from talentmatch.platform.demo import LOGINS_FILE, ensure_demo, format_logins

    def loading() -> None:
        print(
            "The database is empty: loading the demo data (82 sign-ups with slow password "
            "hashing: up to a minute) ...",
            flush=True,
        )

    started = await ensure_demo(session_factory, settings.data_dir, load=load, on_loading=loading)
    # Printed, not logged: the people who need these read the console, whatever the log level.
    if started.loaded:
        print("Demo data loaded: a round open for the 2027 spring season.", flush=True)
    if started.note:
        print(f"Demo: {started.note}", flush=True)
    if started.logins:
        print(format_logins(started.logins, settings.data_dir / LOGINS_FILE), flush=True)
