"""``GET /metrics``: the process's Prometheus metrics, in the text exposition format.

HTTP request metrics come from Litestar's Prometheus middleware (``talentmatch_http_*``, by
method, route template and status); the service's own are in ``telemetry.metrics``. Each API
process exposes its own: Prometheus scrapes every pod (no multiprocess mode).

The run gauge (``talentmatch_runs``) is read from the database at each scrape. The handler
counts before it renders, rather than a prometheus_client collector doing it, because a
collector's ``collect`` is synchronous and the database is reached asynchronously.
"""

from __future__ import annotations

import asyncio
import logging

from litestar import Response, get
from litestar.datastructures import State
from litestar.enums import ScopeType
from litestar.plugins.prometheus import PrometheusConfig
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from talentmatch.platform.db import MatchRun, RunStatus
from talentmatch.platform.telemetry.metrics import RUNS

__all__ = ["METRICS_PATH", "count_runs", "http_metrics", "metrics"]

METRICS_PATH = "/metrics"
#: Well inside Prometheus's default scrape timeout (10 s): a slow database must not make the
#: whole scrape, HTTP metrics included, time out.
COUNT_TIMEOUT_SECONDS = 3.0
_COUNTED = (RunStatus.QUEUED, RunStatus.RUNNING)

logger = logging.getLogger("talentmatch.platform.metrics")


def http_metrics() -> PrometheusConfig:
    """Request counts and latencies of HTTP requests. Paths are route templates
    (``group_path``), so that the labels stay few whatever URLs clients send; WebSocket
    connections are left out (their "latency" would be the connection's lifetime)."""
    return PrometheusConfig(
        app_name="talentmatch",
        prefix="talentmatch_http",
        group_path=True,
        scopes={ScopeType.HTTP},
    )


async def count_runs(sessions: async_sessionmaker[AsyncSession]) -> None:
    """Set ``talentmatch_runs`` to the database's QUEUED and RUNNING runs; on failure, drop
    its values, so that a stale figure is never shown as a current one."""
    try:
        async with asyncio.timeout(COUNT_TIMEOUT_SECONDS), sessions() as session:
            rows = await session.execute(
                select(MatchRun.status, func.count())
                .where(MatchRun.status.in_(_COUNTED))
                .group_by(MatchRun.status)
            )
            counts = {RunStatus(status): count for status, count in rows.all()}
    except Exception:
        logger.warning("could not count the runs for the metrics", exc_info=True)
        RUNS.clear()
        return
    for status in _COUNTED:
        RUNS.labels(status=status).set(counts.get(status, 0))


@get(METRICS_PATH, include_in_schema=False)
async def metrics(state: State) -> Response[bytes]:
    """Litestar's ``PrometheusController`` renders the same registry, but cannot count the
    runs first; this handler does both."""
    await count_runs(state.session_factory)
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
