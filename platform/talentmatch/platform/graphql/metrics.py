"""Times each GraphQL operation into ``talentmatch_graphql_operation_seconds`` and names it to
the request's log records (``graphql_operation``)."""

from __future__ import annotations

import time
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext
from talentmatch.platform.graphql.errors import is_unexpected
from talentmatch.platform.telemetry.logs import current_request
from talentmatch.platform.telemetry.metrics import GRAPHQL_OPERATION_SECONDS, operation_label

__all__ = ["OperationMetrics"]

OK, USER_ERROR, ERROR = "ok", "user_error", "error"
#: The type of an operation that could not be parsed, or that the document does not hold.
UNKNOWN = "unknown"


class OperationMetrics(SchemaExtension):
    """Observes every operation, subscriptions included (for the time they stay open).

    The outcome is ``error`` when a resolver raised something unexpected, ``user_error`` when
    the request itself was at fault (unparsable, invalid against the schema, bad variables),
    ``ok`` otherwise. Mutations that refuse their input answer with payload errors and count
    as ``ok``: the operation did what it should.
    """

    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        context = self.execution_context
        # Named before it runs, so that what its resolvers log carries the name; named again
        # after, when a document's only operation gives the name the request did not.
        self._name_in_logs(operation_label(context.operation_name))
        yield
        operation = operation_label(context.operation_name)
        self._name_in_logs(operation)
        try:
            kind = context.operation_type.value
        except Exception:  # no parsed document, or no operation of that name in it
            kind = UNKNOWN
        GRAPHQL_OPERATION_SECONDS.labels(
            operation=operation, type=kind, outcome=_outcome(context)
        ).observe(time.perf_counter() - started)

    @staticmethod
    def _name_in_logs(operation: str) -> None:
        scope = current_request()
        if scope is not None:
            scope.graphql_operation = operation


def _outcome(context: ExecutionContext) -> str:
    errors: list[GraphQLError] = list(getattr(context.result, "errors", None) or ())
    errors += context.pre_execution_errors or ()
    if not errors:
        return OK
    return ERROR if any(is_unexpected(error) for error in errors) else USER_ERROR
