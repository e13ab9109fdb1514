"""Health endpoints for load balancers and orchestrators.

``/health/live``: the process answers. ``/health/ready``: it can also reach its database
(``SELECT 1``); 503 otherwise, so that traffic goes elsewhere until it can.
"""

from __future__ import annotations

import logging

from litestar import Response, get
from litestar.datastructures import State
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from talentmatch.platform.db.availability import retry_after_headers

__all__ = ["live", "ready"]

logger = logging.getLogger("talentmatch.platform.health")


@get("/health/live", sync_to_thread=False, include_in_schema=False)
def live() -> dict[str, str]:
    return {"status": "ok"}


@get("/health/ready", include_in_schema=False)
async def ready(state: State) -> Response[dict[str, str]]:
    engine: AsyncEngine = state.engine
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception:
        logger.exception("readiness check: the database is unreachable")
        return Response(
            {"status": "unavailable", "database": "unreachable"},
            status_code=HTTP_503_SERVICE_UNAVAILABLE,
            headers=retry_after_headers(),
        )
    return Response({"status": "ok", "database": "ok"}, status_code=HTTP_200_OK)
