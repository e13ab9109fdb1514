"""Queries of rounds: the rounds connection, one round, and a round as a ROUND_FORMAT document."""

from __future__ import annotations

from typing import Annotated, cast

import strawberry
from strawberry import relay
from strawberry.scalars import JSON
from talentmatch.platform.db import MatchingRound, RoundStatus
from talentmatch.platform.errors import DomainError, ErrorCode, Forbidden, NotFound
from talentmatch.platform.graphql.context import Context
from talentmatch.platform.graphql.errors import UserError, user_errors
from talentmatch.platform.graphql.pagination import (
    ArgumentError,
    PageArguments,
    empty_connection,
    paginate,
)
from talentmatch.platform.graphql.rounds.types import RoundNode, decode_id
from talentmatch.platform.services import round_document, rounds

__all__ = ["ExportRoundPayload", "RoundQueries"]

_AFTER = "Only items after this cursor."
_BEFORE = "Only items before this cursor."
_FIRST = "The first n items (at most 100)."
_LAST = "The last n items (at most 100)."


@strawberry.type
class ExportRoundPayload:
    document: JSON | None = strawberry.field(
        description="The round document (轮次文件) of ROUND_FORMAT.md: the round and its active "
        "entries, as `talentmatch solve` reads it; null when refused."
    )
    errors: list[UserError] = strawberry.field(
        description="Why the round was not exported; empty when it was."
    )


@strawberry.type
class RoundQueries:
    @strawberry.field(
        description="Matching rounds (匹配轮次), newest first; empty for an anonymous caller."
    )
    async def rounds(
        self,
        info: strawberry.Info[Context, None],
        status: Annotated[
            RoundStatus | None,
            strawberry.argument(description="Only rounds in this state (状态)."),
        ] = None,
        region: Annotated[
            str | None,
            strawberry.argument(
                description="Only rounds inside this region (地区), a GB/T 2260 code: 330000 "
                "keeps every round in Zhejiang."
            ),
        ] = None,
        first: Annotated[int | None, strawberry.argument(description=_FIRST)] = None,
        after: Annotated[str | None, strawberry.argument(description=_AFTER)] = None,
        last: Annotated[int | None, strawberry.argument(description=_LAST)] = None,
        before: Annotated[str | None, strawberry.argument(description=_BEFORE)] = None,
    ) -> relay.Connection[RoundNode]:
        context = info.context
        try:
            query = rounds.rounds_query(context.user, status=status, region=region)
        except DomainError as error:
            raise ArgumentError.of(error) from None
        if query is None:
            return empty_connection()
        query = query.order_by(MatchingRound.created_at.desc(), MatchingRound.id.desc())
        return await paginate(
            context.session,
            context.loaders.exclusive,
            query,
            PageArguments(first=first, after=after, last=last, before=before),
            RoundNode.from_model,
        )

    @strawberry.field(
        description="One matching round (匹配轮次) by its global ID; null when there is none or "
        "the caller is anonymous."
    )
    async def round(
        self,
        info: strawberry.Info[Context, None],
        id: Annotated[strawberry.ID, strawberry.argument(description="Global ID of the round.")],
    ) -> RoundNode | None:
        key = decode_id(id, "Round")
        return None if key is None else await RoundNode.load(info, str(key))

    @strawberry.field(
        description="A round as a round document (导出轮次, ROUND_FORMAT.md), to solve, audit or "
        "archive offline; for the round's association only."
    )
    async def export_round(
        self,
        info: strawberry.Info[Context, None],
        round_id: Annotated[
            strawberry.ID, strawberry.argument(description="Global ID of the round (轮次).")
        ],
    ) -> ExportRoundPayload:
        context = info.context
        try:
            if context.user is None:
                raise Forbidden(ErrorCode.NOT_AUTHENTICATED, "log in first")
            key = decode_id(round_id, "Round")
            if key is None:
                raise NotFound(ErrorCode.NOT_FOUND, "no such round", "round_id")
            async with context.loaders.exclusive:
                document = await round_document.export_round(context.session, context.user, key)
        except DomainError as error:
            return ExportRoundPayload(document=None, errors=user_errors(error))
        return ExportRoundPayload(document=cast(JSON, document), errors=[])
