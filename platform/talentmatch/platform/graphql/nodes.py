"""The base of every Relay node type: lookups scoped to what the caller may see."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import ClassVar, Self

import strawberry
from strawberry import relay
from talentmatch.platform.graphql.context import Context


class ScopedNode(relay.Node):
    """A node type whose ``load`` gives None for what does not exist or the caller may not see,
    so that ``node(id:)`` answers both the same way."""

    #: True when ``load`` goes through a DataLoader: the loads then run together and are
    #: answered by one query. Otherwise they run one after the other, because one database
    #: session must not run two statements at once.
    loads_through_dataloader: ClassVar[bool] = False

    @classmethod
    async def load(cls, info: strawberry.Info[Context, None], node_id: str) -> Self | None:
        raise NotImplementedError

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls,
        *,
        info: strawberry.Info[Context, None],
        node_ids: Iterable[str],
        required: bool = False,
    ) -> list[Self | None]:
        if cls.loads_through_dataloader:
            return list(await asyncio.gather(*(cls.load(info, node_id) for node_id in node_ids)))
        return [await cls.load(info, node_id) for node_id in node_ids]
