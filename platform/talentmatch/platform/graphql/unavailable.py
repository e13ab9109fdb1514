"""A GraphQL operation the database could not serve answers 503 with a Retry-After hint.

Its errors say so in words and in ``extensions.code`` (``SERVICE_UNAVAILABLE``) instead of the
masked "Unexpected error.": the caller did nothing wrong and may simply retry. Inside the
masking extension, so that it still sees the original exceptions.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from talentmatch.platform.db.availability import (
    UNAVAILABLE_MESSAGE,
    is_database_unavailable,
    retry_after_headers,
    unavailable_extensions,
)

__all__ = ["DatabaseUnavailable"]


class DatabaseUnavailable(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        errors: list[GraphQLError] | None = getattr(result, "errors", None)
        if not errors:
            return
        unavailable = False
        answered: list[GraphQLError] = []
        for error in errors:
            if error.original_error is not None and is_database_unavailable(error.original_error):
                unavailable = True
                answered.append(
                    GraphQLError(
                        UNAVAILABLE_MESSAGE,
                        nodes=error.nodes,
                        source=error.source,
                        positions=error.positions,
                        path=error.path,
                        extensions=unavailable_extensions(),
                    )
                )
            else:
                answered.append(error)
        if not unavailable:
            return
        result.errors = answered  # type: ignore[union-attr]
        response = getattr(self.execution_context.context, "response", None)
        if response is not None:  # an HTTP request; a WebSocket has no status to set
            response.status_code = 503
            response.headers.update(retry_after_headers())
