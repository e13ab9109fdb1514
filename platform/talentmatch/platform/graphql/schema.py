"""The schema: every area's queries and mutations, the Relay ``node`` field, error masking,
operation metrics and the abuse limits (``graphql.limits``).

``schema/schema.graphql`` is ``sdl()`` written out by ``talentmatch export-schema``; a test fails
when the two differ.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated

import strawberry
from strawberry import relay
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.printer import print_schema
from strawberry.types.base import get_object_definition
from talentmatch.platform.graphql.accounts import (
    AccountMutations,
    AccountQueries,
    OrganizationNode,
    UserNode,
)
from talentmatch.platform.graphql.audit import AuditEventNode, AuditMutations, AuditQueries
from talentmatch.platform.graphql.context import Context
from talentmatch.platform.graphql.errors import mask_unexpected_errors
from talentmatch.platform.graphql.limits import limit_extensions
from talentmatch.platform.graphql.metrics import OperationMetrics
from talentmatch.platform.graphql.rounds import (
    CohortNode,
    InternRequestNode,
    RoundMutations,
    RoundNode,
    RoundQueries,
    SubsidyNode,
    TrainingProgramNode,
)
from talentmatch.platform.graphql.runs import (
    PlacementNode,
    RunMutations,
    RunNode,
    RunSubscriptions,
)
from talentmatch.platform.graphql.unavailable import DatabaseUnavailable
from talentmatch.platform.settings import GraphQLSettings

__all__ = ["NODE_TYPES", "Mutation", "Query", "Subscription", "build_schema", "schema", "sdl"]

#: The types ``node(id:)`` resolves, by GraphQL type name (the name inside a global ID).
NODE_TYPES: dict[
    str,
    type[OrganizationNode]
    | type[UserNode]
    | type[RoundNode]
    | type[CohortNode]
    | type[TrainingProgramNode]
    | type[InternRequestNode]
    | type[SubsidyNode]
    | type[RunNode]
    | type[PlacementNode]
    | type[AuditEventNode],
] = {
    "Organization": OrganizationNode,
    "User": UserNode,
    "Round": RoundNode,
    "Cohort": CohortNode,
    "TrainingProgram": TrainingProgramNode,
    "InternRequest": InternRequestNode,
    "Subsidy": SubsidyNode,
    "Run": RunNode,
    "Placement": PlacementNode,
    "AuditEvent": AuditEventNode,
}


@strawberry.type(description="Reading (查询).")
class Query(AccountQueries, RoundQueries, AuditQueries):
    @strawberry.field(
        description="Any object by its global ID; null when no such object exists or the caller "
        "may not see it."
    )
    async def node(
        self,
        info: strawberry.Info[Context, None],
        id: Annotated[strawberry.ID, strawberry.argument(description="A global ID.")],
    ) -> relay.Node | None:
        try:
            global_id = relay.GlobalID.from_id(id)
        except relay.GlobalIDValueError:
            return None
        node_type = NODE_TYPES.get(global_id.type_name)
        if node_type is None:
            return None
        return await node_type.load(info, global_id.node_id)


@strawberry.type(description="Changing (操作). Each returns a payload with `errors`.")
class Mutation(AccountMutations, RoundMutations, RunMutations):
    pass


# Every root field of Mutation runs inside the audit extension (its record, its commit); no other
# field pays for it. Attached once, here, so that every schema ``build_schema`` makes shares it.
for _field in get_object_definition(Mutation, strict=True).fields:
    _field.extensions = [*_field.extensions, AuditMutations()]


@strawberry.type(description="Following (订阅), over a WebSocket (graphql-transport-ws).")
class Subscription(RunSubscriptions):
    pass


# The caches live at module level in Strawberry, keyed by their size, so a fresh extension per
# request (which holds that request's execution context) still finds what earlier ones cached.
_CACHE_SIZE = 256


@cache
def build_schema(limits: GraphQLSettings) -> strawberry.Schema:
    """The schema enforcing ``limits`` (one per distinct settings, built once)."""
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=list(NODE_TYPES.values()),
        # Extensions nest in list order: OperationMetrics, inside the masking, still sees the
        # unexpected exceptions that masking hides from the client.
        # Clients send the same few documented operations over and over: parsing and validating
        # each document once per process, not on every request, saves a third of a small read's
        # time. Both depend only on the document and the schema; the caches are bounded (LRU).
        # The limits come after the validation cache: the node limit reads its verdict.
        extensions=[
            mask_unexpected_errors,
            OperationMetrics,
            # Inside the masking: it answers 503 for errors the database's absence caused.
            DatabaseUnavailable,
            lambda: ParserCache(maxsize=_CACHE_SIZE),
            lambda: ValidationCache(maxsize=_CACHE_SIZE),
            *limit_extensions(limits),
        ],
    )


#: The schema with the default limits: what tests execute and ``export-schema`` prints (limits
#: are validation rules, so every schema prints the same SDL).
schema = build_schema(GraphQLSettings())


def sdl() -> str:
    """The schema in SDL, as ``schema/schema.graphql`` holds it."""
    return print_schema(schema) + "\n"
