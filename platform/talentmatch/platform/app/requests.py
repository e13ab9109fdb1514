"""Request ids and the request log.

Each HTTP request (and WebSocket connection) gets an id: the caller's ``X-Request-ID`` when it
is well-formed (a load balancer or client that already made one keeps it across services),
otherwise a new one. It comes back in the ``X-Request-ID`` response header and is on every
record logged while the request is handled (``telemetry.logs``). When a request ends, one line
is logged for it: method, path, status, duration and GraphQL operation. This line replaces
uvicorn's access log, which knows neither the request id nor the operation.

Litestar runs middleware after routing, so a request for no route (404) gets neither.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.exceptions import HTTPException
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from talentmatch.platform.telemetry.logs import request_scope

__all__ = ["REQUEST_ID_HEADER", "RequestLogMiddleware", "log_unhandled", "request_id_from"]

REQUEST_ID_HEADER = "X-Request-ID"
#: Ids from outside are kept only if they look like ids (UUIDs, hex, trace ids): anything else
#: (too long, spaces, control characters) could forge or flood log lines.
_WELL_FORMED = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
#: Probes and scrapes come every few seconds; their lines are DEBUG so they do not drown the rest.
_QUIET_PATHS = ("/health/", "/metrics")

logger = logging.getLogger("talentmatch.platform.requests")


def request_id_from(value: str | None) -> str:
    """``value`` if it is a well-formed request id, otherwise a new one."""
    if value is not None and _WELL_FORMED.fullmatch(value):
        return value
    return uuid.uuid4().hex


def log_unhandled(exception: Exception, scope: Scope) -> None:
    """Litestar hook: log, with its traceback, an exception that became a 500 response.
    HTTPExceptions (404, 400, ...) are answers the app chose; the request line shows them."""
    if not isinstance(exception, HTTPException):
        logger.error("unhandled error in %s", scope["path"], exc_info=exception)


class RequestLogMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP, ScopeType.WEBSOCKET)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        request_id = request_id_from(MutableScopeHeaders(scope).get(REQUEST_ID_HEADER))
        http = scope["type"] == ScopeType.HTTP
        # 500 unless a response starts (an exception escaped every handler); none for WebSockets.
        status: int | None = 500 if http else None
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableScopeHeaders.from_message(message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        with request_scope(request_id) as request:
            try:
                await next_app(scope, receive, send_with_id)
            finally:
                path = scope["path"]
                method = scope.get("method", "WEBSOCKET") if http else "WEBSOCKET"
                duration_ms = round((time.perf_counter() - started) * 1000, 1)
                logger.log(
                    logging.DEBUG if path.startswith(_QUIET_PATHS) else logging.INFO,
                    "%s %s%s %s %.1fms",
                    method,
                    path,
                    f" {request.graphql_operation}" if request.graphql_operation else "",
                    status if status is not None else "-",
                    duration_ms,
                    extra={
                        "method": method,
                        "path": path,
                        "status": status,
                        "duration_ms": duration_ms,
                    },
                )
