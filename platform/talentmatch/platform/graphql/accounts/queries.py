"""Queries of accounts: the caller, and the organizations (parties) it may find."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay
from talentmatch.platform.db import Organization, OrganizationKind
from talentmatch.platform.errors import DomainError
from talentmatch.platform.graphql.accounts.types import OrganizationNode, UserNode
from talentmatch.platform.graphql.context import Context
from talentmatch.platform.graphql.pagination import (
    ArgumentError,
    PageArguments,
    binary_order,
    dialect_of,
    empty_connection,
    paginate,
)
from talentmatch.platform.services import accounts

__all__ = ["AccountQueries"]

_AFTER = "Only items after this cursor."
_BEFORE = "Only items before this cursor."
_FIRST = "The first n items (at most 100)."
_LAST = "The last n items (at most 100)."


@strawberry.type
class AccountQueries:
    @strawberry.field(
        description="The logged-in user (当前用户), from the Authorization: Bearer header; null "
        "when the request carries no valid token."
    )
    def me(self, info: strawberry.Info[Context, None]) -> UserNode | None:
        user = info.context.user
        return UserNode.from_model(user) if user is not None else None

    @strawberry.field(
        description="Organizations (机构) by Chinese name (in code point order), with their "
        "public fields; for any signed-in party, empty for an anonymous caller."
    )
    async def organizations(
        self,
        info: strawberry.Info[Context, None],
        kind: Annotated[
            OrganizationKind | None,
            strawberry.argument(description="Only organizations of this kind (机构类型)."),
        ] = None,
        region: Annotated[
            str | None,
            strawberry.argument(
                description="Only organizations inside this region (地区), a GB/T 2260 code: "
                "330000 keeps all of Zhejiang, 330500 Huzhou, 330523 Anji only."
            ),
        ] = None,
        verified: Annotated[
            bool | None,
            strawberry.argument(description="Only verified (已认证) or only unverified ones."),
        ] = None,
        name_contains: Annotated[
            str | None,
            strawberry.argument(
                description="Only those whose Chinese or English name (机构名称) contains this "
                "text, ignoring case."
            ),
        ] = None,
        first: Annotated[int | None, strawberry.argument(description=_FIRST)] = None,
        after: Annotated[str | None, strawberry.argument(description=_AFTER)] = None,
        last: Annotated[int | None, strawberry.argument(description=_LAST)] = None,
        before: Annotated[str | None, strawberry.argument(description=_BEFORE)] = None,
    ) -> relay.Connection[OrganizationNode]:
        context = info.context
        try:
            query = accounts.organizations_query(
                context.user,
                kind=kind,
                region=region,
                verified=verified,
                name_contains=name_contains,
            )
        except DomainError as error:
            raise ArgumentError.of(error) from None
        if query is None:
            return empty_connection()
        dialect = dialect_of(context.session)
        query = query.order_by(binary_order(Organization.name_zh, dialect), Organization.id)
        return await paginate(
            context.session,
            context.loaders.exclusive,
            query,
            PageArguments(first=first, after=after, last=last, before=before),
            OrganizationNode.from_model,
        )
