"""Queries of rounds: the rounds a signed-in party may post into (each also via ``node``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

import strawberry
from strawberry import relay
from talentmatch.platform.db import RoundStatus
from talentmatch.platform.graphql.context import Context
from talentmatch.platform.graphql.rounds.types import RoundNode
from talentmatch.platform.services import rounds

__all__ = ["RoundQueries"]


@strawberry.type
class RoundQueries:
    @relay.connection(
        relay.ListConnection[RoundNode],
        description="Matching rounds (匹配轮次), newest first; empty for an anonymous caller.",
    )
    async def rounds(
        self,
        info: strawberry.Info[Context, None],
        status: Annotated[
            RoundStatus | None,
            strawberry.argument(description="Only rounds in this state (状态)."),
        ] = None,
    ) -> Iterable[RoundNode]:
        user = info.context.user
        if user is None:
            return []
        rows = await rounds.list_rounds(info.context.session, user, status=status)
        return [RoundNode.from_model(row) for row in rows]
