"""The audit log query, for industry associations."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay
from talentmatch.platform.errors import DomainError
from talentmatch.platform.graphql.audit.types import AuditEventNode
from talentmatch.platform.graphql.context import Context
from talentmatch.platform.graphql.pagination import ArgumentError, PageArguments, paginate
from talentmatch.platform.graphql.rounds.types import decode_id
from talentmatch.platform.services.audit import audit_query

__all__ = ["AuditQueries"]


@strawberry.type
class AuditQueries:
    @strawberry.field(
        description="The audit log (操作记录), newest first: every mutation sent in the caller's "
        "rounds and by the organizations of its region, carried out or refused; for industry "
        "associations."
    )
    async def audit_log(
        self,
        info: strawberry.Info[Context, None],
        round_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only records of this round (轮次)."),
        ] = None,
        operation: Annotated[
            str | None,
            strawberry.argument(description="Only records of this mutation, e.g. `publishRun`."),
        ] = None,
        first: Annotated[
            int | None, strawberry.argument(description="The first n items (at most 100).")
        ] = None,
        after: Annotated[
            str | None, strawberry.argument(description="Only items after this cursor.")
        ] = None,
        last: Annotated[
            int | None, strawberry.argument(description="The last n items (at most 100).")
        ] = None,
        before: Annotated[
            str | None, strawberry.argument(description="Only items before this cursor.")
        ] = None,
    ) -> relay.Connection[AuditEventNode]:
        context = info.context
        round_key = None
        if round_id is not None:
            round_key = decode_id(round_id, "Round")
            if round_key is None:
                raise ArgumentError("roundId: no such round", "roundId", "NOT_FOUND")
        try:
            async with context.loaders.exclusive:
                query = await audit_query(
                    context.session, context.user, round_id=round_key, operation=operation
                )
        except DomainError as error:
            raise ArgumentError.of(error) from None
        return await paginate(
            context.session,
            context.loaders.exclusive,
            query,
            PageArguments(first=first, after=after, last=last, before=before),
            AuditEventNode.from_model,
        )
