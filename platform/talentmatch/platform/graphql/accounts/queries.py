"""Queries of accounts."""

from __future__ import annotations

import strawberry
from talentmatch.platform.graphql.accounts.types import UserNode
from talentmatch.platform.graphql.context import Context

__all__ = ["AccountQueries"]


@strawberry.type
class AccountQueries:
    @strawberry.field(
        description="The logged-in user (当前用户), from the Authorization: Bearer header; null "
        "when the request carries no valid token."
    )
    def me(self, info: strawberry.Info[Context, None]) -> UserNode | None:
        user = info.context.user
        return UserNode.from_model(user) if user is not None else None
