"""Logging: every record on stderr, as readable text (the default, for a terminal) or as JSON
lines (``TALENTMATCH_LOG_FORMAT=json``, for a log collector), carrying the id of the HTTP request
or the matching run it was emitted for.

The ids travel in context variables: the request middleware (``app.requests``) opens a
``RequestScope`` for each request, ``execute_run`` sets the run id for each solve, and a filter
on the handler copies them onto every record, whoever logged it (our code, Litestar, SQLAlchemy,
procrastinate). Tasks started during a request inherit its scope, so their records carry the
request id too.

JSON comes from python-json-logger: the service logs through the standard library everywhere,
and its formatter turns any ``extra={...}`` field into a JSON field with nothing else to change.
structlog would mean a second logging API next to the one every dependency uses.
"""

from __future__ import annotations

import contextvars
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter
from talentmatch.platform.settings import JSON, ObservabilitySettings

__all__ = [
    "ContextFilter",
    "RequestScope",
    "configure_logging",
    "current_request",
    "log_handler",
    "request_scope",
    "run_scope",
]

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
#: The loggers of uvicorn, which configures its own handlers unless told not to; ours replace them.
_UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")


@dataclass(slots=True)
class RequestScope:
    """What the records of one HTTP request (or WebSocket connection) share."""

    request_id: str
    #: The GraphQL operation the request ran, once the GraphQL extension knows it.
    graphql_operation: str | None = None


_request: contextvars.ContextVar[RequestScope | None] = contextvars.ContextVar(
    "talentmatch_request", default=None
)
_run_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "talentmatch_run_id", default=None
)


def current_request() -> RequestScope | None:
    """The scope of the request being handled, if any."""
    return _request.get()


@contextmanager
def request_scope(request_id: str) -> Iterator[RequestScope]:
    """Tag every record logged inside with ``request_id``."""
    scope = RequestScope(request_id)
    token = _request.set(scope)
    try:
        yield scope
    finally:
        _request.reset(token)


@contextmanager
def run_scope(run_id: str) -> Iterator[None]:
    """Tag every record logged inside with ``run_id``, and with no request: a solve the
    embedded runner started from a request outlives it, and its records belong to the run."""
    request_token = _request.set(None)
    run_token = _run_id.set(run_id)
    try:
        yield
    finally:
        _run_id.reset(run_token)
        _request.reset(request_token)


class ContextFilter(logging.Filter):
    """Copies the request id, the GraphQL operation and the run id onto each record, unless the
    caller passed them in ``extra``. Absent values stay absent: the formatters fill them in."""

    def filter(self, record: logging.LogRecord) -> bool:
        scope = _request.get()
        if scope is not None:
            if not hasattr(record, "request_id"):
                record.request_id = scope.request_id
            if scope.graphql_operation and not hasattr(record, "graphql_operation"):
                record.graphql_operation = scope.graphql_operation
        run_id = _run_id.get()
        if run_id is not None and not hasattr(record, "run_id"):
            record.run_id = run_id
        return True


def _formatter(log_format: str) -> logging.Formatter:
    if log_format == JSON:
        return JsonFormatter(
            ["levelname", "name", "message"],
            rename_fields={"levelname": "level", "name": "logger"},
            # ISO 8601 in UTC, from the record's creation time.
            timestamp=True,
            # Always present, so that a query for request_id finds the records of no request.
            defaults={"request_id": None},
            # uvicorn's copy of its message with terminal colours.
            reserved_attrs=[*RESERVED_ATTRS, "color_message"],
        )
    return logging.Formatter(TEXT_FORMAT, defaults={"request_id": "-"})


def log_handler(log_format: str, stream: IO[str] | None = None) -> logging.Handler:
    """A handler writing to ``stream`` (default stderr) in ``log_format`` (``text`` or
    ``json``), with the ids of the current request or run on each record."""
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(_formatter(log_format))
    handler.addFilter(ContextFilter())
    return handler


def configure_logging(settings: ObservabilitySettings) -> None:
    """Send every record at ``settings.log_level`` or above to stderr in
    ``settings.log_format``. For the entry points (``serve``, ``worker``) only: a library
    leaves logging to its application."""
    root = logging.getLogger()
    # Replaced, not added to: basicConfig would do nothing if anything had configured it.
    root.handlers[:] = [log_handler(settings.log_format)]
    root.setLevel(settings.log_level)
    for name in _UVICORN_LOGGERS:
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers.clear()
        uvicorn_logger.propagate = True
