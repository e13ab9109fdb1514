"""The context of one GraphQL request: its database session, the caller and the DataLoaders.

Litestar builds it per request through dependency injection (``context_getter``); the session is
closed, and whatever was not committed rolled back, when the request ends. Mutations commit their
own unit of work (see ``graphql.errors.unit_of_work``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from litestar.datastructures import Headers, State
from litestar.types import Scope
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from strawberry.litestar import BaseContext
from talentmatch.platform.db import User, utcnow
from talentmatch.platform.graphql.dataloaders import Loaders
from talentmatch.platform.jobs.runner import SolveRunner
from talentmatch.platform.services.accounts import authenticate
from talentmatch.platform.settings import Settings

__all__ = ["Context", "Loaders", "bearer_token", "context_getter"]


class Context(BaseContext, kw_only=True):
    session: AsyncSession
    #: For work that outlives one statement's turn on ``session``: a subscription's polls.
    sessions: async_sessionmaker[AsyncSession]
    settings: Settings
    loaders: Loaders
    #: The bearer token the request carried, if any (whether or not it is still valid).
    token: str | None
    #: The user the token belongs to (organization loaded), or None for an anonymous caller.
    user: User | None
    #: Where runMatching and rematch hand their new runs.
    runner: SolveRunner
    #: The client's IP address as the ASGI server saw it (behind a proxy, only what uvicorn's
    #: ``--proxy-headers`` / ``forwarded_allow_ips`` made of X-Forwarded-For); None if unknown.
    client_address: str | None = None


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header (scheme in any case)."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return None
    return token


async def context_getter(headers: Headers, state: State, scope: Scope) -> AsyncIterator[Context]:
    """Litestar dependency: the context of one request (``headers``, ``state`` and ``scope`` are
    injected by Litestar, for HTTP and WebSocket connections alike)."""
    sessions: async_sessionmaker[AsyncSession] = state.session_factory
    settings: Settings = state.settings
    async with sessions() as session:
        token = bearer_token(headers.get("authorization"))
        user = await authenticate(session, token, utcnow()) if token else None
        yield Context(
            session=session,
            sessions=sessions,
            settings=settings,
            loaders=Loaders.for_session(session),
            token=token,
            user=user,
            runner=state.runner,
            client_address=_client_address(scope),
        )


def _client_address(scope: Scope) -> str | None:
    # The scope rather than a Request, so that WebSocket connections get theirs too.
    client = scope.get("client")
    return client[0] if client else None
