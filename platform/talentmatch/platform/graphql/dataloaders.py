"""DataLoaders: one batched ``SELECT ... WHERE id IN (...)`` per kind of object and
request, however many fields ask for one. Built per request (see ``graphql.context``), so nothing
is cached across requests or users.

Resolvers of one request run concurrently, but they share one database session, which must not
run two statements at once: the reads that may run side by side (the batch functions here, the
connections of ``graphql.pagination``, node and export look-ups) hold ``Loaders.exclusive``
while their statement runs.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader
from talentmatch.platform.db import MatchingRound, Organization, User

__all__ = ["AccountLoaders", "Loaders", "RoundLoaders"]

M = TypeVar("M", Organization, User, MatchingRound)


def _by_id(
    session: AsyncSession, lock: asyncio.Lock, model: type[M]
) -> DataLoader[uuid.UUID, M | None]:
    async def load(ids: list[uuid.UUID]) -> Sequence[M | None]:
        async with lock:
            rows = await session.scalars(select(model).where(model.id.in_(ids)))
            found: dict[Any, M] = {row.id: row for row in rows}
        return [found.get(i) for i in ids]

    return DataLoader(load)


@dataclass(frozen=True, slots=True)
class AccountLoaders:
    organization: DataLoader[uuid.UUID, Organization | None]
    user: DataLoader[uuid.UUID, User | None]

    @classmethod
    def for_session(cls, session: AsyncSession, lock: asyncio.Lock) -> AccountLoaders:
        return cls(
            organization=_by_id(session, lock, Organization), user=_by_id(session, lock, User)
        )


@dataclass(frozen=True, slots=True)
class RoundLoaders:
    round: DataLoader[uuid.UUID, MatchingRound | None]

    @classmethod
    def for_session(cls, session: AsyncSession, lock: asyncio.Lock) -> RoundLoaders:
        return cls(round=_by_id(session, lock, MatchingRound))


@dataclass(frozen=True, slots=True)
class Loaders:
    """Every DataLoader of the schema, by domain area; fresh for each request."""

    accounts: AccountLoaders
    rounds: RoundLoaders
    #: Held while a statement of this request runs on its session.
    exclusive: asyncio.Lock = field(default_factory=asyncio.Lock)

    @classmethod
    def for_session(cls, session: AsyncSession) -> Loaders:
        lock = asyncio.Lock()
        return cls(
            accounts=AccountLoaders.for_session(session, lock),
            rounds=RoundLoaders.for_session(session, lock),
            exclusive=lock,
        )
