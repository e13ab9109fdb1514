"""DataLoaders: one batched ``SELECT ... WHERE id IN (...)`` per kind of object and
request, however many fields ask for one. Built per request (see ``graphql.context``), so nothing
is cached across requests or users."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader
from talentmatch.platform.db import Organization, User

__all__ = ["AccountLoaders", "Loaders"]


@dataclass(frozen=True, slots=True)
class AccountLoaders:
    organization: DataLoader[uuid.UUID, Organization | None]
    user: DataLoader[uuid.UUID, User | None]

    @classmethod
    def for_session(cls, session: AsyncSession) -> AccountLoaders:
        async def organizations(ids: list[uuid.UUID]) -> Sequence[Organization | None]:
            rows = await session.scalars(select(Organization).where(Organization.id.in_(ids)))
            found = {row.id: row for row in rows}
            return [found.get(i) for i in ids]

        async def users(ids: list[uuid.UUID]) -> Sequence[User | None]:
            rows = await session.scalars(select(User).where(User.id.in_(ids)))
            found = {row.id: row for row in rows}
            return [found.get(i) for i in ids]

        return cls(organization=DataLoader(organizations), user=DataLoader(users))


@dataclass(frozen=True, slots=True)
class Loaders:
    """Every DataLoader of the schema, by domain area; fresh for each request."""

    accounts: AccountLoaders

    @classmethod
    def for_session(cls, session: AsyncSession) -> Loaders:
        return cls(accounts=AccountLoaders.for_session(session))
