"""The GraphQL API (Strawberry): types, queries, mutations, DataLoaders and user errors.

One sub-package per domain area (``accounts``, ...); ``schema`` assembles them.
"""

from talentmatch.platform.graphql.context import Context, context_getter
from talentmatch.platform.graphql.schema import schema, sdl

__all__ = ["Context", "context_getter", "schema", "sdl"]
