"""The service's own Prometheus metrics (HTTP request metrics come from Litestar's plugin).

Every process keeps its own in prometheus_client's default registry and exposes them itself:
an API process at ``GET /metrics``, a worker on ``--metrics-port``. Prometheus scrapes each
process (pod) separately and aggregates with ``sum by``; prometheus_client's multiprocess mode
is not used, since no process forks request handlers.

- ``talentmatch_graphql_operation_seconds{operation, type, outcome}``: each GraphQL operation.
- ``talentmatch_solve_seconds{status}`` and ``talentmatch_solves_total{status}``: each solve a
  process ran, by how it ended.
- ``talentmatch_runs{status}``: runs QUEUED and RUNNING in the database, counted when an API
  process is scraped. Every API process reports the same database-wide figure: aggregate with
  ``max``, not ``sum``.
"""

from __future__ import annotations

import re
from typing import Final

from prometheus_client import Counter, Gauge, Histogram

__all__ = [
    "ANONYMOUS",
    "DISCARDED",
    "GRAPHQL_OPERATION_SECONDS",
    "INVALID",
    "RUNS",
    "SOLVES_TOTAL",
    "SOLVE_SECONDS",
    "operation_label",
    "record_solve",
]

ANONYMOUS: Final = "anonymous"
INVALID: Final = "invalid"
#: The status label of a solve whose result was not stored (its run was cancelled or taken over).
DISCARDED: Final = "discarded"
MAX_OPERATION_LENGTH: Final = 64
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

GRAPHQL_OPERATION_SECONDS = Histogram(
    "talentmatch_graphql_operation_seconds",
    "GraphQL operations by operation name, type (query, mutation, subscription) and outcome "
    "(ok; user_error: the request was invalid; error: an unexpected failure), in seconds.",
    ["operation", "type", "outcome"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)

# From a toy round's tenth of a second to the longest usual time limit (the service caps it at
# TALENTMATCH_SOLVE_MAX_SECONDS, 300 by default).
SOLVE_SECONDS = Histogram(
    "talentmatch_solve_seconds",
    "Solves this process ran, by final status (SUCCEEDED, FAILED, discarded), in seconds from "
    "the start of the search to the stored result.",
    ["status"],
    buckets=(0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0),
)

SOLVES_TOTAL = Counter(
    "talentmatch_solves_total",
    "Solves this process ran, by final status (SUCCEEDED, FAILED, discarded).",
    ["status"],
)

RUNS = Gauge(
    "talentmatch_runs",
    "Matching runs waiting (QUEUED) or being solved (RUNNING), in the whole database.",
    ["status"],
)


def operation_label(name: str | None) -> str:
    """The ``operation`` label of an operation named ``name`` by the client.

    Clients choose operation names, so the label is bounded: at most 64 characters, and a name
    that is not a GraphQL name becomes ``invalid`` (nothing arbitrary reaches the label).
    """
    if not name:
        return ANONYMOUS
    name = name[:MAX_OPERATION_LENGTH]
    return name if _NAME.fullmatch(name) else INVALID


def record_solve(status: str, seconds: float) -> None:
    """Count a solve that ended with ``status`` after ``seconds``."""
    SOLVE_SECONDS.labels(status=status).observe(seconds)
    SOLVES_TOTAL.labels(status=status).inc()
